"""The worker's keep-alive HTTP server on real sockets: connections reused, request bodies
skipped, and connections let go of (closed or handed over) when the server retires."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from console.worker_http import KeepAliveHandler, KeepAliveServer

StartResponse = Callable[..., Any]


def hello(name: str) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        if path == "/slow":
            time.sleep(0.5)
        if path == "/boom":
            raise RuntimeError("the app broke")
        if path == "/stream":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return (part.encode() for part in ("from ", name))
        body = f"{path} from {name}".encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    return app


class RunningServer:
    def __init__(self, name: str) -> None:
        self.server = KeepAliveServer("127.0.0.1", 0, hello(name), handler=KeepAliveHandler)
        self.port = self.server.server_port
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,))
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self._thread.join()
        self.server.server_close()


@pytest.fixture
def servers() -> Iterator[list[RunningServer]]:
    started = [RunningServer("first"), RunningServer("second")]
    yield started
    for running in started:
        running.stop()


@pytest.fixture
def connect() -> Iterator[Callable[[int], http.client.HTTPConnection]]:
    opened: list[http.client.HTTPConnection] = []

    def open_connection(port: int) -> http.client.HTTPConnection:
        opened.append(http.client.HTTPConnection("127.0.0.1", port, timeout=5))
        return opened[-1]

    yield open_connection
    for connection in opened:
        connection.close()


Connect = Callable[[int], http.client.HTTPConnection]


def fetch(connection: http.client.HTTPConnection, path: str, **kwargs: Any) -> tuple[int, str]:
    connection.request(kwargs.pop("method", "GET"), path, **kwargs)
    response = connection.getresponse()
    return response.status, response.read().decode()


def test_requests_reuse_one_connection(servers: list[RunningServer], connect: Connect) -> None:
    connection = connect(servers[0].port)
    assert fetch(connection, "/a") == (200, "/a from first")
    first_socket = connection.sock
    assert fetch(connection, "/b") == (200, "/b from first")
    assert fetch(connection, "/stream") == (200, "from first"), "chunked, no Content-Length"
    assert connection.sock is first_socket, "no reconnect in between"


def test_a_request_body_the_app_did_not_read_is_skipped(
    servers: list[RunningServer], connect: Connect
) -> None:
    connection = connect(servers[0].port)
    assert fetch(connection, "/upload", method="POST", body=b"x" * 100_000) == (
        200,
        "/upload from first",
    )
    assert fetch(connection, "/next") == (200, "/next from first")


def test_an_http_1_0_client_gets_its_connection_closed(
    servers: list[RunningServer], connect: Connect
) -> None:
    with socket.create_connection(("127.0.0.1", servers[0].port), timeout=5) as client:
        client.sendall(b"GET /old HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert answer.endswith(b"/old from first")


def test_an_app_that_raises_answers_500_and_closes(
    servers: list[RunningServer], connect: Connect
) -> None:
    connection = connect(servers[0].port)
    connection.request("GET", "/boom")
    response = connection.getresponse()
    response.read()
    assert response.status == 500
    assert response.getheader("Connection") == "close"


def test_retiring_closes_an_idle_connection_at_once(
    servers: list[RunningServer], connect: Connect
) -> None:
    server = servers[0].server
    with socket.create_connection(("127.0.0.1", servers[0].port), timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        assert client.recv(65536).endswith(b"/ from first")
        started = time.monotonic()
        server.retire(hand_off=None)
        assert client.recv(65536) == b"", "the server closed the idle connection"
        assert server.wait_idle(timeout=2.0)
        assert time.monotonic() - started < 1.0


def test_retiring_answers_a_busy_connection_then_closes_it(
    servers: list[RunningServer], connect: Connect
) -> None:
    connection = connect(servers[0].port)
    connection.request("GET", "/slow")
    time.sleep(0.1)
    servers[0].server.retire(hand_off=None)
    response = connection.getresponse()
    assert (response.status, response.read()) == (200, b"/slow from first")
    assert response.getheader("Connection") == "close"
    assert servers[0].server.wait_idle(timeout=2.0)


def test_retiring_hands_connections_over_and_their_requests_reach_the_successor(
    servers: list[RunningServer], connect: Connect
) -> None:
    old, new = servers[0].server, servers[1].server
    idle = connect(servers[0].port)
    busy = connect(servers[0].port)
    assert fetch(idle, "/") == (200, "/ from first")
    busy.request("GET", "/slow")
    time.sleep(0.1)
    old.retire(hand_off=lambda connection: new.adopt(connection.dup()))
    response = busy.getresponse()
    assert (response.status, response.read()) == (200, b"/slow from first"), "in flight: old"
    assert response.getheader("Connection") is None, "and kept alive"
    assert fetch(idle, "/again") == (200, "/again from second")
    assert fetch(busy, "/again") == (200, "/again from second")
    assert old.wait_idle(timeout=2.0), "the old server holds no connection any more"


def test_expect_100_continue_is_answered_once(servers: list[RunningServer]) -> None:
    with socket.create_connection(("127.0.0.1", servers[0].port), timeout=5) as client:
        client.sendall(
            b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
            b"Expect: 100-continue\r\n\r\n"
        )
        answer = client.recv(65536)
        client.sendall(b"hello")
        while not answer.endswith(b"/upload from first"):
            answer += client.recv(65536)
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    assert answer.count(b"100 Continue") == 1


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/one\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost : spaced\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nX-Long: " + b"x" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
    ],
)
def test_a_malformed_request_gets_a_clear_error_and_a_closed_connection(
    servers: list[RunningServer], request_head: bytes, status: int
) -> None:
    with socket.create_connection(("127.0.0.1", servers[0].port), timeout=5) as client:
        client.sendall(request_head)
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    assert answer.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"\r\nConnection: close\r\n" in answer


def test_header_fields_reach_the_app_as_wsgi_environ_keys(
    servers: list[RunningServer], connect: Connect
) -> None:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        seen.append(environ)
        start_response("204 No Content", [])
        return []

    servers[0].server.app = app
    connection = connect(servers[0].port)
    connection.request(
        "PUT", "/a%20b?x=1", body=b"{}", headers={"X-Custom": " spaced ", "Content-Type": "j"}
    )
    response = connection.getresponse()
    assert (response.status, response.read()) == (204, b"")
    [environ] = seen
    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"]) == (
        "PUT",
        "/a b",
        "x=1",
    )
    assert environ["HTTP_X_CUSTOM"] == "spaced"
    assert (environ["CONTENT_TYPE"], environ["CONTENT_LENGTH"]) == ("j", "2")
    assert environ["HTTP_HOST"] == f"127.0.0.1:{servers[0].port}"
