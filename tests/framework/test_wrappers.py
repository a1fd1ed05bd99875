"""The request object: the attributes the notes list, JSON, routing info, uploads, limits."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.utils import secure_filename

from framework import App, Blueprint, Request, Response, request
from framework.debughelpers import DebugFilesKeyError


@pytest.fixture
def app() -> App:
    application = App("wrappers_tests")
    application.testing = True
    return application


def echo(app: App, expression: Callable[[Request], Any]) -> None:
    """Route ``/echo`` (GET and POST) to a view answering ``repr(expression(request))``."""

    @app.route("/echo", methods=["GET", "POST"])
    def echo_view() -> str:
        return repr(expression(request))


# -- the notes' list -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("method", "'GET'"),
        ("path", "'/echo'"),
        ("full_path", "'/echo?page=2&tag=a&tag=b'"),
        ("script_root", "'/mount'"),
        ("url", "'https://shop.example:8443/mount/echo?page=2&tag=a&tag=b'"),
        ("base_url", "'https://shop.example:8443/mount/echo'"),
        ("host_url", "'https://shop.example:8443/'"),
        ("root_url", "'https://shop.example:8443/mount/'"),
        ("host", "'shop.example:8443'"),
        ("scheme", "'https'"),
        ("is_secure", "True"),
        ("query_string", "b'page=2&tag=a&tag=b'"),
        ("remote_addr", "'127.0.0.1'"),
    ],
)
def test_request_url_attributes(app: App, attribute: str, expected: str) -> None:
    echo(app, lambda r: getattr(r, attribute))
    response = app.test_client().get(
        "/echo?page=2&tag=a&tag=b", base_url="https://shop.example:8443/mount"
    )
    assert response.text == expected


def test_args_is_a_multidict(app: App) -> None:
    echo(app, lambda r: (r.args["page"], r.args.getlist("tag"), r.args.get("page", type=int)))
    assert app.test_client().get("/echo?page=2&tag=a&tag=b").text == "('2', ['a', 'b'], 2)"


def test_args_bad_type_falls_back_to_the_default(app: App) -> None:
    echo(app, lambda r: r.args.get("page", default=1, type=int))
    assert app.test_client().get("/echo?page=two").text == "1"


def test_form_fields(app: App) -> None:
    echo(app, lambda r: (r.form["user"], r.form.get("pwd"), r.form.get("missing")))
    response = app.test_client().post("/echo", data={"user": "admin", "pwd": "password"})
    assert response.text == "('admin', 'password', None)"


def test_values_combines_args_and_form(app: App) -> None:
    echo(app, lambda r: (r.values["a"], r.values["b"]))
    assert app.test_client().post("/echo?a=1", data={"b": "2"}).text == "('1', '2')"


def test_values_ignores_the_form_of_a_get_request(app: App) -> None:
    echo(app, lambda r: r.values.get("b"))
    assert app.test_client().get("/echo", data={"b": "2"}).text == "None"


def test_cookies(app: App) -> None:
    echo(app, lambda r: dict(r.cookies))
    client = app.test_client()
    client.set_cookie("theme", "dark")
    assert client.get("/echo").text == "{'theme': 'dark'}"


def test_headers_are_case_insensitive(app: App) -> None:
    echo(app, lambda r: (r.headers["x-token"], r.headers.get("X-TOKEN"), r.headers.get("nope")))
    assert app.test_client().get("/echo", headers={"X-Token": "s3"}).text == "('s3', 's3', None)"


def test_method_of_a_post(app: App) -> None:
    echo(app, lambda r: r.method)
    assert app.test_client().post("/echo").text == "'POST'"


def test_raw_body(app: App) -> None:
    echo(app, lambda r: (r.get_data(as_text=True), r.content_type, r.content_length))
    response = app.test_client().post("/echo", data="raw text", content_type="text/plain")
    assert response.text == "('raw text', 'text/plain', 8)"


def test_missing_form_key_is_400(app: App) -> None:
    echo(app, lambda r: r.form["user"])
    assert app.test_client().post("/echo", data={}).status_code == 400


def test_missing_arg_key_is_400(app: App) -> None:
    echo(app, lambda r: r.args["page"])
    assert app.test_client().get("/echo").status_code == 400


def test_missing_key_in_debug_is_raised_naming_the_key(app: App) -> None:
    app.debug = True
    echo(app, lambda r: r.form["user"])
    with pytest.raises(KeyError, match="user"):
        app.test_client().post("/echo", data={})


# -- JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload", [{"a": 1}, [1, 2, 3], "text", 3.5, False, {"nested": {"list": [True, None]}}]
)
def test_json_body(app: App, payload: Any) -> None:
    echo(app, lambda r: (r.is_json, r.json, r.get_json()))
    response = app.test_client().post("/echo", json=payload)
    assert response.text == repr((True, payload, payload))


def test_json_with_a_charset_and_a_plus_json_type(app: App) -> None:
    echo(app, lambda r: r.json)
    client = app.test_client()
    kwargs = {"data": b'{"a": 1}'}
    assert client.post("/echo", content_type="application/json; charset=utf-8", **kwargs).text == (
        "{'a': 1}"
    )
    assert client.post("/echo", content_type="application/vnd.api+json", **kwargs).text == (
        "{'a': 1}"
    )


def test_malformed_json_is_400_saying_so_without_the_decoders_detail(app: App) -> None:
    """As in Flask, the decoder's message is for debug mode only."""
    echo(app, lambda r: r.get_json())
    response = app.test_client().post("/echo", data=b'{"a": ', content_type="application/json")
    assert response.status_code == 400
    assert "The request body is not valid JSON." in response.text
    assert "Expecting value" not in response.text


def test_too_deeply_nested_json_is_400_not_a_crash(app: App) -> None:
    """Flask answers 500 (RecursionError); hookscope treats it as the client's bad input."""
    app.testing = False
    echo(app, lambda r: r.json)
    body = b"[" * 100_000 + b"]" * 100_000
    response = app.test_client().post("/echo", data=body, content_type="application/json")
    assert response.status_code == 400


def test_malformed_json_in_debug_gives_the_decoder_reason(app: App) -> None:
    app.debug = True
    echo(app, lambda r: r.json)
    response = app.test_client().post("/echo", data=b"{oops}", content_type="application/json")
    assert response.status_code == 400
    assert "Failed to decode JSON object" in response.text


def test_malformed_json_silent_gives_none(app: App) -> None:
    echo(app, lambda r: r.get_json(silent=True))
    response = app.test_client().post("/echo", data=b"{oops}", content_type="application/json")
    assert response.text == "None"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_json_with_the_wrong_content_type_is_415(app: App, content_type: str) -> None:
    echo(app, lambda r: r.json)
    response = app.test_client().post("/echo", data=b'{"a": 1}', content_type=content_type)
    assert response.status_code == 415
    assert "Content-Type was not" in response.text


def test_json_without_a_body_is_415(app: App) -> None:
    echo(app, lambda r: r.json)
    assert app.test_client().post("/echo").status_code == 415


def test_get_json_force_ignores_the_content_type(app: App) -> None:
    echo(app, lambda r: (r.is_json, r.get_json(force=True)))
    response = app.test_client().post("/echo", data=b'{"a": 1}', content_type="text/plain")
    assert response.text == "(False, {'a': 1})"


def test_get_json_silent_with_the_wrong_content_type_gives_none(app: App) -> None:
    echo(app, lambda r: r.get_json(silent=True))
    response = app.test_client().post("/echo", data=b"{}", content_type="text/plain")
    assert response.text == "None"


def test_json_error_can_be_handled(app: App) -> None:
    echo(app, lambda r: r.json)

    @app.errorhandler(400)
    def bad_request(error: Exception) -> tuple[dict[str, str], int]:
        return {"error": "send valid JSON"}, 400

    response = app.test_client().post("/echo", data=b"[", content_type="application/json")
    assert response.status_code == 400
    assert response.json == {"error": "send valid JSON"}


# -- routing information ------------------------------------------------------------------


def test_endpoint_view_args_and_url_rule(app: App) -> None:
    @app.route("/user/<int:user_id>", endpoint="profile")
    def show(user_id: int) -> dict[str, Any]:
        return {
            "endpoint": request.endpoint,
            "view_args": request.view_args,
            "rule": request.url_rule.rule if request.url_rule else None,
            "blueprint": request.blueprint,
        }

    assert app.test_client().get("/user/7").json == {
        "endpoint": "profile",
        "view_args": {"user_id": 7},
        "rule": "/user/<int:user_id>",
        "blueprint": None,
    }


def test_blueprint_of_a_blueprint_view(app: App) -> None:
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.route("/cart")
    def cart() -> str:
        return f"{request.blueprint} {request.endpoint}"

    app.register_blueprint(shop)
    assert app.test_client().get("/shop/cart").text == "shop shop.cart"


def test_routing_information_of_an_unmatched_request(app: App) -> None:
    seen: dict[str, Any] = {}

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        seen.update(
            endpoint=request.endpoint,
            view_args=request.view_args,
            url_rule=request.url_rule,
            routing_exception=type(request.routing_exception).__name__,
        )
        return "nothing here", 404

    assert app.test_client().get("/missing").status_code == 404
    assert seen == {
        "endpoint": None,
        "view_args": None,
        "url_rule": None,
        "routing_exception": "NotFound",
    }


def test_request_and_response_classes(app: App) -> None:
    echo(app, lambda r: isinstance(r, Request))
    response = app.test_client().get("/echo")
    assert response.text == "True"
    assert issubclass(app.response_class, Response)


# -- uploads ------------------------------------------------------------------------------


def test_uploaded_file_is_saved_with_a_secure_filename(app: App, tmp_path: Path) -> None:
    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        obj = request.files["the_file_name"]
        target = tmp_path / secure_filename(obj.filename or "")
        obj.save(target)
        return f"{obj.filename} -> {target.name} ({obj.mimetype})"

    response = app.test_client().post(
        "/upload",
        data={"the_file_name": (io.BytesIO(b"report body"), "../../etc/report.txt", "text/plain")},
    )
    assert response.text == "../../etc/report.txt -> etc_report.txt (text/plain)"
    assert (tmp_path / "etc_report.txt").read_bytes() == b"report body"


def test_several_files_under_one_name(app: App) -> None:
    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        return repr([f.filename for f in request.files.getlist("docs")])

    response = app.test_client().post(
        "/upload",
        data={"docs": [(io.BytesIO(b"1"), "a.txt"), (io.BytesIO(b"2"), "b.txt")]},
    )
    assert response.text == "['a.txt', 'b.txt']"


def test_files_and_form_fields_are_separate(app: App) -> None:
    echo(app, lambda r: (sorted(r.form), sorted(r.files)))
    response = app.test_client().post(
        "/echo", data={"title": "x", "attachment": (io.BytesIO(b"1"), "a.bin")}
    )
    assert response.text == "(['title'], ['attachment'])"


def test_missing_file_is_400(app: App) -> None:
    echo(app, lambda r: r.files["the_file_name"])
    assert app.test_client().post("/echo", data={"other": "x"}).status_code == 400


def test_in_debug_a_file_sent_without_multipart_is_an_error_explaining_the_enctype(
    app: App,
) -> None:
    app.debug = True
    echo(app, lambda r: r.files["upload"])
    with pytest.raises(DebugFilesKeyError) as raised:
        app.test_client().post("/echo", data={"upload": "report.pdf"})

    message = str(raised.value)
    assert "the request's mimetype is 'application/x-www-form-urlencoded'" in message
    assert "no file contents were transmitted" in message
    assert 'enctype="multipart/form-data"' in message
    assert "This was submitted: 'report.pdf'" in message
    assert isinstance(raised.value, KeyError)


def test_in_debug_a_file_the_form_never_named_is_still_a_plain_key_error(app: App) -> None:
    app.debug = True
    echo(app, lambda r: r.files["upload"])
    with pytest.raises(KeyError) as raised:
        app.test_client().post("/echo", data={"other": "x"})
    assert not isinstance(raised.value, DebugFilesKeyError)


def test_outside_debug_a_file_sent_without_multipart_is_a_400(app: App) -> None:
    echo(app, lambda r: r.files["upload"])
    assert app.test_client().post("/echo", data={"upload": "report.pdf"}).status_code == 400


# -- size limits -----------------------------------------------------------------------------


def test_max_content_length_refuses_a_large_form_with_413(app: App) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 100
    echo(app, lambda r: r.form.get("text"))
    client = app.test_client()
    assert client.post("/echo", data={"text": "short"}).text == "'short'"
    assert client.post("/echo", data={"text": "x" * 200}).status_code == 413


def test_max_content_length_refuses_a_large_raw_body(app: App) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10
    echo(app, lambda r: len(r.get_data()))
    response = app.test_client().post("/echo", data=b"y" * 50, content_type="text/plain")
    assert response.status_code == 413


def test_max_content_length_refuses_a_large_upload(app: App) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    echo(app, lambda r: r.files["f"].read())
    response = app.test_client().post("/echo", data={"f": (io.BytesIO(b"z" * 5000), "big.bin")})
    assert response.status_code == 413


def test_max_content_length_can_be_set_per_request(app: App) -> None:
    @app.before_request
    def tighten_limit() -> None:
        request.max_content_length = 5

    echo(app, lambda r: r.get_data())
    response = app.test_client().post("/echo", data=b"123456", content_type="text/plain")
    assert response.status_code == 413


def test_max_form_memory_size_refuses_a_large_field(app: App) -> None:
    app.config["MAX_FORM_MEMORY_SIZE"] = 50
    echo(app, lambda r: len(r.form["text"]))
    response = app.test_client().post(
        "/echo", data={"text": "x" * 100, "f": (io.BytesIO(b"1"), "a.txt")}
    )
    assert response.status_code == 413


def test_max_form_parts_refuses_too_many_parts(app: App) -> None:
    app.config["MAX_FORM_PARTS"] = 3
    echo(app, lambda r: len(r.form))
    fields: dict[str, Any] = {f"field{i}": "v" for i in range(5)}
    fields["f"] = (io.BytesIO(b"1"), "a.txt")
    assert app.test_client().post("/echo", data=fields).status_code == 413


def test_default_limits_match_flask(app: App) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] is None
    assert app.config["MAX_FORM_MEMORY_SIZE"] == 500_000
    assert app.config["MAX_FORM_PARTS"] == 1_000


# -- trusted hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "base_url", "status"),
    [
        (["example.com"], "http://example.com", 200),
        (["example.com"], "http://evil.com", 400),
        (["example.com"], "http://sub.example.com", 400),
        ([".example.com"], "http://sub.example.com", 200),
        ([".example.com"], "http://example.com", 200),
        (["example.com"], "http://example.com:8080", 200),
        (None, "http://anything.test", 200),
    ],
)
def test_trusted_hosts(app: App, trusted: list[str] | None, base_url: str, status: int) -> None:
    app.config["TRUSTED_HOSTS"] = trusted
    echo(app, lambda r: r.host)
    response = app.test_client().get("/echo", base_url=base_url)
    assert response.status_code == status
