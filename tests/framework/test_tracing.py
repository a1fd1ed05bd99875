"""Per-request traces: the hook timeline the console shows."""

from __future__ import annotations

import importlib
import json
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from framework import (
    App,
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template_string,
    request,
    session,
    stream_with_context,
)
from framework.tracing import TraceRecord


def kinds_and_names(trace: dict) -> list[tuple[str, str]]:
    return [(step["kind"], step["name"].rpartition(".")[2]) for step in trace["steps"]]


def flags(trace: dict, flag: str) -> list[str]:
    return [step["name"].rpartition(".")[2] for step in trace["steps"] if step[flag]]


@pytest.fixture()
def hook_order_app() -> App:
    """The notes' example: two before_request and two after_request hooks."""
    app = App(__name__)

    @app.before_request
    def before_req1():
        if request.args.get("stop"):
            return "stopped by before_req1"
        return None

    @app.before_request
    def before_req2():
        return None

    @app.after_request
    def after_req1(response):
        return response

    @app.after_request
    def after_req2(response):
        return response

    @app.teardown_request
    def cleanup(exc):
        pass

    @app.route("/index")
    def index():
        return "hello"

    return app


@pytest.fixture()
def traces(hook_order_app: App) -> list[dict]:
    collected: list[dict] = []
    hook_order_app.add_tracer(collected.append)
    return collected


def test_steps_follow_the_notes_order(hook_order_app: App, traces: list[dict]) -> None:
    hook_order_app.test_client().get("/index")

    assert kinds_and_names(traces[0]) == [
        ("before_request", "before_req1"),
        ("before_request", "before_req2"),
        ("view", "index"),
        ("after_request", "after_req2"),
        ("after_request", "after_req1"),
        ("teardown_request", "cleanup"),
    ]
    assert flags(traces[0], "short_circuit") == []
    assert flags(traces[0], "skipped") == []


def test_a_short_circuit_skips_later_hooks_and_the_view(
    hook_order_app: App, traces: list[dict]
) -> None:
    response = hook_order_app.test_client().get("/index?stop=1")

    assert response.data == b"stopped by before_req1"
    trace = traces[0]
    assert kinds_and_names(trace) == [
        ("before_request", "before_req1"),
        ("before_request", "before_req2"),
        ("view", "index"),
        ("after_request", "after_req2"),
        ("after_request", "after_req1"),
        ("teardown_request", "cleanup"),
    ]
    assert flags(trace, "short_circuit") == ["before_req1"]
    assert flags(trace, "skipped") == ["before_req2", "index"]
    assert trace["steps"][0]["returned"] == "'stopped by before_req1'"


def test_a_step_names_its_source_and_times_itself(hook_order_app: App, traces: list[dict]) -> None:
    hook_order_app.test_client().get("/index")

    view = next(step for step in traces[0]["steps"] if step["kind"] == "view")
    assert view["name"].endswith("hook_order_app.<locals>.index")
    assert view["file"] == __file__
    assert isinstance(view["line"], int)
    assert view["duration_us"] >= 0
    assert view["returned"] == "'hello'"
    starts = [step["start_us"] for step in traces[0]["steps"]]
    assert starts == sorted(starts)


def test_the_trace_is_plain_json(hook_order_app: App, traces: list[dict]) -> None:
    hook_order_app.test_client().post("/index?x=1", data={"user": "admin"})

    assert json.loads(json.dumps(traces[0])) == traces[0]
    assert traces[0]["request"]["method"] == "POST"
    assert traces[0]["request"]["query_string"] == "x=1"
    assert traces[0]["routing"]["outcome"] == "method_not_allowed"
    assert traces[0]["routing"]["allowed_methods"] == ["GET", "HEAD", "OPTIONS"]
    assert traces[0]["response"]["status"] == 405


def test_request_id_comes_from_the_header(hook_order_app: App, traces: list[dict]) -> None:
    client = hook_order_app.test_client()
    client.get("/index", headers={"X-Request-Id": "req-42"})
    client.get("/index")

    assert traces[0]["id"] == "req-42"
    assert traces[1]["id"] and traces[1]["id"] != "req-42"


def test_routing_outcomes(traces: list[dict], hook_order_app: App) -> None:
    client = hook_order_app.test_client()
    client.get("/missing")
    client.get("/index")

    assert traces[0]["routing"]["outcome"] == "not_found"
    assert traces[0]["response"]["status"] == 404
    assert traces[1]["routing"] == {
        "outcome": "matched",
        "rule": "/index",
        "endpoint": "index",
        "view_args": {},
        "blueprint": None,
        "allowed_methods": ["GET", "HEAD", "OPTIONS"],
        "location": None,
        "status": None,
    }


def test_strict_slashes_and_redirect_to_show_as_redirects() -> None:
    app = App(__name__)
    app.add_url_rule("/folder/", "folder", lambda: "folder")
    app.add_url_rule("/old/<int:nid>", "old", redirect_to="/new/<nid>")
    traces: list[dict] = []
    app.add_tracer(traces.append)
    client = app.test_client()

    client.get("/folder")
    client.get("/old/7")

    assert traces[0]["routing"]["outcome"] == "redirect"
    assert traces[0]["routing"]["location"] == "http://localhost/folder/"
    assert traces[1]["routing"]["location"] == "http://localhost/new/7"
    assert [t["response"]["status"] for t in traces] == [308, 308]


def test_exception_in_view_is_recorded_with_traceback() -> None:
    app = App(__name__)

    @app.route("/boom")
    def boom():
        raise ZeroDivisionError("no")

    traces: list[dict] = []
    app.add_tracer(traces.append)
    response = app.test_client().get("/boom")

    assert response.status_code == 500
    trace = traces[0]
    view = trace["steps"][0]
    assert view["raised"] == {"type": "ZeroDivisionError", "message": "no"}
    assert trace["exception"]["type"] == "ZeroDivisionError"
    assert "raise ZeroDivisionError" in trace["exception"]["traceback"]
    assert trace["response"]["status"] == 500


def test_exception_propagating_in_testing_mode_still_delivers_a_trace() -> None:
    app = App(__name__)
    app.testing = True

    @app.route("/boom")
    def boom():
        raise KeyError("k")

    traces: list[dict] = []
    app.add_tracer(traces.append)
    with pytest.raises(KeyError):
        app.test_client().get("/boom")

    assert traces[0]["exception"]["type"] == "KeyError"
    assert traces[0]["response"] is None


def test_a_teardown_that_raises_is_the_traces_unhandled_exception() -> None:
    """The response was built, then teardown failed: the trace shows both."""
    app = App(__name__)

    @app.route("/")
    def index():
        return "built"

    @app.teardown_request
    def broken_teardown(error):
        raise RuntimeError("teardown failed")

    traces: list[dict] = []
    app.add_tracer(traces.append)
    with pytest.raises(RuntimeError, match="teardown failed"):
        app.test_client().get("/")

    (trace,) = traces
    assert trace["response"]["status"] == 200
    assert trace["exception"]["type"] == "RuntimeError"
    teardown = [step for step in trace["steps"] if step["kind"] == "teardown_request"]
    assert teardown[0]["raised"] == {"type": "RuntimeError", "message": "teardown failed"}


def test_exception_in_before_request_is_handled_by_errorhandler() -> None:
    app = App(__name__)

    @app.before_request
    def check():
        abort(403)

    @app.errorhandler(403)
    def forbidden(error):
        return "nope", 403

    @app.after_request
    def stamp(response):
        return response

    @app.route("/")
    def index():
        return "never"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().get("/")

    trace = traces[0]
    assert kinds_and_names(trace) == [
        ("before_request", "check"),
        ("errorhandler", "forbidden"),
        ("after_request", "stamp"),
    ]
    assert trace["steps"][0]["raised"]["type"] == "werkzeug.exceptions.Forbidden"
    assert trace["exception"] is None
    assert trace["response"]["status"] == 403


def test_exception_in_after_request_reaches_the_500_handler() -> None:
    app = App(__name__)

    @app.after_request
    def broken(response):
        raise RuntimeError("after")

    @app.errorhandler(500)
    def server_error(error):
        return "handled", 500

    @app.route("/")
    def index():
        return "ok"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    response = app.test_client().get("/")

    assert response.data == b"handled"
    names = kinds_and_names(traces[0])
    assert names[:2] == [("view", "index"), ("after_request", "broken")]
    assert ("errorhandler", "server_error") in names
    assert traces[0]["exception"]["type"] == "RuntimeError"


def test_blueprint_hooks_appear_in_flasks_order() -> None:
    app = App(__name__)
    outer = Blueprint("outer", __name__)
    inner = Blueprint("inner", __name__)

    @app.before_request
    def app_before():
        pass

    @outer.before_request
    def outer_before():
        pass

    @inner.before_request
    def inner_before():
        pass

    @app.after_request
    def app_after(response):
        return response

    @outer.after_request
    def outer_after(response):
        return response

    @inner.after_request
    def inner_after(response):
        return response

    @inner.route("/x")
    def view():
        return "x"

    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer, url_prefix="/outer")
    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().get("/outer/inner/x")

    steps = traces[0]["steps"]
    assert [(s["name"].rpartition(".")[2], s["blueprint"]) for s in steps] == [
        ("app_before", None),
        ("outer_before", "outer"),
        ("inner_before", "outer.inner"),
        ("view", None),
        ("inner_after", "outer.inner"),
        ("outer_after", "outer"),
        ("app_after", None),
    ]
    assert traces[0]["routing"]["blueprint"] == "outer.inner"


def test_url_value_preprocessor_and_teardown_appcontext_are_steps() -> None:
    app = App(__name__)

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        values.pop("lang", None)

    @app.teardown_appcontext
    def close_db(exc):
        pass

    @app.route("/<lang>/")
    def index():
        return "ok"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().get("/en/")

    assert kinds_and_names(traces[0]) == [
        ("url_value_preprocessor", "pull_lang"),
        ("view", "index"),
        ("teardown_appcontext", "close_db"),
    ]
    assert traces[0]["routing"]["view_args"] == {"lang": "en"}


def test_templates_rendered_inside_the_request() -> None:
    app = App(__name__)

    @app.route("/")
    def index():
        return render_template_string("<b>{{ n }}</b>", n=3)

    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().get("/")

    assert [t["name"] for t in traces[0]["templates"]] == ["<string>"]
    assert traces[0]["response"]["body_preview"] == "<b>3</b>"
    assert traces[0]["response"]["body_size"] == 8


def test_session_before_and_after() -> None:
    app = App(__name__)
    app.secret_key = "test"

    @app.route("/login")
    def login():
        session["user_info"] = "admin"
        return "in"

    @app.route("/logout")
    def logout():
        session.clear()
        return "out"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    client = app.test_client()
    client.get("/login")
    client.get("/logout")

    login_trace, logout_trace = traces
    assert login_trace["session"]["before"] == {}
    assert login_trace["session"]["after"] == {"user_info": "admin"}
    assert login_trace["session"]["modified"] is True
    assert login_trace["session"]["cookie"] == "set"
    assert logout_trace["session"]["before"] == {"user_info": "admin"}
    assert logout_trace["session"]["after"] == {}
    assert logout_trace["session"]["cookie"] == "deleted"


def test_flashes_queued_and_consumed() -> None:
    app = App(__name__)
    app.secret_key = "test"

    @app.route("/set")
    def set_():
        flash("alisi")
        return "set"

    @app.route("/get")
    def get():
        return repr(get_flashed_messages())

    traces: list[dict] = []
    app.add_tracer(traces.append)
    client = app.test_client()
    client.get("/set")
    client.get("/get")

    queued, consumed = traces
    assert queued["flashes"]["added"] == [["message", "alisi"]]
    assert queued["flashes"]["after"] == [["message", "alisi"]]
    assert consumed["flashes"]["before"] == [["message", "alisi"]]
    assert consumed["flashes"]["consumed"] == [["message", "alisi"]]
    assert consumed["flashes"]["after"] == []


def test_a_message_flashed_and_shown_in_the_same_request_is_queued_and_consumed() -> None:
    app = App(__name__)
    app.secret_key = "test"

    @app.route("/now")
    def flash_and_show():
        flash("saved")
        return repr(get_flashed_messages())

    @app.route("/later")
    def flash_after_showing():
        shown = get_flashed_messages()
        flash("next time")
        return repr(shown)

    traces: list[dict] = []
    app.add_tracer(traces.append)
    client = app.test_client()
    client.get("/now")
    client.get("/later")

    now, later = (trace["flashes"] for trace in traces)
    assert now == {
        "before": [],
        "added": [["message", "saved"]],
        "consumed": [["message", "saved"]],
        "after": [],
    }
    assert later == {
        "before": [],
        "added": [["message", "next time"]],
        "consumed": [],
        "after": [["message", "next time"]],
    }


def test_tracing_does_not_touch_the_session_or_vary_header(hook_order_app: App) -> None:
    hook_order_app.secret_key = "test"
    plain = hook_order_app.test_client().get("/index")
    hook_order_app.add_tracer(lambda trace: None)
    traced = hook_order_app.test_client().get("/index")

    assert "Vary" not in plain.headers
    assert "Vary" not in traced.headers


def test_form_fields_and_body_preview() -> None:
    app = App(__name__)

    @app.route("/login", methods=["POST"])
    def login():
        return redirect("/") if request.form["user"] == "admin" else "no"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().post("/login", data={"user": "admin", "pwd": "password"})

    request_part = traces[0]["request"]
    assert request_part["form"] == [{"name": "user", "size": 5}, {"name": "pwd", "size": 8}]
    assert request_part["body_preview"] == "user=admin&pwd=password"
    assert traces[0]["response"]["status"] == 302


def test_secrets_can_be_masked(hook_order_app: App, traces: list[dict]) -> None:
    hook_order_app.tracers.mask_secrets = True
    client = hook_order_app.test_client()
    client.set_cookie("session", "cookie-value")
    client.get("/index", headers={"Authorization": "Bearer s3cret"})

    headers = dict(traces[0]["request"]["headers"])
    assert headers["Authorization"] == "••••••"
    assert headers["Cookie"] == "••••••"
    assert "s3cret" not in json.dumps(traces[0])
    assert "cookie-value" not in json.dumps(traces[0])


def test_streamed_response_trace_completes_when_closed() -> None:
    app = App(__name__)

    @app.route("/stream")
    def stream():
        @stream_with_context
        def generate() -> Iterator[str]:
            yield "a"
            yield request.path

        return generate()

    traces: list[dict] = []
    app.add_tracer(traces.append)
    response = app.test_client().get("/stream")
    body = response.get_data()
    response.close()

    assert body == b"a/stream"
    assert len(traces) == 1
    assert traces[0]["response"]["streamed"] is True
    assert traces[0]["response"]["body_size"] == 8


def test_a_failing_tracer_is_logged_and_never_breaks_the_request(
    hook_order_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[dict] = []

    def broken(trace: dict) -> None:
        raise ValueError("tracer bug")

    hook_order_app.add_tracer(broken)
    hook_order_app.add_tracer(received.append)
    response = hook_order_app.test_client().get("/index")

    assert response.data == b"hello"
    assert len(received) == 1
    assert "Tracer" in caplog.text and "tracer bug" in caplog.text


def test_remove_tracer(hook_order_app: App, traces: list[dict]) -> None:
    hook_order_app.remove_tracer(traces.append)
    hook_order_app.test_client().get("/index")

    assert traces == []
    with pytest.raises(ValueError, match="is not a tracer"):
        hook_order_app.remove_tracer(traces.append)
    with pytest.raises(TypeError, match="must be callable"):
        hook_order_app.add_tracer("not callable")  # type: ignore[arg-type]


def test_concurrent_requests_never_mix_traces(hook_order_app: App) -> None:
    @hook_order_app.route("/echo/<int:n>")
    def echo(n: int) -> str:
        return str(n)

    traces: list[dict] = []
    lock = threading.Lock()

    def collect(trace: dict) -> None:
        with lock:
            traces.append(trace)

    hook_order_app.add_tracer(collect)
    server = make_server("127.0.0.1", 0, hook_order_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_port

    def fetch(n: int) -> None:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/echo/{n}", headers={"X-Request-Id": f"id-{n}"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.read() == str(n).encode()

    try:
        workers = [threading.Thread(target=fetch, args=(n,)) for n in range(40)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=20)
    finally:
        server.shutdown()
        server.server_close()

    assert len(traces) == 40
    for trace in traces:
        n = trace["id"].removeprefix("id-")
        assert trace["request"]["path"] == f"/echo/{n}"
        assert trace["routing"]["view_args"] == {"n": int(n)}
        assert trace["response"]["body_preview"] == n
        assert [s["kind"] for s in trace["steps"]].count("view") == 1


def test_a_request_that_never_uses_the_session_does_not_open_it() -> None:
    app = App(__name__)
    app.secret_key = "test"

    @app.route("/")
    def index():
        return "no session here"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    app.test_client().get("/")

    assert traces[0]["session"]["opened"] is False
    assert traces[0]["session"]["before"] is None
    assert traces[0]["session"]["cookie"] is None


# -- deferred tracers: the record as it was taken, described later ------------------------


def test_a_deferred_tracer_gets_the_record_and_builds_the_same_trace(hook_order_app: App) -> None:
    dicts: list[dict] = []
    records: list[TraceRecord] = []
    hook_order_app.add_tracer(records.append, deferred=True)
    hook_order_app.add_tracer(dicts.append)

    hook_order_app.test_client().get("/index", headers={"X-Request-Id": "r-1"})

    (record,) = records
    assert (record.id, record.status, record.app_name) == ("r-1", 200, hook_order_app.name)
    assert record.duration_us > 0
    assert record.to_dict() is dicts[0]  # built once, shared by every dict tracer
    assert kinds_and_names(record.to_dict())[2] == ("view", "index")


def test_a_record_described_on_another_thread_after_the_request() -> None:
    app = App(__name__)

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        values.pop("lang")

    @app.after_request
    def fail_late(response):
        response.status_code = 503
        return response

    @app.after_request
    def first(response):
        return response

    @app.route("/<lang>/page")
    def page():
        return "page"

    records: list[TraceRecord] = []
    app.add_tracer(records.append, deferred=True)
    app.test_client().get("/fr/page")
    described: list[dict] = []
    worker = threading.Thread(target=lambda: described.append(records[0].to_dict()))
    worker.start()
    worker.join()

    trace = described[0]
    json.dumps(trace)
    assert trace["routing"]["view_args"] == {"lang": "fr"}  # as routed, before the pop
    returned = {step["name"].rpartition(".")[2]: step["returned"] for step in trace["steps"]}
    assert returned["page"] == "'page'"
    assert returned["first"] == "<Response [200 OK]>"  # what it returned then, not now
    assert returned["fail_late"] == "<Response [503 SERVICE UNAVAILABLE]>"
    assert trace["response"]["status"] == 503


def test_a_record_without_a_request_id_header_gets_a_generated_one(hook_order_app: App) -> None:
    records: list[TraceRecord] = []
    hook_order_app.add_tracer(records.append, deferred=True)
    client = hook_order_app.test_client()
    client.get("/index")
    client.get("/index")

    first, second = (record.id for record in records)
    assert first != second
    assert records[0].to_dict()["id"] == first


def test_async_hooks_are_described_once_not_once_per_request() -> None:
    app = App(__name__)

    @app.before_request
    async def load():
        return None

    @app.route("/")
    def index():
        return "ok"

    traces: list[dict] = []
    app.add_tracer(traces.append)
    client = app.test_client()
    client.get("/")
    described = len(app.tracers._sources)
    for _ in range(5):
        client.get("/")

    assert len(app.tracers._sources) == described
    assert traces[-1]["steps"][0]["name"].endswith("load")


# -- describing steps from the code that runs, not the file on disk -----------------------

BROKEN_LATER = """
from framework import App
from framework.views import MethodView

app = App(__name__)


@app.before_request
def load_user():
    return None


class Items(MethodView):
    def get(self):
        return "items"


app.add_url_rule("/items", view_func=Items.as_view("items"))
"""


def test_steps_are_described_from_the_loaded_code_while_its_file_is_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console keeps the last good version serving while the file on disk has a syntax
    error; its traces must still be built."""
    source = tmp_path / "broken_later.py"
    source.write_text(BROKEN_LATER)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("broken_later")
    try:
        source.write_text('def unfinished(:\n    """\n')
        traces: list[dict] = []
        module.app.add_tracer(traces.append)

        assert module.app.test_client().get("/items").text == "items"
    finally:
        sys.modules.pop("broken_later", None)

    described = [(s["kind"], s["name"], s["file"], s["line"]) for s in traces[0]["steps"]]
    assert described == [
        ("before_request", "load_user", str(source), 8),  # its decorator's line
        ("view", "Items.as_view('items')", str(source), 14),  # the class's first method
    ]
