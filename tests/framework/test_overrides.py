"""Differential: a subclass written for Flask overrides the framework's App the same way.

The same subclass body is applied to ``flask.Flask`` and to ``framework.App``: each of
Flask's overridable methods notes its call (name, arguments) and calls the original; a
few also change what they return. The same app is built on both, and for every request
the two must answer alike *and* call the same overrides, in the same order, with the
same arguments, positional and keyword alike.
"""

from __future__ import annotations

import sys
import traceback
from types import TracebackType
from typing import Any

import flask
import pytest
from werkzeug.wrappers import Request as BaseRequest
from werkzeug.wrappers import Response as BaseResponse

import framework

OVERRIDES = (
    "wsgi_app",
    "request_context",
    "app_context",
    "create_url_adapter",
    "full_dispatch_request",
    "preprocess_request",
    "dispatch_request",
    "raise_routing_exception",
    "make_default_options_response",
    "ensure_sync",
    "finalize_request",
    "make_response",
    "process_response",
    "handle_user_exception",
    "handle_http_exception",
    "trap_http_exception",
    "handle_exception",
    "log_exception",
    "should_ignore_error",
    "do_teardown_request",
    "do_teardown_appcontext",
    "url_for",
    "inject_url_defaults",
    "handle_url_build_error",
    "update_template_context",
)


def shape(value: Any) -> Any:
    """What a call's argument is, comparable between the two packages."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, BaseException):
        return type(value).__name__
    if isinstance(value, TracebackType):
        return "traceback"
    if isinstance(value, BaseResponse):
        return ("response", value.status_code)
    if isinstance(value, BaseRequest):
        return ("request", value.method, value.path)
    if isinstance(value, dict):
        if "wsgi.version" in value:
            return "environ"
        return ("dict", tuple(sorted((str(k), shape(v)) for k, v in value.items())))
    if isinstance(value, tuple | list):
        return tuple(shape(item) for item in value)
    if isinstance(value, type):
        return ("class", value.__name__)
    if callable(value):
        return ("callable", getattr(value, "__name__", type(value).__name__))
    return type(value).__name__


def noting(name: str) -> Any:
    def override(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.calls.append((name, shape(args), shape(kwargs)))
        return getattr(super(type(self), self), name)(*args, **kwargs)

    override.__name__ = name
    return override


def subclass_of(base: type) -> type:
    """The same subclass body on either base: every override notes its call; some change
    what they return."""

    def make_response(self: Any, rv: Any) -> Any:
        self.calls.append(("make_response", shape((rv,)), shape({})))
        response = super(type(self), self).make_response(rv)
        response.headers["X-Made-By"] = "override"
        return response

    def preprocess_request(self: Any) -> Any:
        self.calls.append(("preprocess_request", (), shape({})))
        if flask_or_framework(self).request.path == "/blocked":
            return "blocked by preprocess_request"
        return super(type(self), self).preprocess_request()

    def dispatch_request(self: Any) -> Any:
        self.calls.append(("dispatch_request", (), shape({})))
        if flask_or_framework(self).request.path == "/replaced":
            return "replaced by dispatch_request", 202
        return super(type(self), self).dispatch_request()

    def handle_user_exception(self: Any, e: Exception) -> Any:
        self.calls.append(("handle_user_exception", shape((e,)), shape({})))
        if isinstance(e, KeyError):
            return f"handled {e!r} in the override", 409
        return super(type(self), self).handle_user_exception(e)

    def log_exception(self: Any, exc_info: Any) -> None:
        self.calls.append(("log_exception", shape((exc_info,)), shape({})))

    namespace: dict[str, Any] = {name: noting(name) for name in OVERRIDES}
    namespace.update(
        make_response=make_response,
        preprocess_request=preprocess_request,
        dispatch_request=dispatch_request,
        handle_user_exception=handle_user_exception,
        log_exception=log_exception,
    )
    return type(f"Noting{base.__name__}", (base,), namespace)


def flask_or_framework(app: Any) -> Any:
    return flask if isinstance(app, flask.Flask) else framework


def build(package: Any, base: type) -> Any:
    app = subclass_of(base)("overrides_app", root_path=sys.path[0])
    app.calls = []
    app.config.update(SECRET_KEY="secret")
    app.logger.disabled = True

    @app.before_request
    def stop_early() -> Any:
        return "stopped by a before_request" if package.request.path == "/stopped" else None

    @app.after_request
    def stamp(response: Any) -> Any:
        response.headers["X-Hook"] = package.request.endpoint or "-"
        return response

    @app.teardown_request
    def close_request(error: BaseException | None) -> None:
        pass

    @app.teardown_appcontext
    def close_app(error: BaseException | None) -> None:
        pass

    @app.errorhandler(403)
    def forbidden(error: Exception) -> Any:
        return "forbidden, said the handler", 403

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/tuple")
    def with_status_and_headers() -> Any:
        return "made", 201, {"X-Extra": "1"}

    @app.route("/json")
    def data() -> Any:
        return {"answer": 42}

    @app.route("/links/<int:page>")
    def links(page: int) -> str:
        return package.url_for("links", page=page + 1, _anchor="top")

    @app.route("/template")
    def template() -> str:
        return package.render_template_string("{{ greeting }} at {{ request.path }}", greeting="hi")

    @app.route("/forbidden")
    def forbid() -> Any:
        package.abort(403)

    @app.route("/missing-key")
    def missing_key() -> Any:
        return {}["nothing"]

    @app.route("/broken")
    def broken() -> Any:
        return 1 / 0

    @app.route("/folder/")
    def folder() -> str:
        return "folder"

    @app.route("/blocked")
    @app.route("/stopped")
    @app.route("/replaced")
    def never_reached() -> str:
        return "the view"

    @app.route("/after-this")
    def after_this() -> str:
        @package.after_this_request
        def stamp_once(response: Any) -> Any:
            response.headers["X-Extra"] = "once"
            return response

        return "after this"

    app.url_build_error_handlers.append(lambda error, endpoint, values: "/fallback")

    @app.route("/unknown-url")
    def unknown_url() -> str:
        return package.url_for("nowhere")

    shop = package.Blueprint("shop", __name__, url_prefix="/shop/<lang>")

    @shop.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        package.g.lang = (values or {}).pop("lang", None)

    @shop.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", package.g.lang)

    @shop.before_request
    def shop_open() -> None:
        return None

    @shop.errorhandler(LookupError)
    def shop_lookup(error: Exception) -> Any:
        return "not in this shop", 404

    @shop.route("/item")
    def item() -> str:
        link = package.url_for(".item")
        return package.render_template_string("{{ g.lang }} {{ link }}", link=link)

    @shop.route("/lost")
    def lost() -> Any:
        raise LookupError("lost")

    app.register_blueprint(shop)
    return app


REQUESTS = [
    ("GET", "/"),
    ("GET", "/tuple"),
    ("GET", "/json"),
    ("GET", "/links/1"),
    ("GET", "/template"),
    ("GET", "/forbidden"),
    ("GET", "/missing-key"),
    ("GET", "/broken"),
    ("GET", "/blocked"),
    ("GET", "/stopped"),
    ("GET", "/replaced"),
    ("GET", "/folder"),
    ("GET", "/no/such/page"),
    ("GET", "/after-this"),
    ("GET", "/unknown-url"),
    ("GET", "/shop/en/item"),
    ("GET", "/shop/fr/lost"),
    ("POST", "/"),
    ("OPTIONS", "/"),
    ("HEAD", "/json"),
]


def answer_and_calls(package: Any, base: type, method: str, path: str) -> tuple[Any, Any]:
    app = build(package, base)
    response = app.test_client().open(path, method=method)
    answer = {
        "status": response.status_code,
        "body": response.get_data(),
        "headers": {
            name: response.headers.get(name)
            for name in ("Content-Type", "Location", "Allow", "X-Hook", "X-Made-By", "X-Extra")
        },
    }
    response.close()
    # Flask makes the app context's URL adapter for building URLs outside a request when
    # the context is created; the framework makes it when it is first needed (a request
    # that builds no such URL never pays for it). Same adapter, asked for at another time.
    calls = [call for call in app.calls if call[:2] != ("create_url_adapter", (None,))]
    return answer, calls


@pytest.mark.parametrize(("method", "path"), REQUESTS, ids=[f"{m} {p}" for m, p in REQUESTS])
def test_the_same_overrides_are_called_in_the_same_order(method: str, path: str) -> None:
    flask_answer, flask_calls = answer_and_calls(flask, flask.Flask, method, path)
    answer, calls = answer_and_calls(framework, framework.App, method, path)

    assert answer == flask_answer
    assert calls == flask_calls


def test_every_request_calls_every_pipeline_override() -> None:
    """A view returning a plain str still goes through make_response, and an app with no
    url_value_preprocessors or before_request functions through preprocess_request."""
    app = subclass_of(framework.App)("plain_app", root_path=sys.path[0])
    app.calls = []
    app.add_url_rule("/", "index", lambda: "text")

    for _ in range(2):
        assert app.test_client().get("/").headers["X-Made-By"] == "override"

    names = [name for name, _, _ in app.calls]
    for name in ("full_dispatch_request", "preprocess_request", "dispatch_request"):
        assert names.count(name) == 2, name
    for name in ("make_response", "process_response", "do_teardown_request"):
        assert names.count(name) == 2, name


def test_building_a_url_outside_a_request_asks_create_url_adapter_with_none() -> None:
    for package, base in ((flask, flask.Flask), (framework, framework.App)):
        app = subclass_of(base)("outside_app", root_path=sys.path[0])
        app.calls = []
        app.config["SERVER_NAME"] = "example.org"
        app.add_url_rule("/", "index", lambda: "home")

        with app.app_context():
            assert package.url_for("index") == "http://example.org/"

        assert ("create_url_adapter", (None,), shape({})) in app.calls, base


def test_an_override_that_raises_is_answered_like_any_error() -> None:
    class Broken(framework.App):
        def process_response(self, response: Any) -> Any:
            raise RuntimeError("the override failed")

    app = Broken("broken_override", root_path=sys.path[0])
    app.add_url_rule("/", "index", lambda: "home")
    errors: list[str] = []
    app.logger.disabled = True
    app.log_exception = lambda exc_info: errors.append(  # type: ignore[method-assign]
        "".join(traceback.format_exception(*exc_info))
    )

    response = app.test_client().get("/")

    assert response.status_code == 500
    assert "RuntimeError: the override failed" in errors[0]
