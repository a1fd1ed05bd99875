"""A real server on 127.0.0.1 for each flavour of the target app, and a raw socket.

The servers: Werkzeug's threaded development server (what ``hookscope run`` and Flask's
``flask run`` use) and the console worker's own (console/worker_http), which is stricter
about framing: where the two answer a request differently, a case says so.

The battery talks to the servers with :func:`raw_request`, not an HTTP client: the
requests worth sending (bad percent-encoding, invalid UTF-8, a lying Content-Length,
made-up methods) are exactly the ones clients refuse to build.
"""

from __future__ import annotations

import functools
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from console.worker_http import WorkerHTTPServer
from tests.reliability.target_app import Folders, create_app

POLL_SECONDS = 0.05  # how soon serve_forever notices shutdown()
READ_TIMEOUT = 5.0  # a response slower than this counts as a hung server


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep the access log of thousands of fuzzed requests out of the test output."""


class ErrorRecords(logging.Handler):
    """Collects ERROR records: Werkzeug's "Error on request" and the app's 500 logs."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self) -> list[str]:
        """Each record's message, followed by ``| <exception repr>`` when it carries one."""
        return [
            record.getMessage() + (f" | {record.exc_info[1]!r}" if record.exc_info else "")
            for record in self.records
        ]


@dataclass
class RawResponse:
    """A response as bytes off the socket, with the status line and headers parsed.

    ``status`` is None for an HTTP/0.9-style answer (a bare body, no status line), which
    is what Python's server sends when it could not even parse the request line.
    """

    raw: bytes
    status: int | None
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_names(self) -> list[str]:
        return [key.lower() for key, _ in self.headers]


def read_response(sock: socket.socket, *, head_only: bool = False) -> RawResponse:
    """Read one response: its head, then Content-Length bytes of body (or up to EOF).

    Reading by length, not to EOF, matters: after answering early (a 413), the server keeps
    the connection open while it drains a body the client is still sending.
    """
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    if not data.startswith(b"HTTP/"):
        return RawResponse(raw=data + _read_to_eof(sock), status=None, headers=[], body=data)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    headers = []
    for line in header_lines:
        name, _, value = line.decode("latin-1").partition(":")
        headers.append((name, value.strip(" \t")))
    status = int(status_line.split(b" ")[1])
    response = RawResponse(raw=data, status=status, headers=headers, body=b"")
    length = response.header("Content-Length")
    if head_only:
        body = b""
    elif length is None:
        body += _read_to_eof(sock)
    else:
        while len(body) < int(length):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    response.body = body
    response.raw = head + b"\r\n\r\n" + body
    return response


def _read_to_eof(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def raw_request(
    port: int,
    data: bytes,
    *,
    half_close: bool = False,
    timeout: float = READ_TIMEOUT,
) -> RawResponse:
    """Send ``data`` as-is to 127.0.0.1:``port`` and read one response.

    Args:
        port: the server's port.
        data: the complete request bytes.
        half_close: shut down our sending side after ``data``, as a client that gave up
            sending its body would.
        timeout: seconds to wait for the response; raises ``TimeoutError`` beyond it.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading all of it
        return read_response(sock, head_only=data.startswith(b"HEAD "))


def build_request(
    method: str | bytes = b"GET",
    target: str | bytes = b"/",
    headers: Sequence[tuple[str | bytes, str | bytes]] | None = None,
    body: bytes = b"",
    *,
    content_length: int | None = None,
    host: bytes = b"127.0.0.1",
) -> bytes:
    """The bytes of an HTTP/1.1 request; Host and ``Connection: close`` are added."""

    def as_bytes(value: str | bytes) -> bytes:
        return value if isinstance(value, bytes) else value.encode("latin-1")

    lines = [as_bytes(method) + b" " + as_bytes(target) + b" HTTP/1.1", b"Host: " + host]
    for name, value in headers or []:
        lines.append(as_bytes(name) + b": " + as_bytes(value))
    if body or content_length is not None:
        length = len(body) if content_length is None else content_length
        lines.append(b"Content-Length: " + str(length).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@dataclass
class LiveServer:
    """One app served on 127.0.0.1 by Werkzeug's threaded server or the worker's."""

    flavour: str
    app: Any
    port: int
    folders: Folders
    errors: ErrorRecords
    traced: bool
    traces: list[dict[str, Any]] = field(default_factory=list)
    http_server: str = "werkzeug"

    def __repr__(self) -> str:
        """Short, for Hypothesis' report of a failing example (the traces grow large)."""
        tracer = " traced" if self.traced else ""
        return f"<LiveServer {self.flavour}{tracer} on {self.http_server} 127.0.0.1:{self.port}>"

    @property
    def on_worker(self) -> bool:
        """Served by the console worker's HTTP server (strict framing; see the cases)."""
        return self.http_server == "worker"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis pretty-prints dataclasses field by field unless this is defined.
        printer.text(repr(self))

    def send(self, data: bytes, **kwargs: Any) -> RawResponse:
        return raw_request(self.port, data, **kwargs)

    def request(
        self,
        method: str | bytes = b"GET",
        target: str | bytes = b"/",
        headers: Sequence[tuple[str | bytes, str | bytes]] | None = None,
        body: bytes = b"",
        **kwargs: Any,
    ) -> RawResponse:
        return self.send(build_request(method, target, headers, body), **kwargs)

    def assert_alive(self) -> None:
        """The next ordinary request is answered normally."""
        response = self.request(b"GET", b"/")
        assert (response.status, response.body) == (200, b"alive")

    def take_errors(self) -> list[str]:
        messages = self.errors.messages()
        self.errors.records.clear()
        return messages

    def send_traced(self, data: bytes, **kwargs: Any) -> tuple[RawResponse, dict[str, Any] | None]:
        """Send ``data`` with a marker header and wait for the trace that carries it.

        The trace is None when the app never saw the request (Python's http.server refused
        its request line or headers itself). Matching by marker matters: a trace is
        delivered after its response is sent, so the previous request's may still be on
        its way.
        """
        marker = uuid.uuid4().hex
        request_line, _, rest = data.partition(b"\r\n")
        tagged = request_line + b"\r\n" + MARKER_HEADER + b": " + marker.encode() + b"\r\n" + rest
        response = self.send(tagged, **kwargs)
        if response.status is None or b"Error code explanation" in response.body:
            return response, None
        deadline = time.monotonic() + 2
        while True:
            mine = [trace for trace in list(self.traces) if _marker_of(trace) == marker]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        assert len(mine) == 1, f"{len(mine)} traces for one request"
        return response, mine[0]


MARKER_HEADER = b"X-Reliability-Marker"


def _marker_of(trace: dict[str, Any]) -> str | None:
    for name, value in trace["request"]["headers"]:
        if name.lower() == MARKER_HEADER.decode().lower():
            return str(value)
    return None


@contextmanager
def serving(wsgi_app: Callable[..., Any], http_server: str = "werkzeug") -> Iterator[int]:
    """Serve ``wsgi_app`` on a free port of 127.0.0.1 until the block ends; yields the port.

    ``http_server``: "werkzeug" (its threaded development server) or "worker" (the console
    worker's).
    """
    server: Any
    if http_server == "worker":
        server = WorkerHTTPServer("127.0.0.1", 0, wsgi_app)
        serve = server.serve_forever
    else:
        server = make_server(
            "127.0.0.1", 0, wsgi_app, threaded=True, request_handler=QuietRequestHandler
        )
        serve = functools.partial(server.serve_forever, POLL_SECONDS)
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        if http_server == "worker":
            server.close_retire_signal()
    assert not thread.is_alive(), "the server thread did not stop"


@contextmanager
def recording_errors(app: Any) -> Iterator[ErrorRecords]:
    """Collect ERROR logs of the servers and of ``app`` while the block runs."""
    handler = ErrorRecords()
    loggers = [logging.getLogger("werkzeug"), logging.getLogger("hookscope.http"), app.logger]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@contextmanager
def live_server(
    flavour: str,
    root: Path,
    *,
    traced: bool | None = None,
    subdomain_matching: bool = False,
    http_server: str = "werkzeug",
    **config: Any,
) -> Iterator[LiveServer]:
    """The target app on ``flavour`` served for real by ``http_server`` (see :func:`serving`).

    A framework app carries a tracer unless ``traced=False``: the console always attaches
    one, while an app without tracers takes the framework's plain (untraced) dispatch.
    """
    traced = flavour == "framework" if traced is None else traced
    folders = Folders(root).create()
    app = create_app(flavour, folders, subdomain_matching=subdomain_matching, **config)
    traces: list[dict[str, Any]] = []
    if traced:
        app.add_tracer(traces.append)
    with recording_errors(app) as errors, serving(app, http_server) as port:
        yield LiveServer(flavour, app, port, folders, errors, traced, traces, http_server)


def expect_server_error(caplog: pytest.LogCaptureFixture, text: str, timeout: float = 2.0) -> str:
    """Wait for Werkzeug's "Error on request" log containing ``text``, then forget the logs.

    The server logs after it has answered, so the record may land after the response.
    Returns the message for further checks.
    """
    deadline = time.monotonic() + timeout
    while True:
        for record in caplog.records:
            message = record.getMessage()
            if "Error on request" in message and text in message:
                caplog.clear()
                return message
        if time.monotonic() > deadline:
            raise AssertionError(f"no 'Error on request' log mentioning {text!r}")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def server_never_crashes(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """No exception escapes the WSGI app into Werkzeug's server ("Error on request").

    A test that provokes one on purpose waits for it with :func:`expect_server_error`.
    """
    yield
    records = caplog.get_records("call")
    crashes = [r.getMessage() for r in records if "Error on request" in r.getMessage()]
    assert crashes == []


@pytest.fixture(scope="module", params=["framework", "framework-untraced", "flask", "worker"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The target app on the framework (traced, as the console runs it, and untraced, the
    plain dispatch), then on Flask 3.1, each behind Werkzeug's server; then the traced
    framework app behind the console worker's server: each case must hold on all four."""
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "worker":
        with live_server("framework", root, http_server="worker") as live:
            yield live
        return
    flavour, _, variant = request.param.partition("-")
    with live_server(flavour, root, traced=False if variant else None) as live:
        yield live


@pytest.fixture(scope="module")
def framework_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server("framework", tmp_path_factory.mktemp("framework")) as live:
        yield live


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The framework app without a tracer: the plain dispatch path."""
    with live_server("framework", tmp_path_factory.mktemp("plain"), traced=False) as live:
        yield live


@pytest.fixture(scope="module")
def flask_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server("flask", tmp_path_factory.mktemp("flask")) as live:
        yield live
