"""What a view may return, and the response helpers: make_response, jsonify, redirect, abort."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from framework import App, Response, abort, jsonify, make_response, redirect


@pytest.fixture
def app() -> App:
    application = App("responses_tests")
    application.testing = True
    return application


def serve(app: App, return_value: Callable[[], Any]) -> Any:
    """Route ``/`` to a view returning ``return_value()`` and GET it."""
    app.add_url_rule("/", "index", lambda: return_value())
    return app.test_client().get("/")


def wsgi_hello(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("202 Accepted", [("Content-Type", "text/plain"), ("X-Wsgi", "yes")])
    return [b"from a wsgi app"]


def countdown() -> Iterator[str]:
    yield "3 "
    yield "2 "
    yield "1"


# -- view return values --------------------------------------------------------------


@pytest.mark.parametrize(
    ("return_value", "status", "content_type", "body"),
    [
        (lambda: "字符串", 200, "text/html; charset=utf-8", "字符串".encode()),
        (lambda: b"\x00bytes", 200, "text/html; charset=utf-8", b"\x00bytes"),
        (lambda: {"k": "v"}, 200, "application/json", b'{"k":"v"}\n'),
        (lambda: [1, "two"], 200, "application/json", b'[1,"two"]\n'),
        (lambda: ("created", 201), 201, "text/html; charset=utf-8", b"created"),
        (lambda: ("teapot", "418 I AM A TEAPOT"), 418, "text/html; charset=utf-8", b"teapot"),
        (lambda: ({"id": 1}, 201), 201, "application/json", b'{"id":1}\n'),
        (lambda: ([1], 202), 202, "application/json", b"[1]\n"),
        (lambda: ("plain", {"Content-Type": "text/plain"}), 200, "text/plain", b"plain"),
        (lambda: ("plain", [("Content-Type", "text/plain")]), 200, "text/plain", b"plain"),
        (lambda: ("gone", 410, {"Content-Type": "text/plain"}), 410, "text/plain", b"gone"),
        (lambda: Response("obj", 203, mimetype="text/csv"), 203, "text/csv; charset=utf-8", b"obj"),
        (lambda: (Response("obj"), 404), 404, "text/html; charset=utf-8", b"obj"),
        (lambda: countdown(), 200, "text/html; charset=utf-8", b"3 2 1"),
        (lambda: wsgi_hello, 202, "text/plain", b"from a wsgi app"),
    ],
    ids=[
        "str",
        "bytes",
        "dict",
        "list",
        "str+status",
        "str+status-string",
        "dict+status",
        "list+status",
        "str+header-dict",
        "str+header-list",
        "str+status+headers",
        "response",
        "response+status",
        "generator",
        "wsgi-callable",
    ],
)
def test_view_return_values(
    app: App, return_value: Callable[[], Any], status: int, content_type: str, body: bytes
) -> None:
    response = serve(app, return_value)
    assert response.status_code == status
    assert response.headers["Content-Type"] == content_type
    assert response.data == body


def test_headers_in_a_tuple_extend_the_response(app: App) -> None:
    response = serve(app, lambda: ("body", {"X-Something": "A value"}))
    assert response.headers["X-Something"] == "A value"


def test_headers_in_a_tuple_extend_a_response_object(app: App) -> None:
    def view() -> Any:
        base = Response("obj", headers={"X-One": "1"})
        return base, 201, {"X-Two": "2"}

    response = serve(app, view)
    assert (response.status_code, response.headers["X-One"], response.headers["X-Two"]) == (
        201,
        "1",
        "2",
    )


def test_generator_response_is_streamed(app: App) -> None:
    app.add_url_rule("/", "index", countdown)
    with app.test_client() as client:
        response = client.get("/", buffered=False)
        assert response.is_streamed
        assert b"".join(response.response) == b"3 2 1"
        response.close()


def test_an_http_exception_returned_is_its_response(app: App) -> None:
    response = serve(app, lambda: NotFound())
    assert response.status_code == 404
    assert b"Not Found" in response.data


def test_status_string_without_a_reason(app: App) -> None:
    assert serve(app, lambda: ("x", "299")).status == "299 UNKNOWN"


def test_none_raises_a_type_error_naming_the_view(app: App) -> None:
    @app.route("/forgot")
    def forgot_to_return() -> None:
        pass

    with pytest.raises(TypeError, match="'forgot_to_return' did not return a valid response"):
        app.test_client().get("/forgot")


def test_none_body_in_a_tuple_is_refused(app: App) -> None:
    with pytest.raises(TypeError, match="did not return a valid response"):
        serve(app, lambda: (None, 200))


def test_none_is_answered_with_500_outside_testing(app: App) -> None:
    app.testing = False
    app.logger.disabled = True
    assert serve(app, lambda: None).status_code == 500


@pytest.mark.parametrize("bad", [("a", 200, {}, "extra"), ("only",)], ids=["four", "one"])
def test_tuple_of_the_wrong_length_is_refused(app: App, bad: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError, match="valid response tuple"):
        serve(app, lambda: bad)


@pytest.mark.parametrize("bad", [42, 4.5, object()], ids=["int", "float", "object"])
def test_other_return_types_are_refused_naming_the_type(app: App, bad: object) -> None:
    with pytest.raises(TypeError, match=f"it was a {type(bad).__name__}"):
        serve(app, lambda: bad)


# -- make_response --------------------------------------------------------------------


def test_make_response_then_set_cookie_and_headers(app: App) -> None:
    def view() -> Response:
        response = make_response("asdfasdf")
        response.set_cookie("key", "value")
        response.delete_cookie("old")
        response.headers["X-Something"] = "A value"
        return response

    response = serve(app, view)
    cookies = response.headers.getlist("Set-Cookie")
    assert response.data == b"asdfasdf"
    assert "key=value; Path=/" in cookies
    assert any(c.startswith("old=; Expires=Thu, 01 Jan 1970") for c in cookies)
    assert response.headers["X-Something"] == "A value"


@pytest.mark.parametrize(
    ("args", "status", "body"),
    [
        ((), 200, b""),
        (("text",), 200, b"text"),
        (("text", 404), 404, b"text"),
        (("text", 201, {"X-A": "1"}), 201, b"text"),
        ((("tuple", 202),), 202, b"tuple"),
        (({"a": 1},), 200, b'{"a":1}\n'),
    ],
)
def test_make_response_arguments(app: App, args: tuple[Any, ...], status: int, body: bytes) -> None:
    with app.test_request_context():
        response = make_response(*args)
    assert isinstance(response, Response)
    assert (response.status_code, response.data) == (status, body)


def test_make_response_needs_an_app_context(app: App) -> None:
    with pytest.raises(RuntimeError, match="application context"):
        make_response("x")


# -- jsonify -----------------------------------------------------------------------


@dataclasses.dataclass
class Point:
    x: int
    y: int


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (({"k": "v"},), {}, b'{"k":"v"}\n'),
        ((1, 2, 3), {}, b"[1,2,3]\n"),
        ((), {"b": 2, "a": 1}, b'{"a":1,"b":2}\n'),
        ((), {}, b"null\n"),
        ((["中"],), {}, b'["\\u4e2d"]\n'),
        ((datetime.datetime(2024, 1, 2, 3, 4, 5),), {}, b'"Tue, 02 Jan 2024 03:04:05 GMT"\n'),
        ((datetime.date(2024, 1, 2),), {}, b'"Tue, 02 Jan 2024 00:00:00 GMT"\n'),
        ((uuid.UUID(int=1),), {}, b'"00000000-0000-0000-0000-000000000001"\n'),
        ((decimal.Decimal("1.10"),), {}, b'"1.10"\n'),
        ((Point(1, 2),), {}, b'{"x":1,"y":2}\n'),
        ((Markup("<b>hi</b>"),), {}, b'"<b>hi</b>"\n'),
    ],
    ids=[
        "dict",
        "positional-list",
        "kwargs-sorted",
        "nothing",
        "non-ascii",
        "datetime",
        "date",
        "uuid",
        "decimal",
        "dataclass",
        "markup",
    ],
)
def test_jsonify(app: App, args: tuple[Any, ...], kwargs: dict[str, Any], expected: bytes) -> None:
    with app.app_context():
        response = jsonify(*args, **kwargs)
    assert response.mimetype == "application/json"
    assert response.data == expected


def test_jsonify_refuses_args_and_kwargs_together(app: App) -> None:
    with app.app_context(), pytest.raises(TypeError, match="either args or kwargs"):
        jsonify(1, a=2)


def test_jsonify_refuses_what_json_cannot_encode(app: App) -> None:
    with app.app_context(), pytest.raises(TypeError, match="not JSON serializable"):
        jsonify({"k", "v"})


def test_jsonify_is_indented_in_debug(app: App) -> None:
    app.debug = True
    with app.app_context():
        assert jsonify(a=1).data == b'{\n  "a": 1\n}\n'


def test_json_provider_settings_are_honoured(app: App) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    with app.app_context():
        assert jsonify({"b": "中", "a": 1}).data == '{"b":"中","a":1}\n'.encode()


# -- redirect ----------------------------------------------------------------------


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_codes(app: App, code: int) -> None:
    response = serve(app, lambda: redirect("/index.html", code=code))
    assert response.status_code == code
    assert response.headers["Location"] == "/index.html"


def test_redirect_defaults_to_302_with_a_link_body(app: App) -> None:
    response = serve(app, lambda: redirect("http://www.xx.com"))
    assert response.status_code == 302
    assert response.headers["Location"] == "http://www.xx.com"
    assert b'<a href="http://www.xx.com">' in response.data


def test_redirect_quotes_non_ascii_locations(app: App) -> None:
    response = serve(app, lambda: redirect("/über?q=ä"))
    assert response.headers["Location"] == "/%C3%BCber?q=%C3%A4"


def test_redirect_is_followed_by_the_test_client(app: App) -> None:
    app.add_url_rule("/old", "old", lambda: redirect("/new"))
    app.add_url_rule("/new", "new", lambda: "new place")
    response = app.test_client().get("/old", follow_redirects=True)
    assert response.text == "new place"
    assert [r.status_code for r in response.history] == [302]


def test_redirect_works_outside_a_context() -> None:
    response = redirect("/elsewhere", 307)
    assert (response.status_code, response.headers["Location"]) == (307, "/elsewhere")


# -- abort ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", [400, 401, 403, 404, 405, 409, 410, 418, 429, 500, 503])
def test_abort_with_a_code(app: App, code: int) -> None:
    def view() -> str:
        abort(code)

    assert serve(app, view).status_code == code


def test_abort_with_a_description(app: App) -> None:
    def view() -> str:
        abort(403, description="members only")

    response = serve(app, view)
    assert response.status_code == 403
    assert b"members only" in response.data


def test_abort_with_a_response(app: App) -> None:
    def view() -> str:
        abort(Response("custom refusal", status=402, headers={"X-Why": "pay"}))

    response = serve(app, view)
    assert (response.status_code, response.data, response.headers["X-Why"]) == (
        402,
        b"custom refusal",
        "pay",
    )


def test_abort_405_with_valid_methods_sets_allow(app: App) -> None:
    def view() -> str:
        abort(405, valid_methods=["GET", "POST"])

    assert serve(app, view).headers["Allow"] == "GET, POST"


def test_abort_with_an_unknown_code_is_a_lookup_error(app: App) -> None:
    def view() -> str:
        abort(299)

    with pytest.raises(LookupError, match="299"):
        serve(app, view)


def test_abort_outside_a_request_raises_the_http_exception() -> None:
    with pytest.raises(NotFound):
        abort(404)


def test_abort_is_caught_by_an_error_handler(app: App) -> None:
    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "custom 404 page", 404

    def view() -> str:
        abort(404)

    response = serve(app, view)
    assert (response.status_code, response.text) == (404, "custom 404 page")


# -- header values HTTP cannot carry ---------------------------------------------------------


def test_header_outside_latin_1_is_refused_naming_it(app: App) -> None:
    """hookscope checks what a WSGI server would choke on after the view has finished."""
    with pytest.raises(ValueError, match="'X-Name' has a value that is not latin-1"):
        serve(app, lambda: ("x", {"X-Name": "中文"}))


def test_header_outside_latin_1_is_a_500_outside_testing(app: App) -> None:
    app.testing = False
    app.logger.disabled = True
    assert serve(app, lambda: ("x", {"X-Name": "中文"})).status_code == 500


def test_latin_1_header_values_are_fine(app: App) -> None:
    assert serve(app, lambda: ("x", {"X-Name": "café"})).headers["X-Name"] == "café"
