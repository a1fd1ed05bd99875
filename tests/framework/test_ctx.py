"""App and request contexts, the proxies that read them, and their behaviour under threads."""

from __future__ import annotations

import contextlib
import contextvars
import json
import threading
import time
import typing as t
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from framework import (
    App,
    Response,
    after_this_request,
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    stream_with_context,
)


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "test secret"
    return app


@contextlib.contextmanager
def served(app: App) -> t.Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 with Werkzeug's threaded server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- outside any context ----------------------------------------------------


@pytest.mark.parametrize(
    ("proxy", "message"),
    [
        (lambda: request.path, "Working outside of request context"),
        (lambda: session.get("x"), "Working outside of request context"),
        (lambda: current_app.name, "Working outside of application context"),
        (lambda: g.user, "Working outside of application context"),
    ],
    ids=["request", "session", "current_app", "g"],
)
def test_proxies_outside_a_context_raise_a_clear_runtime_error(
    proxy: t.Callable[[], object], message: str
) -> None:
    with pytest.raises(RuntimeError, match=message):
        proxy()


def test_no_context_is_active_by_default() -> None:
    assert has_app_context() is False
    assert has_request_context() is False


@pytest.mark.parametrize("proxy", [request, session, current_app, g], ids=repr)
def test_unbound_proxies_are_falsy(proxy: object) -> None:
    assert not proxy


def test_after_this_request_outside_a_request_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        after_this_request(lambda response: response)


def test_stream_with_context_outside_a_request_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        stream_with_context(iter(["chunk"]))


def test_copy_current_request_context_outside_a_request_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        copy_current_request_context(lambda: None)


# --- app context ------------------------------------------------------------


def test_app_context_binds_current_app_and_g(app: App) -> None:
    with app.app_context():
        assert has_app_context() is True
        assert has_request_context() is False
        assert current_app.name == app.name
        assert current_app._get_current_object() is app
        g.db = "connection"
        assert g.db == "connection"

    assert has_app_context() is False


def test_g_belongs_to_one_app_context(app: App) -> None:
    with app.app_context():
        g.value = 1

    with app.app_context():
        assert "value" not in g
        assert g.get("value", "missing") == "missing"


def test_g_behaves_like_a_namespace(app: App) -> None:
    with app.app_context():
        g.a = 1
        assert g.setdefault("b", 2) == 2
        assert g.setdefault("a", 99) == 1
        assert sorted(g) == ["a", "b"]
        assert g.pop("a") == 1
        assert g.pop("a", "gone") == "gone"
        with pytest.raises(KeyError):
            g.pop("a")
        with pytest.raises(AttributeError):
            _ = g.missing


def test_app_contexts_nest_and_restore_the_outer_app(app: App) -> None:
    other = App("other_app")

    with app.app_context():
        with other.app_context():
            assert current_app.name == "other_app"
        assert current_app._get_current_object() is app


def test_app_context_push_and_pop_by_hand(app: App) -> None:
    ctx = app.app_context()
    ctx.push()
    try:
        assert current_app._get_current_object() is app
    finally:
        ctx.pop()

    assert has_app_context() is False


def test_popping_the_wrong_app_context_is_an_error(app: App) -> None:
    outer = app.app_context()
    inner = app.app_context()
    outer.push()
    inner.push()

    with pytest.raises(AssertionError, match="Popped wrong app context"):
        outer.pop()

    assert has_app_context() is False


# --- request context --------------------------------------------------------


def test_test_request_context_binds_request_and_an_app_context(app: App) -> None:
    with app.test_request_context("/search?q=flask", method="POST"):
        assert has_request_context() is True
        assert has_app_context() is True
        assert request.path == "/search"
        assert request.method == "POST"
        assert request.args["q"] == "flask"
        assert current_app._get_current_object() is app

    assert has_request_context() is False
    assert has_app_context() is False


def test_request_context_reuses_an_already_pushed_app_context(app: App) -> None:
    with app.app_context():
        g.marker = "outer"
        with app.test_request_context("/"):
            assert g.marker == "outer"


def test_request_context_for_another_app_pushes_its_own_app_context(app: App) -> None:
    other = App("other_app")

    with app.app_context():
        with other.test_request_context("/"):
            assert current_app.name == "other_app"
        assert current_app._get_current_object() is app


def test_g_is_fresh_for_every_request(app: App) -> None:
    @app.route("/")
    def index() -> str:
        seen = g.get("count", 0)
        g.count = seen + 1
        return str(seen)

    client = app.test_client()

    assert [client.get("/").text for _ in range(2)] == ["0", "0"]


def test_session_proxy_works_in_a_request_context(app: App) -> None:
    with app.test_request_context("/"):
        session["user"] = "ann"
        assert session["user"] == "ann"
        assert session.modified is True


def test_contexts_are_popped_after_a_request(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return str(has_request_context())

    assert app.test_client().get("/").text == "True"
    assert has_request_context() is False
    assert has_app_context() is False


# --- after_this_request -----------------------------------------------------


def test_after_this_request_changes_only_the_current_response(app: App) -> None:
    @app.route("/tagged")
    def tagged() -> str:
        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-Tag"] = "once"
            return response

        return "tagged"

    @app.route("/plain")
    def plain() -> str:
        return "plain"

    client = app.test_client()

    assert client.get("/tagged").headers["X-Tag"] == "once"
    assert "X-Tag" not in client.get("/plain").headers


def test_after_this_request_functions_run_before_after_request_hooks(app: App) -> None:
    order: list[str] = []

    @app.after_request
    def hook(response: Response) -> Response:
        order.append("after_request")
        return response

    @app.route("/")
    def index() -> str:
        @after_this_request
        def first(response: Response) -> Response:
            order.append("first")
            return response

        @after_this_request
        def second(response: Response) -> Response:
            order.append("second")
            return response

        return "ok"

    app.test_client().get("/")

    assert order == ["first", "second", "after_request"]


def test_after_this_request_works_in_a_before_request_hook(app: App) -> None:
    @app.before_request
    def tag_every_response() -> None:
        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-From-Before"] = "1"
            return response

    app.route("/")(lambda: "ok")

    assert app.test_client().get("/").headers["X-From-Before"] == "1"


def test_after_this_request_can_replace_the_response(app: App) -> None:
    @app.route("/")
    def index() -> str:
        after_this_request(lambda response: Response("replaced", status=202))
        return "original"

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (202, "replaced")


# --- copy_current_request_context --------------------------------------------


def test_copy_current_request_context_carries_request_into_a_thread(app: App) -> None:
    seen: dict[str, object] = {}

    @app.route("/work")
    def work() -> str:
        session["user"] = "ann"

        @copy_current_request_context
        def in_background() -> None:
            seen["path"] = request.path
            seen["arg"] = request.args.get("job")
            seen["user"] = session.get("user")
            seen["app"] = current_app.name

        thread = threading.Thread(target=in_background)
        thread.start()
        thread.join(timeout=5)
        return "started"

    assert app.test_client().get("/work?job=42").text == "started"
    assert seen == {"path": "/work", "arg": "42", "user": "ann", "app": app.name}


def test_a_plain_thread_does_not_see_the_request(app: App) -> None:
    seen: list[bool] = []

    @app.route("/")
    def index() -> str:
        thread = threading.Thread(target=lambda: seen.append(has_request_context()))
        thread.start()
        thread.join(timeout=5)
        return "ok"

    app.test_client().get("/")

    assert seen == [False]


def test_copied_context_keeps_the_return_value(app: App) -> None:
    with app.test_request_context("/echo?x=1"):

        @copy_current_request_context
        def read() -> str:
            return request.args["x"]

        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(read).result(timeout=5) == "1"


# --- thread safety on a real server ------------------------------------------


def test_concurrent_requests_on_a_threaded_server_never_mix_data(app: App) -> None:
    @app.before_request
    def remember_caller() -> None:
        g.caller = request.args["caller"]

    @app.route("/echo/<int:number>")
    def echo(number: int) -> dict[str, object]:
        time.sleep(0.005)
        return {
            "number": number,
            "path": request.path,
            "caller": g.caller,
            "header": request.headers["X-Caller"],
        }

    def call(base_url: str, number: int) -> dict[str, object]:
        call_request = urllib.request.Request(
            f"{base_url}/echo/{number}?caller=c{number}", headers={"X-Caller": f"c{number}"}
        )
        with urllib.request.urlopen(call_request, timeout=10) as response:
            return t.cast(dict[str, object], json.load(response))

    with served(app) as base_url, ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda number: call(base_url, number), range(80)))

    assert results == [
        {"number": n, "path": f"/echo/{n}", "caller": f"c{n}", "header": f"c{n}"} for n in range(80)
    ]


def test_threaded_server_requests_run_in_different_threads(app: App) -> None:
    barrier = threading.Barrier(2, timeout=5)

    @app.route("/meet")
    def meet() -> str:
        barrier.wait()
        return threading.current_thread().name

    def call(base_url: str) -> str:
        with urllib.request.urlopen(f"{base_url}/meet", timeout=10) as response:
            return t.cast(str, response.read().decode())

    with served(app) as base_url, ThreadPoolExecutor(max_workers=2) as pool:
        names = list(pool.map(lambda _: call(base_url), range(2)))

    assert len(set(names)) == 2


def test_an_app_context_pushed_inside_a_request_has_its_own_g(app: App) -> None:
    @app.route("/")
    def index() -> str:
        g.value = "request"
        with app.app_context():
            inner = g.get("value")
        return f"{inner} {g.value}"

    assert app.test_client().get("/").text == "None request"


def test_copied_context_still_works_after_the_response_was_sent(app: App) -> None:
    release = threading.Event()
    seen: list[tuple[str, object]] = []
    workers: list[threading.Thread] = []

    @app.route("/later")
    def later() -> str:
        session["user"] = "ann"

        @copy_current_request_context
        def after_response() -> None:
            release.wait(5)
            seen.append((request.path, session.get("user")))

        worker = threading.Thread(target=after_response)
        worker.start()
        workers.append(worker)
        return "accepted"

    assert app.test_client().get("/later").text == "accepted"
    release.set()
    workers[0].join(timeout=5)

    assert seen == [("/later", "ann")]


def test_concurrent_streamed_responses_keep_their_own_request(app: App) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        @stream_with_context
        def chunks() -> t.Iterator[str]:
            for _ in range(3):
                time.sleep(0.002)
                yield request.args["caller"] + ";"

        return chunks()

    def call(base_url: str, number: int) -> str:
        with urllib.request.urlopen(f"{base_url}/stream?caller=c{number}", timeout=10) as reply:
            return t.cast(str, reply.read().decode())

    with served(app) as base_url, ThreadPoolExecutor(max_workers=12) as pool:
        bodies = list(pool.map(lambda number: call(base_url, number), range(36)))

    assert bodies == [f"c{n};c{n};c{n};" for n in range(36)]


def test_concurrent_sessions_stay_with_their_own_client(app: App) -> None:
    @app.route("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        return "ok"

    @app.route("/whoami")
    def whoami() -> str:
        time.sleep(0.002)
        return str(session.get("user"))

    def visit(base_url: str, number: int) -> str:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"{base_url}/login/user{number}", timeout=10) as reply:
            reply.read()
        with opener.open(f"{base_url}/whoami", timeout=10) as reply:
            return t.cast(str, reply.read().decode())

    with served(app) as base_url, ThreadPoolExecutor(max_workers=12) as pool:
        names = list(pool.map(lambda number: visit(base_url, number), range(36)))

    assert names == [f"user{n}" for n in range(36)]


def test_contexts_live_in_contextvars_so_a_copied_context_sees_them(app: App) -> None:
    with app.test_request_context("/ctxvar?x=5"):
        snapshot = contextvars.copy_context()

    def read() -> tuple[str, str]:
        return request.path, request.args["x"]

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(snapshot.run, read).result(timeout=5) == ("/ctxvar", "5")


def test_an_app_context_can_be_pushed_twice_and_needs_two_pops(app: App) -> None:
    ctx = app.app_context()
    ctx.push()
    ctx.push()
    ctx.pop()

    assert has_app_context() is True
    ctx.pop()
    assert has_app_context() is False


def test_request_context_from_a_wsgi_environ(app: App) -> None:
    environ = EnvironBuilder("/from-environ?a=1").get_environ()

    with app.request_context(environ):
        assert (request.path, request.args["a"]) == ("/from-environ", "1")


def test_contexts_return_themselves_from_with(app: App) -> None:
    with app.app_context() as app_ctx:
        assert type(app_ctx).__name__ == "AppContext"
    with app.test_request_context() as request_ctx:
        assert type(request_ctx).__name__ == "RequestContext"


def test_a_copied_request_context_shares_request_and_session(app: App) -> None:
    with app.test_request_context("/copy") as original:
        session["user"] = "ann"
        copied = original.copy()

    with copied:
        assert request.path == "/copy"
        assert session["user"] == "ann"
        assert copied.request is original.request


def test_an_error_inside_test_request_context_reaches_teardown(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_request(received.append)

    with pytest.raises(KeyError), app.test_request_context():
        raise KeyError("inside")

    assert [type(exc) for exc in received] == [KeyError]


def test_pop_passes_an_explicit_exception_to_teardown(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_appcontext(received.append)
    ctx = app.app_context()
    ctx.push()
    error = ValueError("given")
    ctx.pop(error)

    assert received == [error]
