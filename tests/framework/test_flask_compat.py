"""Differential tests: one small app built on Flask 3.1 and on the framework answers alike.

The same factory builds both apps from the two packages' public names; every request is
sent to both and the status, the headers that matter and the body must be equal. Session
cookies are checked across the two: written by one, read by the other, with the same key.
"""

from __future__ import annotations

import datetime
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.routing import BaseConverter, ValidationError
from werkzeug.test import TestResponse

import framework

SECRET = "shared secret key"
COMPARED_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Location",
    "Allow",
    "Vary",
    "Cache-Control",
    "Content-Disposition",
    "X-Hook",
)


class Teapot(Exception):
    """Raised by a view; the app's error handler turns it into a 418."""


class EvenConverter(BaseConverter):
    regex = r"\d+"

    def to_python(self, value: str) -> int:
        if int(value) % 2:
            raise ValidationError()
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def api_of(package: Any, app_class: type) -> SimpleNamespace:
    names = (
        "abort",
        "flash",
        "g",
        "get_flashed_messages",
        "jsonify",
        "make_response",
        "redirect",
        "render_template_string",
        "request",
        "session",
        "url_for",
        "Response",
    )
    return SimpleNamespace(App=app_class, **{name: getattr(package, name) for name in names})


MODES: dict[str, dict[str, Any]] = {
    "production": {},
    "debug": {"DEBUG": True},
    "testing": {"TESTING": True},
}


def build_app(api: SimpleNamespace, root: Path, mode: str = "production") -> Any:
    """The same app for either package: routes, converters, hooks, errors, sessions."""
    app = api.App("compat_app", root_path=str(root))
    app.config.update(SECRET_KEY=SECRET, MAX_CONTENT_LENGTH=2_000, **MODES[mode])
    app.logger.disabled = True
    app.url_map.converters["even"] = EvenConverter
    request, session = api.request, api.session

    @app.before_request
    def block_admin() -> Any:
        if request.path.startswith("/admin"):
            return "blocked", 403
        return None

    @app.after_request
    def mark(response: Any) -> Any:
        response.headers["X-Hook"] = f"after {request.endpoint}"
        return response

    @app.errorhandler(Teapot)
    def teapot(error: Teapot) -> Any:
        return {"error": str(error)}, 418

    @app.errorhandler(404)
    def not_found(error: Exception) -> Any:
        return api.render_template_string("missing: {{ request.path }}"), 404

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/index/")
    def slashed() -> str:
        return "slashed"

    @app.route("/items", methods=["GET", "POST"])
    def items() -> Any:
        if request.method == "POST":
            return {"created": request.form.to_dict()}, 201
        return [1, 2, 3]

    @app.route("/user/<int:user_id>")
    def user(user_id: int) -> str:
        return f"user {user_id} {api.url_for('user', user_id=user_id + 1, tab='x')}"

    @app.route("/files/<path:name>")
    def files(name: str) -> str:
        return f"file {name}"

    @app.route("/price/<float:amount>")
    def price(amount: float) -> str:
        return f"price {amount}"

    @app.route("/item/<uuid:item_id>")
    def item(item_id: uuid.UUID) -> str:
        return f"item {item_id.hex}"

    @app.route("/pair/<even:number>")
    def pair(number: int) -> str:
        return f"pair {number}"

    @app.route("/page/", defaults={"page": 1})
    @app.route("/page/<int:page>")
    def page(page: int) -> str:
        return f"page {page}"

    @app.route("/old/<int:nid>", redirect_to="/new/<nid>")
    def old(nid: int) -> str:
        return "never"

    @app.route("/go")
    def go() -> Any:
        return api.redirect(api.url_for("index", q="a b"))

    @app.route("/abort/<int:code>")
    def do_abort(code: int) -> Any:
        api.abort(code)

    @app.route("/abort-response")
    def abort_response() -> Any:
        api.abort(api.make_response("custom", 402))

    @app.route("/teapot")
    def raise_teapot() -> Any:
        raise Teapot("short and stout")

    @app.route("/crash")
    def crash() -> Any:
        raise ValueError("boom")

    @app.route("/none")
    def returns_none() -> None:
        return None

    @app.route("/json", methods=["POST"])
    def echo_json() -> Any:
        return api.jsonify(got=request.get_json())

    @app.route("/upload", methods=["POST"])
    def upload() -> Any:
        stored = request.files["doc"]
        return {"name": stored.filename, "size": len(stored.read())}

    @app.route("/stream")
    def stream() -> Any:
        def generate() -> Iterator[str]:
            yield "a"
            yield "b"

        return generate()

    @app.route("/tuple-headers")
    def tuple_headers() -> Any:
        return "t", 202, {"Content-Type": "text/plain", "X-Hook": "view"}

    @app.route("/session/set/<value>")
    def session_set(value: str) -> str:
        session["value"] = value
        api.flash(f"stored {value}")
        return "set"

    @app.route("/session/get")
    def session_get() -> str:
        return f"{session.get('value')} {api.get_flashed_messages()}"

    @app.route("/session/clear")
    def session_clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/session/permanent")
    def session_permanent() -> str:
        session.permanent = True
        session["p"] = 1
        return "permanent"

    @app.route("/template")
    def template() -> str:
        return api.render_template_string("{{ v }} {{ v|safe }}", v="<b>")

    return app


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compat")
    (path / "static").mkdir()
    (path / "static" / "site.css").write_text("body {}")
    (path / "secret.txt").write_text("top secret")
    return path


@pytest.fixture(scope="module", params=list(MODES))
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def flask_app(root: Path, mode: str) -> Any:
    return build_app(api_of(flask, flask.Flask), root, mode)


@pytest.fixture(scope="module")
def framework_app(root: Path, mode: str) -> Any:
    return build_app(api_of(framework, framework.App), root, mode)


def summary(response: TestResponse) -> dict[str, Any]:
    """What must match: status, the compared headers, cookie names and flags, and the body.

    (A cookie's Expires date is compared by presence only: the two apps answer a moment
    apart, and a second may tick between them.)
    """
    cookies = [
        sorted(_cookie_flag(part) for part in header.split(";")[1:]) + [header.split("=")[0]]
        for header in response.headers.getlist("Set-Cookie")
    ]
    return {
        "status": response.status,
        "headers": {name: response.headers.get(name) for name in COMPARED_HEADERS},
        "cookies": cookies,
        "body": response.get_data(),
    }


def _cookie_flag(part: str) -> str:
    flag = part.strip()
    return "Expires" if flag.startswith("Expires=") else flag


def both(flask_app: Any, framework_app: Any, method: str, path: str, **kwargs: Any) -> Any:
    return (
        answer(flask_app, method, path, with_fresh_files(kwargs)),
        answer(framework_app, method, path, with_fresh_files(kwargs)),
    )


def with_fresh_files(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn ``(bytes, filename)`` form values into new file objects for one request."""
    data = kwargs.get("data")
    if not isinstance(data, dict):
        return kwargs
    files = {
        name: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
        for name, value in data.items()
    }
    return {**kwargs, "data": files}


def answer(app: Any, method: str, path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The response summary, or the exception the test client let through (debug, testing)."""
    try:
        response = app.test_client().open(path, method=method, **kwargs)
    except Exception as error:  # noqa: BLE001 - the raised error is what gets compared
        return {"raised": f"{type(error).__name__}: {error}"}
    try:
        return summary(response)
    finally:
        response.close()


REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/", {}),
    ("HEAD", "/", {}),
    ("OPTIONS", "/", {}),
    ("POST", "/", {}),
    ("DELETE", "/items", {}),
    ("OPTIONS", "/items", {}),
    ("GET", "/nowhere", {}),
    ("GET", "/index", {}),
    ("GET", "/index?x=1", {}),
    ("GET", "/index/", {}),
    ("GET", "/items", {}),
    ("POST", "/items", {"data": {"a": "1"}}),
    ("GET", "/user/7", {}),
    ("GET", "/user/x", {}),
    ("GET", "/user/-1", {}),
    ("GET", "/user/007", {}),
    ("GET", "/files/a/b.txt", {}),
    ("GET", "/price/2.50", {}),
    ("GET", "/price/2", {}),
    ("GET", "/item/6ba7b810-9dad-11d1-80b4-00c04fd430c8", {}),
    ("GET", "/item/6BA7B810-9DAD-11D1-80B4-00C04FD430C8", {}),
    ("GET", "/item/nope", {}),
    ("GET", "/pair/4", {}),
    ("GET", "/pair/5", {}),
    ("GET", "/page/", {}),
    ("GET", "/page/1", {}),
    ("GET", "/page/3", {}),
    ("GET", "/old/5", {}),
    ("GET", "/go", {}),
    ("GET", "//", {}),
    ("GET", "/user//7", {}),
    ("GET", "/admin/panel", {}),
    ("GET", "/abort/400", {}),
    ("GET", "/abort/401", {}),
    ("GET", "/abort/404", {}),
    ("GET", "/abort/405", {}),
    ("GET", "/abort/500", {}),
    ("GET", "/abort-response", {}),
    ("GET", "/teapot", {}),
    ("GET", "/crash", {}),
    ("GET", "/none", {}),
    ("POST", "/json", {"json": {"k": [1, None]}}),
    ("POST", "/json", {"data": b"{}", "content_type": "text/plain"}),
    ("POST", "/json", {"data": b"x" * 3_000, "content_type": "application/json"}),
    ("POST", "/upload", {"data": {"doc": (b"12345", "a.txt")}}),
    ("POST", "/upload", {"data": {"other": "x"}}),
    ("GET", "/stream", {}),
    ("GET", "/tuple-headers", {}),
    ("GET", "/template", {}),
    ("GET", "/static/site.css", {}),
    ("HEAD", "/static/site.css", {}),
    ("GET", "/static/../secret.txt", {}),
    ("GET", "/static/%2e%2e/secret.txt", {}),
    ("GET", "/static/missing.css", {}),
    ("GET", "/session/set/abc", {}),
    ("GET", "/session/get", {}),
    ("GET", "/session/clear", {}),
    ("GET", "/session/permanent", {}),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"), REQUESTS, ids=[f"{m} {p}" for m, p, _ in REQUESTS]
)
def test_same_answer(
    flask_app: Any, framework_app: Any, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    expected, actual = both(flask_app, framework_app, method, path, **kwargs)
    assert actual == expected


def test_static_conditional_request_gives_the_same_304(flask_app: Any, framework_app: Any) -> None:
    first = framework_app.test_client().get("/static/site.css")
    etag = first.headers["ETag"]
    first.close()
    expected, actual = both(
        flask_app, framework_app, "GET", "/static/site.css", headers={"If-None-Match": etag}
    )
    assert actual["status"] == "304 NOT MODIFIED"
    assert actual == expected


def test_head_and_options_agree_with_trailing_slash_redirects(
    flask_app: Any, framework_app: Any
) -> None:
    for method in ("HEAD", "OPTIONS", "POST"):
        expected, actual = both(flask_app, framework_app, method, "/index")
        assert actual == expected, method


def test_session_with_several_keys_gives_the_same_payload(
    flask_app: Any, framework_app: Any
) -> None:
    payloads = []
    for app in (flask_app, framework_app):
        client = app.test_client()
        client.get("/session/set/two")
        cookie = client.get_cookie("session")
        assert cookie is not None
        payloads.append(cookie.value.rsplit(".", 2)[0])
    assert payloads[1] == payloads[0]


def test_malformed_json_is_400_on_both_and_only_debug_mode_shows_the_decoders_reason(
    flask_app: Any, framework_app: Any, mode: str
) -> None:
    expected, actual = both(
        flask_app, framework_app, "POST", "/json", data=b"{bad", content_type="application/json"
    )
    assert actual["status"] == expected["status"] == "400 BAD REQUEST"
    reason = b"Failed to decode JSON object: Expecting property name"
    assert (reason in actual["body"]) is (reason in expected["body"]) is (mode == "debug")


def test_same_session_flow(flask_app: Any, framework_app: Any) -> None:
    """A whole visit with cookies carried by each client: set, read (flash consumed), clear."""
    transcripts = []
    for app in (flask_app, framework_app):
        client = app.test_client()
        steps = []
        for path in (
            "/session/set/one",
            "/session/get",
            "/session/get",
            "/session/clear",
            "/session/get",
        ):
            response = client.get(path)
            steps.append((response.status_code, response.text, response.headers.get("Vary")))
        transcripts.append(steps)
    assert transcripts[1] == transcripts[0]
    assert transcripts[0][1][1] == "one ['stored one']"


# -- session cookies across the two ------------------------------------------------------------


TAGGED_VALUES: list[Any] = [
    "text",
    ["list", 1, 2.5, True, None],
    (1, "two", (3,)),
    b"\x00\xffbytes",
    Markup("<b>safe</b>"),
    uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
    datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    {"nested": {" t": ["looks", "like", "a tuple tag"], " di": {"x": 1}}},
    {" t": "a tag-like key alone"},
    {"mixed": [(1, 2), b"b", {"u": uuid.UUID(int=5)}]},
    "中文 and émoji ✓",
]


def write_session(app: Any, value: Any) -> str:
    """A session cookie set by a real request to ``app`` holding ``value``."""
    endpoint = f"/_write_{id(value)}"
    if endpoint not in {rule.rule for rule in app.url_map.iter_rules()}:
        app.add_url_rule(
            endpoint, endpoint, lambda: app_session(app).__setitem__("value", value) or "ok"
        )
    client = app.test_client()
    client.get(endpoint)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def app_session(app: Any) -> Any:
    return flask.session if isinstance(app, flask.Flask) else framework.session


def read_session(app: Any, cookie_value: str) -> Any:
    """The ``value`` key of the session ``app`` opens from ``cookie_value``."""
    client = app.test_client()
    client.set_cookie("session", cookie_value)
    with client.session_transaction() as sess:
        return dict(sess)


@pytest.fixture
def fresh_apps(tmp_path: Path) -> tuple[Any, Any]:
    return (
        build_app(api_of(flask, flask.Flask), tmp_path),
        build_app(api_of(framework, framework.App), tmp_path),
    )


@pytest.mark.parametrize("value", TAGGED_VALUES, ids=repr)
def test_framework_cookie_is_read_by_flask(fresh_apps: tuple[Any, Any], value: Any) -> None:
    flask_app, framework_app = fresh_apps
    cookie = write_session(framework_app, value)
    assert read_session(flask_app, cookie) == {"value": value}


@pytest.mark.parametrize("value", TAGGED_VALUES, ids=repr)
def test_flask_cookie_is_read_by_the_framework(fresh_apps: tuple[Any, Any], value: Any) -> None:
    flask_app, framework_app = fresh_apps
    cookie = write_session(flask_app, value)
    assert read_session(framework_app, cookie) == {"value": value}


PAYLOAD_VALUES = [*TAGGED_VALUES, {"b": 1, "a": 2}]


@pytest.mark.parametrize("value", PAYLOAD_VALUES, ids=repr)
def test_cookie_payloads_are_identical(fresh_apps: tuple[Any, Any], value: Any) -> None:
    """Same serialization byte for byte; only the timestamp and signature may differ."""
    flask_app, framework_app = fresh_apps
    flask_payload = write_session(flask_app, value).rsplit(".", 2)[0]
    framework_payload = write_session(framework_app, value).rsplit(".", 2)[0]
    assert framework_payload == flask_payload


def test_large_session_is_compressed_the_same_way(fresh_apps: tuple[Any, Any]) -> None:
    flask_app, framework_app = fresh_apps
    value = "repeat " * 200
    framework_cookie = write_session(framework_app, value)
    assert framework_cookie.startswith(".")
    assert read_session(flask_app, framework_cookie) == {"value": value}
    assert framework_cookie.rsplit(".", 2)[0] == write_session(flask_app, value).rsplit(".", 2)[0]


def test_permanent_session_flag_crosses_over(fresh_apps: tuple[Any, Any]) -> None:
    flask_app, framework_app = fresh_apps
    client = framework_app.test_client()
    client.get("/session/permanent")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is not None
    assert read_session(flask_app, cookie.value) == {"_permanent": True, "p": 1}


def test_flash_written_by_flask_is_consumed_by_the_framework(fresh_apps: tuple[Any, Any]) -> None:
    flask_app, framework_app = fresh_apps
    writer = flask_app.test_client()
    writer.get("/session/set/x")
    cookie = writer.get_cookie("session")
    assert cookie is not None
    reader = framework_app.test_client()
    reader.set_cookie("session", cookie.value)
    assert reader.get("/session/get").text == "x ['stored x']"
    assert reader.get("/session/get").text == "x []"


@pytest.mark.parametrize("writer_is_flask", [True, False], ids=["flask-writes", "framework-writes"])
def test_cookie_with_another_key_is_ignored(
    fresh_apps: tuple[Any, Any], writer_is_flask: bool
) -> None:
    flask_app, framework_app = fresh_apps
    writer, reader = (flask_app, framework_app) if writer_is_flask else (framework_app, flask_app)
    writer.secret_key = "some other key"
    cookie = write_session(writer, "hidden")
    assert read_session(reader, cookie) == {}


@pytest.mark.parametrize("writer_is_flask", [True, False], ids=["flask-writes", "framework-writes"])
def test_secret_key_fallbacks_read_the_other_side_old_cookie(
    fresh_apps: tuple[Any, Any], writer_is_flask: bool
) -> None:
    flask_app, framework_app = fresh_apps
    writer, reader = (flask_app, framework_app) if writer_is_flask else (framework_app, flask_app)
    writer.secret_key = "old key"
    cookie = write_session(writer, "rotated")
    reader.secret_key = "new key"
    reader.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    assert read_session(reader, cookie) == {"value": "rotated"}


@pytest.mark.parametrize(
    "cookie_value", ["garbage", "", "e30.AAAA.BBBB", "a" * 300, ".eJzLSM3JyQcABiwCFQ.x.y"]
)
def test_bad_cookies_give_an_empty_session_on_both(
    fresh_apps: tuple[Any, Any], cookie_value: str
) -> None:
    flask_app, framework_app = fresh_apps
    assert read_session(framework_app, cookie_value) == read_session(flask_app, cookie_value) == {}


# -- Vary: Cookie whenever the session is looked at --------------------------------------------


SESSION_LOOKS: dict[str, Any] = {
    "get": lambda s: s.get("k"),
    "setdefault": lambda s: s.setdefault("k", 1),
    "permanent": lambda s: s.permanent,
    "contains": lambda s: "k" in s,
    "len": len,
    "iterate": list,
    "bool": bool,
    "keys": lambda s: list(s.keys()),
    "items": lambda s: list(s.items()),
    "dict-copy": dict,
    "repr": repr,
    "equals": lambda s: s == {},
    "pop-missing-key": lambda s: s.pop("k", None),
    "modified-flag": lambda s: s.modified,
}


@pytest.mark.parametrize("look", SESSION_LOOKS)
def test_looking_at_the_session_adds_vary_cookie(fresh_apps: tuple[Any, Any], look: str) -> None:
    answers = []
    for app in fresh_apps:
        session = app_session(app)
        app.add_url_rule(
            "/look", "look", lambda session=session: repr(SESSION_LOOKS[look](session))
        )
        response = app.test_client().get("/look")
        answers.append((response.status_code, response.headers.get("Vary")))
    assert answers[1] == answers[0] == (200, "Cookie")


# -- any path at all --------------------------------------------------------------------------

PATH_PIECES = st.sampled_from(
    [
        "",
        "/",
        "//",
        ".",
        "..",
        "%2e",
        "%2F",
        "%00",
        "index",
        "user",
        "7",
        "-1",
        "007",
        "x",
        "files",
        "price",
        "2.5",
        "page",
        "pair",
        "4",
        "static",
        "site.css",
        "old",
        "admin",
        "é",
        "%C3%A9",
        "%ff",
        "?q=1",
        "#frag",
        ";p",
        "+",
        "%20",
        "items",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(pieces=st.lists(PATH_PIECES, max_size=6), method=st.sampled_from(["GET", "POST", "HEAD"]))
def test_any_path_gets_the_same_answer(
    flask_app: Any, framework_app: Any, pieces: list[str], method: str
) -> None:
    path = "/" + "/".join(pieces)
    expected, actual = both(flask_app, framework_app, method, path)
    assert actual == expected
