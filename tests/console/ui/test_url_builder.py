from __future__ import annotations

from console.protocol import ConverterInfo, RouteInfo
from console.ui.url_builder import build_url, check_argument, default_method, rule_arguments

POST = RouteInfo(
    "/post/<int:post_id>/<path:rest>",
    "post",
    ("GET", "HEAD", "OPTIONS"),
    converters=(
        ConverterInfo("post_id", "int", "", r"\d+"),
        ConverterInfo("rest", "path", "", "[^/].*?"),
    ),
)


def test_an_int_argument_given_letters_gets_the_converters_complaint() -> None:
    complaint = check_argument(ConverterInfo("post_id", "int", "", r"\d+"), "abc")
    assert complaint == "'abc' does not match <int:post_id>; the request will get a 404"
    assert check_argument(ConverterInfo("post_id", "int", "", r"\d+"), "42") is None


def test_converter_arguments_are_honoured() -> None:
    bounded = ConverterInfo("page", "int", "min=1, max=3", r"\d+")
    assert check_argument(bounded, "2") is None
    assert check_argument(bounded, "9") == "'9' is out of range for <int(min=1, max=3):page>"
    choice = ConverterInfo("lang", "any", "en,zh", "(?:en|zh)")
    assert check_argument(choice, "fr") is not None
    assert check_argument(choice, "zh") is None


def test_a_custom_converter_is_checked_with_its_regex() -> None:
    custom = ConverterInfo("nid", "regex", '"\\d+"', r"\d+")
    assert check_argument(custom, "12") is None
    assert check_argument(custom, "x") is not None
    assert (
        check_argument(ConverterInfo("x", "odd", "", ""), "")
        == "x is empty; the rule needs a value"
    )


def test_url_is_built_as_url_for_would_with_query_and_placeholders() -> None:
    assert build_url(POST, {"post_id": "7", "rest": "a b/c"}, [("q", "x&y")]) == (
        "/post/7/a%20b/c?q=x%26y"
    )
    assert build_url(POST, {"post_id": "7"}) == "/post/7/<rest>"


def test_arguments_and_method_come_from_the_route() -> None:
    assert [c.name for c in rule_arguments(POST)] == ["post_id", "rest"]
    assert default_method(POST) == "GET"
    assert default_method(RouteInfo("/x", "x", ("POST", "OPTIONS"))) == "POST"
