"""A genuine Flask app, instrumented in place: its requests traced step by step, in
Flask's order, while Flask's own code dispatches them (through Flask's test client)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    after_this_request,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template_string,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface

from console.instrument.flask_app import instrument_flask
from framework.tracing import TraceRecord

Trace = dict[str, Any]


def make_app() -> Flask:
    """A small Flask app with a hook of every kind, in an app and two blueprints."""
    app = Flask(__name__)
    app.secret_key = "test"
    shop = Blueprint("shop", __name__, url_prefix="/<lang>/shop")
    admin = Blueprint("admin", __name__, url_prefix="/admin")

    @shop.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.lang = (values or {}).pop("lang", None)

    @shop.url_defaults
    def add_lang(endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", g.lang)

    @admin.before_app_request
    def load_user() -> None:
        g.user = session.get("user")

    @app.before_request
    def count() -> None:
        g.counted = True

    @admin.before_request
    def require_login() -> Any:
        if g.user is None:
            flash("log in first", "warning")
            return redirect(url_for("login"))
        return None

    @shop.route("/")
    def catalogue() -> str:
        return render_template_string("{{ g.lang }}: {{ items|join(',') }}", items=["a", "b"])

    @admin.route("/")
    def dashboard() -> str:
        return render_template_string(
            "{{ g.user }}{% for m in get_flashed_messages() %}|{{ m }}{% endfor %}"
        )

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            if request.form.get("password") == "secret":
                session["user"] = request.form["user"]
                flash("welcome")
                return redirect(url_for("admin.dashboard"))
            flash("wrong password", "error")
        return "|".join(get_flashed_messages())

    @app.route("/late")
    def late() -> str:
        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-Late"] = "yes"
            return response

        return "late"

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("boom")

    @admin.route("/teapot")
    def teapot() -> str:
        abort(418)

    @app.route("/stream")
    def stream() -> Response:
        return Response(stream_with_context(iter([b"one ", b"two"])))

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "nothing here", 404

    @admin.errorhandler(418)
    def admin_teapot(error: Exception) -> tuple[str, int]:
        return "admin teapot", 418

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return "server error", 500

    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-Stamp"] = "1"
        return response

    @admin.after_request
    def admin_stamp(response: Response) -> Response:
        return response

    @app.teardown_request
    def close_request(error: BaseException | None) -> None:
        pass

    @app.teardown_appcontext
    def close_app(error: BaseException | None) -> None:
        pass

    app.register_blueprint(shop)
    app.register_blueprint(admin)
    return app


def traced(app: Flask) -> list[Trace]:
    traces: list[Trace] = []
    instrument_flask(app).add(traces.append)
    return traces


def steps(trace: Trace) -> list[str]:
    """Each step as ``kind name [marks]``, the function's own name without its qualifier."""
    lines = []
    for step in trace["steps"]:
        line = f"{step['kind']} {step['name'].rpartition('.')[2]}"
        for mark in ("short_circuit", "skipped"):
            if step[mark]:
                line += f" [{mark}]"
        if step["raised"]:
            line += f" [raised {step['raised']['type']}]"
        lines.append(line)
    return lines


@pytest.fixture
def app() -> Flask:
    return make_app()


def test_hooks_run_as_steps_in_flasks_order(app: Flask) -> None:
    traces = traced(app)
    client = app.test_client()
    with client.session_transaction() as stored:
        stored["user"] = "ada"

    assert client.get("/admin/").text == "ada"
    assert steps(traces[-1]) == [
        "before_request count",
        "before_request load_user",
        "before_request require_login",
        "view dashboard",
        "after_request admin_stamp",
        "after_request stamp",
        "teardown_request close_request",
        "teardown_appcontext close_app",
    ]
    blueprints = [step["blueprint"] for step in traces[-1]["steps"]]
    assert blueprints == [None, None, "admin", None, "admin", None, None, None]
    view = traces[-1]["steps"][3]
    assert view["file"] == __file__ and view["returned"] == "'ada'"
    source_lines = Path(__file__).read_text().splitlines()
    assert source_lines[view["line"] - 1].strip() == '@admin.route("/")'
    assert traces[-1]["routing"]["endpoint"] == "admin.dashboard"


def test_a_short_circuit_marks_the_skipped_hooks_and_view(app: Flask) -> None:
    traces = traced(app)

    response = app.test_client().get("/admin/")

    assert response.status_code == 302
    assert steps(traces[-1]) == [
        "before_request count",
        "before_request load_user",
        "before_request require_login [short_circuit]",
        "view dashboard [skipped]",
        "after_request admin_stamp",
        "after_request stamp",
        "teardown_request close_request",
        "teardown_appcontext close_app",
    ]
    assert traces[-1]["steps"][2]["returned"] == "<Response [302 FOUND]>"


def test_url_value_preprocessors_run_first_with_the_values(app: Flask) -> None:
    traces = traced(app)

    assert app.test_client().get("/fr/shop/").text == "fr: a,b"
    assert steps(traces[-1])[:4] == [
        "url_value_preprocessor pull_lang",
        "before_request count",
        "before_request load_user",
        "view catalogue",
    ]
    assert traces[-1]["routing"]["view_args"] == {"lang": "fr"}
    assert [template["name"] for template in traces[-1]["templates"]] == ["<string>"]


def test_after_this_request_is_an_after_request_step(app: Flask) -> None:
    traces = traced(app)

    assert app.test_client().get("/late").headers["X-Late"] == "yes"
    assert steps(traces[-1])[2:5] == [
        "view late",
        "after_request add_header",
        "after_request stamp",
    ]


def test_error_handlers_are_steps_of_the_app_or_blueprint_that_registered_them(
    app: Flask,
) -> None:
    traces = traced(app)
    client = app.test_client()

    assert client.get("/nowhere").status_code == 404
    assert "errorhandler not_found" in steps(traces[-1])
    assert traces[-1]["routing"]["outcome"] == "not_found"

    assert client.get("/boom").text == "server error"
    assert steps(traces[-1])[2:4] == ["view boom [raised ValueError]", "errorhandler server_error"]
    assert traces[-1]["exception"]["type"] == "ValueError"
    assert "raise ValueError" in traces[-1]["exception"]["traceback"]

    with client.session_transaction() as stored:
        stored["user"] = "ada"
    assert client.get("/admin/teapot").text == "admin teapot"
    handler = traces[-1]["steps"][4]
    assert (handler["kind"], handler["name"].rpartition(".")[2]) == ("errorhandler", "admin_teapot")
    assert handler["blueprint"] == "admin"


def test_the_session_before_and_after_and_flashes_across_a_redirect(app: Flask) -> None:
    traces = traced(app)
    client = app.test_client()

    client.post("/login", data={"user": "ada", "password": "secret"})
    login = traces[-1]
    assert login["session"]["before"] == {}
    assert login["session"]["after"] == {"user": "ada", "_flashes": [["message", "welcome"]]}
    assert login["session"]["modified"] and login["session"]["cookie"] == "set"
    assert login["flashes"]["added"] == [["message", "welcome"]]

    assert client.get("/admin/").text == "ada|welcome"
    dashboard = traces[-1]
    assert dashboard["flashes"]["before"] == [["message", "welcome"]]
    assert dashboard["flashes"]["consumed"] == [["message", "welcome"]]
    assert dashboard["flashes"]["after"] == [] and dashboard["flashes"]["added"] == []


def test_a_message_flashed_and_shown_in_one_request_is_queued_and_consumed(app: Flask) -> None:
    traces = traced(app)

    assert app.test_client().post("/login", data={"password": "oops"}).text == "wrong password"
    flashes = traces[-1]["flashes"]
    assert flashes["added"] == [["error", "wrong password"]]
    assert flashes["consumed"] == [["error", "wrong password"]]
    assert flashes["after"] == []


def test_a_request_that_never_uses_its_session_records_none(app: Flask) -> None:
    app.before_request_funcs[None].clear()  # no load_user: nothing reads the session
    traces = traced(app)

    response = app.test_client().get("/late")

    assert "Vary" not in response.headers
    assert traces[-1]["session"]["opened"] is False
    assert traces[-1]["session"]["before"] is None


def test_a_custom_session_interface_is_read_through(app: Flask) -> None:
    class PrefixedCookieSession(SecureCookieSessionInterface):
        def get_cookie_name(self, app: Flask) -> str:  # type: ignore[override]
            return "custom_session"

    app.session_interface = PrefixedCookieSession()
    traces = traced(app)

    response = app.test_client().post("/login", data={"user": "bo", "password": "secret"})

    assert "custom_session=" in response.headers["Set-Cookie"]
    assert traces[-1]["session"]["cookie"] == "set"
    assert traces[-1]["session"]["after"]["user"] == "bo"


def test_a_streamed_body_is_counted_and_ends_the_trace_when_closed(app: Flask) -> None:
    traces = traced(app)

    with app.test_client().get("/stream") as response:
        assert response.get_data() == b"one two"
        assert traces == []  # not sent yet

    assert traces[-1]["response"]["streamed"] is True
    assert traces[-1]["response"]["body_size"] == 7
    assert traces[-1]["response"]["body_preview"] == "one two"


def test_an_exception_flask_propagates_ends_the_trace_with_it(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = True
    traces = traced(app)

    with pytest.raises(ValueError, match="boom"):
        app.test_client().get("/boom")

    assert traces[-1]["exception"]["type"] == "ValueError"
    assert traces[-1]["response"] is None


def test_hooks_registered_after_instrumenting_are_recorded(app: Flask) -> None:
    traces = traced(app)

    @app.before_request
    def late_extension_hook() -> None:
        pass

    def added_by_hand() -> None:
        pass

    app.before_request_funcs.setdefault(None, []).append(added_by_hand)
    late_blueprint = Blueprint("late", __name__)

    @late_blueprint.route("/late-bp")
    def late_view() -> str:
        return "late blueprint"

    @late_blueprint.before_request
    def late_blueprint_hook() -> None:
        pass

    app.register_blueprint(late_blueprint)
    app.after_request_funcs = {None: [lambda response: response]}  # replaced whole

    assert app.test_client().get("/late-bp").text == "late blueprint"
    assert steps(traces[-1])[:6] == [
        "before_request count",
        "before_request load_user",
        "before_request late_extension_hook",
        "before_request added_by_hand",
        "before_request late_blueprint_hook",
        "view late_view",
    ]
    assert steps(traces[-1])[6] == "after_request <lambda>"


def test_the_registries_still_hold_the_apps_own_functions(app: Flask) -> None:
    instrument_flask(app)

    def hook() -> None:
        pass

    app.before_request(hook)
    assert hook in app.before_request_funcs[None]
    app.before_request_funcs[None].remove(hook)
    assert hook not in app.before_request_funcs[None]
    view = app.view_functions["login"]
    app.add_url_rule("/login-again", "login", view)  # Flask refuses a *different* view
    assert app.view_functions["login"] == view
    assert "nobody" not in app.before_request_funcs  # reading a missing key does not add it


def test_instrumenting_twice_gives_the_same_tracers(app: Flask) -> None:
    assert instrument_flask(app) is instrument_flask(app)


def test_without_a_tracer_or_a_request_the_hooks_run_as_flask_runs_them(app: Flask) -> None:
    instrument_flask(app)
    assert app.test_client().get("/fr/shop/").text == "fr: a,b"
    with app.test_request_context("/admin/"):
        response = app.preprocess_request()
    assert response is not None and response.status_code == 302


def test_a_deferred_tracer_gets_records_that_build_the_same_data(app: Flask) -> None:
    records: list[TraceRecord] = []
    instrument_flask(app).add(records.append, deferred=True)

    app.test_client().get("/late", headers={"X-Request-Id": "req-1"})

    assert records[0].id == "req-1" and records[0].status == 200
    assert json.loads(json.dumps(records[0].to_dict()))["request"]["path"] == "/late"


REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/admin/", {}),
    ("POST", "/login", {"user": "ada", "password": "secret"}),
    ("GET", "/admin/", {}),
    ("POST", "/login", {"password": "oops"}),
    ("GET", "/fr/shop/", {}),
    ("GET", "/late", {}),
    ("GET", "/boom", {}),
    ("GET", "/admin/teapot", {}),
    ("GET", "/nowhere", {}),
    ("DELETE", "/late", {}),
    ("GET", "/stream", {}),
]


def answers(app: Flask, prepare: Callable[[Flask], object]) -> list[tuple[Any, ...]]:
    prepare(app)
    client = app.test_client()
    seen = []
    for method, path, form in REQUESTS:
        response = client.open(path, method=method, data=form)
        cookies = sorted(
            (cookie.key, app.session_interface.get_signing_serializer(app).loads(cookie.value))  # type: ignore[union-attr]
            for cookie in client._cookies.values()
        )
        headers = sorted(
            (name, value) for name, value in response.headers.items() if name != "Set-Cookie"
        )
        seen.append((response.status, headers, response.get_data(), cookies))
    return seen


def test_the_same_requests_get_the_same_answers_traced_or_not() -> None:
    untraced = answers(make_app(), lambda app: None)
    traced_answers = answers(make_app(), traced)

    assert traced_answers == untraced
