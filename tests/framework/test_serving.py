"""Serving an app over real sockets on 127.0.0.1: Werkzeug's server, wsgiref, app.run."""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import typing as t
import urllib.error
import urllib.parse
import urllib.request
import wsgiref.simple_server
import wsgiref.validate
from collections.abc import Iterable

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server

from framework import App, request, stream_with_context, url_for

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def build_app() -> App:
    app = App(__name__)

    @app.route("/")
    def index() -> str:
        return "hello over a socket"

    @app.route("/form", methods=["POST"])
    def form() -> str:
        return f"name={request.form['name']}"

    @app.route("/json", methods=["POST"])
    def json_echo() -> dict[str, t.Any]:
        return {"received": request.get_json()}

    @app.route("/stream")
    def stream() -> t.Any:
        @stream_with_context
        def chunks() -> t.Iterator[str]:
            for number in range(3):
                yield f"{request.path}:{number};"

        return chunks()

    @app.route("/where")
    def where() -> dict[str, str | None]:
        return {
            "remote_addr": request.remote_addr,
            "script_root": request.script_root,
            "url_for": url_for("where"),
            "scheme": request.scheme,
            "host": request.host,
        }

    return app


@contextlib.contextmanager
def served_by_werkzeug(app: WSGIApplication) -> t.Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: t.Any) -> None:
        """Keep the access log out of the test output."""


@contextlib.contextmanager
def served_by_wsgiref(app: WSGIApplication) -> t.Iterator[str]:
    server = wsgiref.simple_server.make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


SERVERS = [served_by_werkzeug, served_by_wsgiref]
SERVER_IDS = ["werkzeug", "wsgiref"]


def fetch(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    call = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(call, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- a plain WSGI callable on two servers -----------------------------------------


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_get_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, headers, body = fetch(base_url + "/")

    assert (status, body) == (200, b"hello over a socket")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_post_form_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, _, body = fetch(
            base_url + "/form",
            data=urllib.parse.urlencode({"name": "ann"}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    assert (status, body) == (200, b"name=ann")


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_post_json_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, headers, body = fetch(
            base_url + "/json", data=b'{"a": [1, 2]}', headers={"Content-Type": "application/json"}
        )

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == b'{"received":{"a":[1,2]}}\n'


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_malformed_json_is_a_400_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, _, body = fetch(
            base_url + "/json", data=b"{not json", headers={"Content-Type": "application/json"}
        )

    assert status == 400
    assert b"Bad Request" in body


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_streamed_response_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, headers, body = fetch(base_url + "/stream")

    assert (status, body) == (200, b"/stream:0;/stream:1;/stream:2;")
    assert "Content-Length" not in headers


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_unknown_url_is_a_404_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        status, _, body = fetch(base_url + "/missing")

    assert status == 404
    assert b"Not Found" in body


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_head_request_over_a_socket(served: t.Any) -> None:
    with served(build_app()) as base_url:
        host, port = base_url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.request("HEAD", "/")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()

    assert (response.status, body) == (200, b"")
    assert response.headers["Content-Length"] == str(len(b"hello over a socket"))


def test_app_passes_wsgirefs_wsgi_validator() -> None:
    with served_by_wsgiref(wsgiref.validate.validator(build_app())) as base_url:
        results = [fetch(base_url + path)[0] for path in ("/", "/stream", "/missing", "/where")]

    assert results == [200, 200, 404, 200]


def test_app_is_a_plain_wsgi_callable() -> None:
    environ: dict[str, t.Any] = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ["PATH_INFO"] = "/"
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
    ) -> t.Any:
        started.append((status, headers))
        return lambda data: None

    body_iterable = build_app()(environ, start_response)
    try:
        body = b"".join(body_iterable)
    finally:
        getattr(body_iterable, "close", lambda: None)()

    assert started[0][0] == "200 OK"
    assert ("Content-Type", "text/html; charset=utf-8") in started[0][1]
    assert body == b"hello over a socket"


# --- middleware around app.wsgi_app --------------------------------------------------


def test_proxy_fix_around_wsgi_app() -> None:
    app = build_app()
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    with served_by_werkzeug(app) as base_url:
        _, _, body = fetch(
            base_url + "/where",
            headers={
                "X-Forwarded-For": "203.0.113.7",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "public.example",
            },
        )

    assert body.startswith(b"{")
    assert b'"remote_addr":"203.0.113.7"' in body
    assert b'"scheme":"https"' in body
    assert b'"host":"public.example"' in body


class HeaderMiddleware:
    """Adds a header to every response, the classic shape of WSGI middleware."""

    def __init__(self, wrapped: WSGIApplication) -> None:
        self.wrapped = wrapped

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def add_header(
            status: str, headers: list[tuple[str, str]], exc_info: t.Any = None
        ) -> t.Any:
            return start_response(status, [*headers, ("X-Middleware", "yes")], exc_info)

        return self.wrapped(environ, add_header)


@pytest.mark.parametrize("served", SERVERS, ids=SERVER_IDS)
def test_custom_middleware_around_wsgi_app(served: t.Any) -> None:
    app = build_app()
    app.wsgi_app = HeaderMiddleware(app.wsgi_app)  # type: ignore[method-assign]

    with served(app) as base_url:
        status, headers, body = fetch(base_url + "/")

    assert (status, body) == (200, b"hello over a socket")
    assert headers["X-Middleware"] == "yes"


def test_test_client_goes_through_the_wrapped_wsgi_app() -> None:
    app = build_app()
    app.wsgi_app = HeaderMiddleware(app.wsgi_app)  # type: ignore[method-assign]

    assert app.test_client().get("/").headers["X-Middleware"] == "yes"


def test_dispatcher_middleware_mounts_the_app_under_a_prefix() -> None:
    app = build_app()
    mounted = DispatcherMiddleware(NotFound(), {"/api": app})

    with served_by_werkzeug(mounted) as base_url:
        status, _, body = fetch(base_url + "/api/where")

    assert status == 200
    assert b'"script_root":"/api"' in body
    assert b'"url_for":"/api/where"' in body


# --- app.run in a real process ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running(script: str, **environ: str) -> t.Iterator[subprocess.Popen[str]]:
    """Run ``script`` (which calls app.run) in a child process; stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, **environ},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout:
            process.stdout.close()


def wait_for(url: str, process: subprocess.Popen[str], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise AssertionError(f"server exited with {process.returncode}: {output}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server at {url} did not answer within {timeout} s")


APP_SOURCE = textwrap.dedent("""
    import threading
    from framework import App, current_app

    app = App("served")

    @app.route("/")
    def index():
        return f"debug={current_app.debug}"

    @app.route("/boom")
    def boom():
        raise ValueError("boom")

    @app.route("/thread")
    def thread():
        return threading.current_thread().name
""")


def test_app_run_serves_on_the_given_host_and_port() -> None:
    port = free_port()
    script = APP_SOURCE + f"\napp.run(host='127.0.0.1', port={port})\n"

    with running(script) as process:
        wait_for(f"http://127.0.0.1:{port}/", process)
        status, _, body = fetch(f"http://127.0.0.1:{port}/")

    assert (status, body) == (200, b"debug=False")


def test_app_run_takes_host_and_port_from_server_name() -> None:
    port = free_port()
    script = APP_SOURCE + f"\napp.config['SERVER_NAME'] = '127.0.0.1:{port}'\napp.run()\n"

    with running(script) as process:
        wait_for(f"http://127.0.0.1:{port}/", process)
        status, _, body = fetch(f"http://127.0.0.1:{port}/")

    assert (status, body) == (200, b"debug=False")


def test_app_run_debug_sets_debug_and_shows_the_debugger() -> None:
    port = free_port()
    script = APP_SOURCE + f"\napp.run('127.0.0.1', {port}, debug=True, use_reloader=False)\n"

    with running(script) as process:
        wait_for(f"http://127.0.0.1:{port}/", process)
        _, _, body = fetch(f"http://127.0.0.1:{port}/")
        status, _, error_page = fetch(f"http://127.0.0.1:{port}/boom")

    assert body == b"debug=True"
    assert status == 500
    assert b"Werkzeug Debugger" in error_page
    assert b"ValueError: boom" in error_page


@pytest.mark.parametrize(
    ("run_options", "handled_on_main_thread"),
    [("", False), (", threaded=True", False), (", threaded=False", True)],
    ids=["default", "threaded", "not-threaded"],
)
def test_app_run_is_threaded_by_default_and_passes_options_on(
    run_options: str, handled_on_main_thread: bool
) -> None:
    port = free_port()
    script = APP_SOURCE + f"\napp.run(host='127.0.0.1', port={port}{run_options})\n"

    with running(script) as process:
        wait_for(f"http://127.0.0.1:{port}/", process)
        _, _, thread_name = fetch(f"http://127.0.0.1:{port}/thread")

    assert (thread_name == b"MainThread") is handled_on_main_thread


def test_app_run_on_a_busy_port_exits_with_a_clear_message() -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        script = APP_SOURCE + f"\napp.run(host='127.0.0.1', port={port})\n"
        with running(script) as process:
            output, _ = process.communicate(timeout=20)

    assert process.returncode == 1
    assert f"Port {port} is in use by another program" in output
    assert "Traceback" not in output


def test_app_run_reads_debug_from_the_environment() -> None:
    port = free_port()
    script = APP_SOURCE + f"\napp.run(host='127.0.0.1', port={port}, use_reloader=False)\n"

    with running(script, FLASK_DEBUG="1") as process:
        wait_for(f"http://127.0.0.1:{port}/", process)
        _, _, body = fetch(f"http://127.0.0.1:{port}/")

    assert body == b"debug=True"


def test_app_run_does_nothing_under_the_hookscope_cli() -> None:
    """Flask's equivalent is FLASK_RUN_FROM_CLI: the CLI serves the app, so app.run() returns."""
    script = APP_SOURCE + "\napp.run(host='127.0.0.1', port=1)\nprint('returned')\n"

    with running(script, HOOKSCOPE_RUN_FROM_CLI="true") as process:
        output, _ = process.communicate(timeout=20)

    assert process.returncode == 0
    assert output.strip().endswith("returned")
