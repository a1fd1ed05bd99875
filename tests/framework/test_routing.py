"""Routing: route/add_url_rule and every option of a rule, and URL converters."""

from __future__ import annotations

import re
import uuid

import pytest
from werkzeug.routing import BaseConverter, ValidationError

from framework import App, url_for


@pytest.fixture
def app() -> App:
    application = App("routing_tests", static_folder=None)
    application.testing = True
    return application


# -- methods -----------------------------------------------------------------


def test_get_is_the_default_method(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return "home"

    client = app.test_client()
    assert client.get("/").text == "home"
    assert client.post("/").status_code == 405


def test_405_lists_the_allowed_methods(app: App) -> None:
    @app.route("/", methods=["GET", "POST"])
    def index() -> str:
        return "home"

    response = app.test_client().put("/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_head_is_added_automatically_and_has_no_body(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return "home"

    response = app.test_client().head("/")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == "4"


def test_options_is_answered_automatically(app: App) -> None:
    @app.route("/", methods=["POST"])
    def index() -> str:
        return "posted"

    response = app.test_client().options("/")
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert response.data == b""


def test_rule_methods_include_the_automatic_ones(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return "home"

    (rule,) = app.url_map.iter_rules("index")
    assert rule.methods == {"GET", "HEAD", "OPTIONS"}
    assert rule.provide_automatic_options is True


def test_methods_are_case_insensitive(app: App) -> None:
    @app.route("/", methods=["post"])
    def index() -> str:
        return "posted"

    assert app.test_client().post("/").text == "posted"


def test_methods_as_a_string_is_refused(app: App) -> None:
    with pytest.raises(TypeError, match=r'methods=\["POST"\]'):

        @app.route("/", methods="POST")
        def index() -> str:
            return "posted"


def test_a_view_can_handle_options_itself(app: App) -> None:
    @app.route("/", methods=["GET", "OPTIONS"])
    def index() -> str:
        return "my own options"

    assert app.test_client().options("/").text == "my own options"


def test_provide_automatic_options_false_turns_options_off(app: App) -> None:
    @app.route("/", provide_automatic_options=False)
    def index() -> str:
        return "home"

    assert app.test_client().options("/").status_code == 405


def test_provide_automatic_options_config_key_turns_options_off(app: App) -> None:
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False

    @app.route("/")
    def index() -> str:
        return "home"

    assert app.test_client().options("/").status_code == 405


# -- endpoints -----------------------------------------------------------------


def test_endpoint_defaults_to_the_function_name(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return "home"

    assert app.view_functions["index"] is index
    assert [rule.endpoint for rule in app.url_map.iter_rules()] == ["index"]


def test_explicit_endpoint(app: App) -> None:
    @app.route("/", endpoint="n1")
    def index() -> str:
        return "home"

    assert app.view_functions == {"n1": index}
    with app.test_request_context():
        assert url_for("n1") == "/"


def test_add_url_rule_without_a_decorator(app: App) -> None:
    def login() -> str:
        return "login page"

    app.add_url_rule("/login", "n2", login, methods=["GET", "POST"])
    client = app.test_client()
    assert client.post("/login").text == "login page"
    assert app.view_functions["n2"] is login


def test_add_url_rule_needs_a_view_function_or_an_endpoint(app: App) -> None:
    with pytest.raises((AssertionError, TypeError, ValueError), match="view.?func"):
        app.add_url_rule("/nothing")


def test_a_rule_with_an_endpoint_but_no_view_answers_once_a_view_is_attached(app: App) -> None:
    app.add_url_rule("/later", endpoint="later")

    @app.endpoint("later")
    def later() -> str:
        return "attached later"

    assert app.test_client().get("/later").text == "attached later"


def test_second_function_on_an_existing_endpoint_is_refused(app: App) -> None:
    @app.route("/a", endpoint="shared")
    def first_view() -> str:
        return "a"

    with pytest.raises(AssertionError, match="overwriting an existing endpoint function: shared"):

        @app.route("/b", endpoint="shared")
        def second_view() -> str:
            return "b"


def test_endpoint_clash_message_names_both_functions(app: App) -> None:
    """hookscope goes beyond Flask here: the message names the old and the new view."""

    @app.route("/a", endpoint="shared")
    def first_view() -> str:
        return "a"

    with pytest.raises(AssertionError) as excinfo:

        @app.route("/b", endpoint="shared")
        def second_view() -> str:
            return "b"

    assert "first_view" in str(excinfo.value)
    assert "second_view" in str(excinfo.value)


def test_same_function_on_two_rules_is_fine(app: App) -> None:
    @app.route("/", endpoint="page")
    @app.route("/page", endpoint="page")
    def page() -> str:
        return "page"

    client = app.test_client()
    assert client.get("/").text == client.get("/page").text == "page"


def test_endpoint_decorator_attaches_a_view_to_a_rule(app: App) -> None:
    app.url_map.add(app.url_rule_class("/about", endpoint="about"))

    @app.endpoint("about")
    def about_page() -> str:
        return "about us"

    assert app.test_client().get("/about").text == "about us"


# -- view attributes -------------------------------------------------------------


def test_view_methods_attribute_is_used_when_route_gives_none(app: App) -> None:
    def submit() -> str:
        return "submitted"

    submit.methods = ["POST"]  # type: ignore[attr-defined]
    app.add_url_rule("/submit", view_func=submit)
    client = app.test_client()
    assert client.post("/submit").text == "submitted"
    assert client.get("/submit").status_code == 405


def test_view_required_methods_are_added_to_the_route_methods(app: App) -> None:
    def submit() -> str:
        return "answered"

    submit.required_methods = ["DELETE"]  # type: ignore[attr-defined]
    app.add_url_rule("/submit", view_func=submit, methods=["GET"])
    client = app.test_client()
    assert client.delete("/submit").text == "answered"
    assert client.get("/submit").text == "answered"


def test_view_provide_automatic_options_attribute_false(app: App) -> None:
    def index() -> str:
        return "home"

    index.provide_automatic_options = False  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=index)
    assert app.test_client().options("/").status_code == 405


def test_view_provide_automatic_options_attribute_true_with_own_options(app: App) -> None:
    def index() -> str:
        return "view ran"

    index.provide_automatic_options = True  # type: ignore[attr-defined]
    app.add_url_rule("/", view_func=index, methods=["GET", "OPTIONS"])
    response = app.test_client().options("/")
    assert response.data == b""
    assert "GET" in response.headers["Allow"]


# -- defaults --------------------------------------------------------------------


def test_defaults_fill_view_arguments(app: App) -> None:
    @app.route("/", methods=["GET", "POST"], endpoint="n1", defaults={"nid": 888})
    def index(nid: int) -> str:
        return f"nid={nid}"

    assert app.test_client().get("/").text == "nid=888"


def test_defaults_pair_of_rules_redirects_the_default_value_to_the_short_url(app: App) -> None:
    @app.route("/users/", defaults={"page": 1})
    @app.route("/users/page/<int:page>")
    def users(page: int) -> str:
        return f"page {page}"

    client = app.test_client()
    assert client.get("/users/").text == "page 1"
    assert client.get("/users/page/2").text == "page 2"
    response = client.get("/users/page/1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/users/"


# -- strict_slashes ---------------------------------------------------------------


def test_missing_trailing_slash_redirects(app: App) -> None:
    @app.route("/index/")
    def index() -> str:
        return "index"

    response = app.test_client().get("/index?page=2")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/index/?page=2"


def test_trailing_slash_redirect_is_followed(app: App) -> None:
    @app.route("/index/")
    def index() -> str:
        return "index"

    response = app.test_client().get("/index", follow_redirects=True)
    assert response.text == "index"
    assert response.request.path == "/index/"


def test_extra_trailing_slash_is_404_with_strict_slashes(app: App) -> None:
    @app.route("/index", strict_slashes=True)
    def index() -> str:
        return "index"

    client = app.test_client()
    assert client.get("/index").text == "index"
    assert client.get("/index/").status_code == 404


@pytest.mark.parametrize("path", ["/index", "/index/"])
def test_strict_slashes_false_accepts_both_forms(app: App, path: str) -> None:
    @app.route("/index", strict_slashes=False)
    def index() -> str:
        return "index"

    assert app.test_client().get(path).text == "index"


def test_url_map_strict_slashes_false_applies_to_every_rule(app: App) -> None:
    app.url_map.strict_slashes = False

    @app.route("/index/")
    def index() -> str:
        return "index"

    assert app.test_client().get("/index").text == "index"


def test_merge_slashes_redirects_to_the_canonical_url(app: App) -> None:
    @app.route("/a/b")
    def ab() -> str:
        return "ab"

    response = app.test_client().get("/a//b")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/a/b"


# -- redirect_to --------------------------------------------------------------------


def test_redirect_to_string_with_placeholders(app: App) -> None:
    @app.route("/index/<int:nid>", redirect_to="/home/<nid>")
    def index(nid: int) -> str:
        return "never runs"

    response = app.test_client().get("/index/5")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/home/5"


def test_redirect_to_callable_receives_adapter_and_values(app: App) -> None:
    seen: dict[str, object] = {}

    def func(adapter: object, nid: int) -> str:
        seen.update(adapter=adapter, nid=nid)
        return "/home/888"

    @app.route("/index/<int:nid>", redirect_to=func)
    def index(nid: int) -> str:
        return "never runs"

    response = app.test_client().get("/index/7")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/home/888"
    assert seen["nid"] == 7
    assert hasattr(seen["adapter"], "build")


def test_redirect_to_an_absolute_url(app: App) -> None:
    @app.route("/old", redirect_to="https://example.com/new")
    def old() -> str:
        return "never runs"

    assert app.test_client().get("/old").headers["Location"] == "https://example.com/new"


# -- subdomains and hosts --------------------------------------------------------------


@pytest.fixture
def subdomain_app() -> App:
    app = App("routing_tests", static_folder=None, subdomain_matching=True)
    app.config["SERVER_NAME"] = "xx.com:5000"

    @app.route("/")
    def main_index() -> str:
        return "main site"

    @app.route("/", subdomain="admin")
    def static_index() -> str:
        return "static.you-domain.tld"

    @app.route("/dynamic", subdomain="<username>")
    def username_index(username: str) -> str:
        return username + ".you-domain.tld"

    return app


@pytest.mark.parametrize(
    ("base_url", "path", "expected"),
    [
        ("http://xx.com:5000", "/", "main site"),
        ("http://admin.xx.com:5000", "/", "static.you-domain.tld"),
        ("http://alice.xx.com:5000", "/dynamic", "alice.you-domain.tld"),
    ],
)
def test_subdomain_routes(subdomain_app: App, base_url: str, path: str, expected: str) -> None:
    response = subdomain_app.test_client().get(path, base_url=base_url)
    assert response.status_code == 200
    assert response.text == expected


def test_unknown_subdomain_is_404(subdomain_app: App) -> None:
    client = subdomain_app.test_client()
    assert client.get("/", base_url="http://nobody.xx.com:5000").status_code == 404


def test_other_host_is_404_with_subdomain_matching(subdomain_app: App) -> None:
    client = subdomain_app.test_client()
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        assert client.get("/", base_url="http://other.org").status_code == 404


def test_url_for_builds_subdomain_urls(subdomain_app: App) -> None:
    with subdomain_app.app_context():
        assert url_for("static_index") == "http://admin.xx.com:5000/"
        assert url_for("username_index", username="bob") == "http://bob.xx.com:5000/dynamic"


def test_without_subdomain_matching_server_name_does_not_restrict_the_host(app: App) -> None:
    app.config["SERVER_NAME"] = "xx.com:5000"

    @app.route("/")
    def index() -> str:
        return "home"

    assert app.test_client().get("/", base_url="http://localhost").text == "home"


def test_without_subdomain_matching_subdomain_rules_do_not_match(app: App) -> None:
    app.config["SERVER_NAME"] = "xx.com:5000"

    @app.route("/", subdomain="admin")
    def admin() -> str:
        return "admin"

    assert app.test_client().get("/", base_url="http://admin.xx.com:5000").status_code == 404


def test_host_matching_routes_by_host() -> None:
    app = App("routing_tests", static_folder=None, host_matching=True)

    @app.route("/", host="shop.example")
    def shop() -> str:
        return "shop"

    @app.route("/", host="<tenant>.blog.example")
    def blog(tenant: str) -> str:
        return f"blog of {tenant}"

    client = app.test_client()
    assert client.get("/", base_url="http://shop.example").text == "shop"
    assert client.get("/", base_url="http://ann.blog.example").text == "blog of ann"
    assert client.get("/", base_url="http://elsewhere.example").status_code == 404


# -- bad rules --------------------------------------------------------------------


def test_rule_without_leading_slash_is_refused(app: App) -> None:
    with pytest.raises(ValueError, match="must start with a slash"):
        app.add_url_rule("index", view_func=lambda: "x")


@pytest.mark.parametrize(
    ("rule", "error", "message"),
    [
        ("/<int:>", ValueError, "malformed url rule"),
        ("/<>", ValueError, "malformed url rule"),
        ("/<x", ValueError, "malformed url rule"),
        ("/<int(:x>", ValueError, "malformed url rule"),
        ("/<int(foo=1):x>", TypeError, "foo"),
        ("/<string(length=-1):x>", ValueError, "Cannot parse converter argument"),
        ("/<a>/<a>", SyntaxError, "duplicate argument 'a'"),
    ],
)
def test_malformed_rules_are_refused(
    app: App, rule: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        app.add_url_rule(rule, "e", lambda **values: "x")


def test_unknown_converter_is_refused(app: App) -> None:
    with pytest.raises(LookupError, match="'nope'"):
        app.add_url_rule("/<nope:x>", endpoint="x", view_func=lambda x: x)


# -- converters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ("/user/<username>", "/user/alice", "'alice'"),
        ("/user/<string:username>", "/user/al%20ice", "'al ice'"),
        ("/user/<string(minlength=2,maxlength=3):username>", "/user/bob", "'bob'"),
        ("/user/<string(length=2):username>", "/user/ab", "'ab'"),
        ("/page/<any(about,help):username>", "/page/help", "'help'"),
        ("/post/<path:username>", "/post/a/b/c", "'a/b/c'"),
        ("/post/<int:username>", "/post/42", "42"),
        ("/post/<int(signed=True):username>", "/post/-42", "-42"),
        ("/post/<int(min=1,max=9):username>", "/post/9", "9"),
        ("/post/<float:username>", "/post/1.5", "1.5"),
        ("/post/<float(signed=True):username>", "/post/-1.5", "-1.5"),
        (
            "/item/<uuid:username>",
            "/item/6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            "UUID('6ba7b810-9dad-11d1-80b4-00c04fd430c8')",
        ),
    ],
)
def test_converter_matches_and_converts(app: App, rule: str, path: str, expected: str) -> None:
    @app.route(rule)
    def show(username: object) -> str:
        return repr(username)

    assert app.test_client().get(path).text == expected


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("/user/<username>", "/user/a/b"),
        ("/user/<string(minlength=2):username>", "/user/a"),
        ("/user/<string(maxlength=3):username>", "/user/abcd"),
        ("/page/<any(about,help):username>", "/page/contact"),
        ("/post/<int:username>", "/post/abc"),
        ("/post/<int:username>", "/post/-1"),
        ("/post/<int:username>", "/post/1.5"),
        ("/post/<int(min=1,max=9):username>", "/post/10"),
        ("/post/<float:username>", "/post/1"),
        ("/post/<float:username>", "/post/-1.5"),
        ("/item/<uuid:username>", "/item/not-a-uuid"),
    ],
)
def test_converter_mismatch_is_404(app: App, rule: str, path: str) -> None:
    @app.route(rule)
    def show(username: object) -> str:
        return repr(username)

    assert app.test_client().get(path).status_code == 404


@pytest.mark.parametrize(
    ("rule", "value", "expected_url"),
    [
        ("/user/<username>", "al ice", "/user/al%20ice"),
        ("/post/<path:username>", "a/b", "/post/a/b"),
        ("/post/<int:username>", 42, "/post/42"),
        ("/post/<float:username>", 1.5, "/post/1.5"),
        (
            "/item/<uuid:username>",
            uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            "/item/6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        ),
        ("/page/<any(about,help):username>", "about", "/page/about"),
    ],
)
def test_converters_build_urls(app: App, rule: str, value: object, expected_url: str) -> None:
    @app.route(rule)
    def show(username: object) -> str:
        return repr(username)

    with app.test_request_context():
        assert url_for("show", username=value) == expected_url


class RegexConverter(BaseConverter):
    # The notes' converter, verbatim (路由系统 / 转换器类).
    def __init__(self, map, regex):  # type: ignore[no-untyped-def]
        super(RegexConverter, self).__init__(map)  # noqa: UP008
        self.regex = regex

    def to_python(self, value):  # type: ignore[no-untyped-def]
        return value

    def to_url(self, value):  # type: ignore[no-untyped-def]
        val = super(RegexConverter, self).to_url(value)  # noqa: UP008
        return val


def test_notes_regex_converter_matches_digits_only(app: App) -> None:
    app.url_map.converters["regex"] = RegexConverter

    @app.route(r'/index/<regex("\d+"):nid>')
    def index(nid: str) -> str:
        return f"Index {nid!r} {url_for('index', nid=89)}"

    client = app.test_client()
    assert client.get("/index/123").text == "Index '123' /index/89"
    assert client.get("/index/abc").status_code == 404


class EvenConverter(BaseConverter):
    """An int that must be even; odd values do not match the rule."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number % 2:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value * 1)


def test_validation_error_in_to_python_gives_404(app: App) -> None:
    app.url_map.converters["even"] = EvenConverter

    @app.route("/pair/<even:number>")
    def pair(number: int) -> str:
        return f"{number} is even"

    client = app.test_client()
    assert client.get("/pair/4").text == "4 is even"
    assert client.get("/pair/3").status_code == 404


class ListConverter(BaseConverter):
    """Comma-separated values: ``/tags/a,b`` gives ``["a", "b"]``."""

    def to_python(self, value: str) -> list[str]:
        return value.split(",")

    def to_url(self, value: list[str]) -> str:
        return ",".join(super(ListConverter, self).to_url(item) for item in value)  # noqa: UP008


def test_custom_converter_to_python_and_to_url(app: App) -> None:
    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(tags: list[str]) -> str:
        return f"{tags} {url_for('tags', tags=['x y', 'z'])}"

    assert app.test_client().get("/tags/a,b").text == "['a', 'b'] /tags/x%20y,z"
