"""What the worker's HTTP server tests share: a server on 127.0.0.1, raw bytes in, parsed
responses out.

Raw sockets, not an HTTP client: the requests worth sending (a lying Content-Length, a
bare CR, a chunk split anywhere) are the ones clients refuse to build.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from console.worker_http import ServerLimits, WorkerHTTPServer

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@contextmanager
def serving(app: WSGIApp, limits: ServerLimits | None = None) -> Iterator[WorkerHTTPServer]:
    """``app`` served on a free port of 127.0.0.1 until the block ends."""
    server = WorkerHTTPServer("127.0.0.1", 0, app, limits=limits)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        server.close_retire_signal()


def connect(server: WorkerHTTPServer) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", server.server_port), timeout=5)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


def read_until_closed(client: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def send_and_read_all(server: WorkerHTTPServer, data: bytes) -> bytes:
    """Send ``data`` on a new connection, close our side, and read until the server closes."""
    with connect(server) as client:
        try:
            client.sendall(data)
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before reading it all
        return read_until_closed(client)


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def closes(self) -> bool:
        return (self.headers.get("Connection") or "").lower() == "close"


class _Unclosable(io.BytesIO):
    def close(self) -> None:
        """http.client closes the stream after a ``Connection: close`` answer; keep it."""


class _Bytes:
    """Enough of a socket for http.client to read responses out of bytes."""

    def __init__(self, data: bytes) -> None:
        self._file = _Unclosable(data)

    def makefile(self, mode: str) -> io.BytesIO:
        return self._file

    def at_end(self) -> bool:
        return self._file.tell() == len(self._file.getbuffer())


def responses(raw: bytes, methods: Iterable[str] = ()) -> list[Response]:
    """Every response in ``raw``, in order (``methods``: of the requests, for HEAD)."""
    stream = _Bytes(raw)
    methods = iter(methods)
    found = []
    while not stream.at_end():
        response = http.client.HTTPResponse(stream, method=next(methods, "GET"))
        response.begin()
        found.append(Response(response.status, response.headers, response.read()))
    return found


def read_response(client: socket.socket, method: str = "GET") -> Response:
    """One response off a kept-alive connection (left open for the next one); only when no
    other response is on its way (the reader may take more than one response's bytes)."""
    response = http.client.HTTPResponse(client, method=method)
    response.begin()
    return Response(response.status, response.headers, response.read())


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.01)


def hello(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Answers with the method and target it saw."""
    body = f"{environ['REQUEST_METHOD']} {environ['REQUEST_URI']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
