"""The worker's HTTP server on real sockets: keep-alive, strict framing, request bodies in
and responses out as WSGI apps (the framework, Werkzeug's) expect them."""

from __future__ import annotations

import hashlib
import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.worker_http import ServerLimits, WorkerHTTPServer
from tests.console.worker_http.test_parser import HIDDEN, SMUGGLING, chunked, split
from tests.console.worker_http.wire import (
    StartResponse,
    connect,
    hello,
    read_response,
    read_until_closed,
    responses,
    send_and_read_all,
    serving,
)


class RecordingApp:
    """Answers every request with the SHA-256 of its body, and remembers each target."""

    def __init__(self) -> None:
        self.targets: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.targets.append(environ["REQUEST_URI"])
        body = environ["wsgi.input"].read()
        digest = hashlib.sha256(body).hexdigest().encode()
        start_response("200 OK", [("Content-Length", str(len(digest)))])
        return [digest]


@pytest.fixture
def app() -> RecordingApp:
    return RecordingApp()


@pytest.fixture
def server(app: RecordingApp) -> Iterator[WorkerHTTPServer]:
    with serving(app) as running:
        yield running


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()


def test_requests_reuse_one_connection(server: WorkerHTTPServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    for body in (b"one", b"two", b"three"):
        connection.request("POST", "/", body=body)
        response = connection.getresponse()
        assert response.read() == sha(body)
    first_socket = connection.sock
    connection.request("GET", "/")
    assert connection.getresponse().read() == sha(b"")
    assert connection.sock is first_socket, "no reconnect in between"
    connection.close()


def test_the_smuggling_request_of_issue_17_gets_one_400_and_runs_nothing(
    server: WorkerHTTPServer, app: RecordingApp
) -> None:
    raw = send_and_read_all(
        server,
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: abc\r\n\r\n"
        b"GET /x?SMUGGLED HTTP/1.1\r\nHost: t\r\n\r\n",
    )

    [refusal] = responses(raw)
    assert (refusal.status, refusal.closes) == (400, True)
    assert (
        refusal.body == b"400 Bad Request: malformed request: Invalid character in Content-Length\n"
    )
    assert app.targets == []


@pytest.mark.parametrize(
    ("fields", "status"),
    [case[1:3] for case in SMUGGLING],
    ids=[case[0] for case in SMUGGLING],
)
def test_ambiguous_framing_is_refused_and_the_connection_closed(
    server: WorkerHTTPServer, app: RecordingApp, fields: bytes, status: int
) -> None:
    raw = send_and_read_all(
        server, b"POST /echo HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\nhello" + HIDDEN
    )

    [refusal] = responses(raw)
    assert (refusal.status, refusal.closes) == (status, True)
    assert app.targets == [], "neither the request nor the one hidden in its body ran"


def test_a_200_kb_chunked_upload_arrives_whole(server: WorkerHTTPServer) -> None:
    """curl -H 'Transfer-Encoding: chunked' --data-binary @200KB-file: issue 17 got a 500."""
    body = bytes(range(256)) * 800
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    connection.request("POST", "/upload", body=iter([body[:70_000], body[70_000:]]))
    response = connection.getresponse()

    assert (response.status, response.read()) == (200, sha(body))
    connection.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.binary(max_size=150_000),
    chunk_size=st.integers(1, 80_000),
    cuts=st.lists(st.integers(0, 160_000), max_size=12),
)
def test_a_chunked_body_split_anywhere_on_the_wire_arrives_whole(
    server: WorkerHTTPServer, body: bytes, chunk_size: int, cuts: list[int]
) -> None:
    head = b"POST /split HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    last = b"GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    data = head + chunked(body, chunk_size, extension=b";n=v") + last
    with connect(server) as client:
        for piece in split(data, [cut for cut in cuts if cut < len(data)]):
            client.sendall(piece)
            time.sleep(0.001)  # let the pieces arrive as separate reads
        raw = read_until_closed(client)

    assert [(r.status, r.body) for r in responses(raw)] == [(200, sha(body)), (200, sha(b""))]


def test_pipelined_requests_are_answered_in_order(server: WorkerHTTPServer) -> None:
    raw = send_and_read_all(
        server,
        b"PUT /a HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /c HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )

    assert [r.body for r in responses(raw)] == [sha(b"abc"), sha(b""), sha(b"")]


def test_http_1_0_is_answered_and_closed_unless_it_asks_to_keep_alive() -> None:
    def streaming(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"no ", b"length"])

    with serving(streaming) as server:
        plain = send_and_read_all(server, b"GET / HTTP/1.0\r\n\r\n")
        with connect(server) as client:
            client.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            kept = read_until_closed(client)

    assert plain.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in plain and plain.endswith(b"\r\n\r\nno length")
    assert b"\r\nConnection: close\r\n" in kept, "no length and no chunking for 1.0: close"


def test_a_body_of_unknown_length_is_chunked_for_http_1_1() -> None:
    def streaming(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"from "
        yield b""
        yield b"a generator"

    with serving(streaming) as server, connect(server) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        response = read_response(client)
        client.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        again = read_response(client)

    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.body == again.body == b"from a generator"


def test_head_gets_the_headers_of_get_and_no_body() -> None:
    with serving(hello) as server, connect(server) as client:
        client.sendall(b"HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n")
        head = read_response(client, "HEAD")
        client.sendall(b"GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        after = read_response(client)

    assert (head.status, head.headers["Content-Length"], head.body) == (200, "7", b"")
    assert after.body == b"GET /next", "the connection carries on"


@pytest.mark.parametrize("status", ["204 No Content", "304 Not Modified"])
def test_a_no_body_status_sends_no_body(status: str) -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, [])
        return [b"dropped"]

    with serving(app) as server:
        raw = send_and_read_all(server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" * 2)

    first, second = responses(raw)
    assert first.body == second.body == b""
    assert "Transfer-Encoding" not in first.headers


class ClosingBody:
    """An app iterable that notes whether the server closed it."""

    def __init__(self, parts: list[bytes], fail: bool = False) -> None:
        self.parts, self.fail, self.closed = parts, fail, False

    def __iter__(self) -> Iterator[bytes]:
        yield from self.parts
        if self.fail:
            raise RuntimeError("the body broke")

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("fail", [False, True], ids=["completed", "raised"])
def test_the_apps_iterable_is_closed(fail: bool) -> None:
    body = ClosingBody([b"a", b"b"], fail=fail)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return body

    with serving(app) as server:
        raw = send_and_read_all(server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")

    assert body.closed
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert raw.endswith(b"0\r\n\r\n") is not fail, "a body that broke is cut, not ended"


def test_an_app_that_raises_gets_a_500_the_log_gets_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        raise RuntimeError("the app broke")

    with caplog.at_level(logging.ERROR, "hookscope.http"), serving(app) as server:
        raw = send_and_read_all(server, b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")

    [response] = responses(raw)
    assert (response.status, response.closes) == (500, True)
    assert b"RuntimeError" in response.body
    [record] = caplog.records
    assert record.getMessage() == "Error on request GET /boom"
    assert record.exc_info is not None and "the app broke" in str(record.exc_info[1])


@pytest.mark.parametrize(
    "headers",
    [[("X-Evil", "a\r\nSet-Cookie: x=1")], [("Content-Length", "two")]],
    ids=["line-break", "bad-length"],
)
def test_response_headers_that_would_break_the_framing_are_a_500(
    headers: list[tuple[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", headers)
        return [b"body"]

    with caplog.at_level(logging.ERROR, "hookscope.http"), serving(app) as server:
        raw = send_and_read_all(server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")

    assert [r.status for r in responses(raw)] == [500]
    assert b"Set-Cookie" not in raw


@pytest.mark.parametrize(("declared", "sent"), [(10, b"short"), (2, b"too long")])
def test_a_body_that_belies_its_content_length_ends_the_connection(
    declared: int, sent: bytes
) -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Length", str(declared))])
        return [sent]

    with serving(app) as server:
        raw = send_and_read_all(server, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n" * 2)

    head, _, body = raw.partition(b"\r\n\r\n")
    assert body == sent[:declared], "never a byte beyond the length, never a second answer"


def test_a_request_body_the_app_did_not_read_is_skipped() -> None:
    with serving(hello) as server, connect(server) as client:
        client.sendall(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
        client.sendall(b"x" * 100_000)
        first = read_response(client)
        client.sendall(b"GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        second = read_response(client)

    assert (first.closes, second.body) == (False, b"GET /next")


def test_an_unread_body_larger_than_the_limit_closes_the_connection() -> None:
    limits = ServerLimits(max_unread_body=1000)
    with serving(hello, limits) as server, connect(server) as client:
        client.sendall(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 500000\r\n\r\n")
        response = read_response(client)

    assert (response.status, response.closes) == (200, True)


def test_expect_100_continue_is_answered_when_the_app_reads_the_body(
    server: WorkerHTTPServer,
) -> None:
    with connect(server) as client:
        client.sendall(
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = client.recv(65536)
        client.sendall(b"hello")
        response = read_response(client)

    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert response.body == sha(b"hello")


def test_a_client_waiting_to_send_is_answered_without_100_if_the_app_does_not_read() -> None:
    with serving(hello) as server:
        raw = send_and_read_all(
            server,
            b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n",
        )

    assert raw.startswith(b"HTTP/1.1 200 OK\r\n"), "no 100 Continue"
    assert [r.closes for r in responses(raw)] == [True], "whether the body comes is unknown"


def test_wsgi_input_reads_like_a_file_and_stops_at_the_end_of_the_body() -> None:
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = environ["wsgi.input"]
        seen["read3"] = body.read(3)
        seen["line"] = body.readline()
        buffer = bytearray(4)
        seen["into"] = bytes(buffer[: body.readinto(buffer)])
        seen["lines"] = list(body)
        seen["after"] = body.read()
        start_response("204 No Content", [])
        return []

    with serving(app) as server:
        payload = b"abcdef\nghij\nkl\nmn"
        request = b"PUT / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        send_and_read_all(server, request + chunked(payload, 2))

    assert seen == {
        "read3": b"abc",
        "line": b"def\n",
        "into": b"ghij",
        "lines": [b"\n", b"kl\n", b"mn"],
        "after": b"",
    }


def test_a_body_cut_short_by_the_client_is_a_400_for_the_app(caplog: Any) -> None:
    """Past what the server reads ahead, the body streams to the app; when the client
    goes away mid-body, reading it raises Werkzeug's ClientDisconnected (a 400)."""
    errors: list[BaseException] = []
    read_failed = threading.Event()

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            environ["wsgi.input"].read()
        except Exception as error:
            errors.append(error)
            read_failed.set()
            raise
        return []

    limits = ServerLimits(prefetch_body_bytes=10)
    with caplog.at_level(logging.CRITICAL, "hookscope.http"), serving(app, limits) as server:
        with connect(server) as client:
            client.sendall(
                b"PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + b"x" * 100
            )
            client.shutdown(socket.SHUT_WR)
            read_failed.wait(5)

    assert [type(error).__name__ for error in errors] == ["ClientDisconnected"]
    assert "after 100 bytes of a body of 1000" in str(errors[0])


def test_the_app_can_be_replaced_while_serving(server: WorkerHTTPServer) -> None:
    server.app = hello
    raw = send_and_read_all(server, b"GET /swapped HTTP/1.1\r\nHost: t\r\n\r\n")

    assert responses(raw)[0].body == b"GET /swapped"
