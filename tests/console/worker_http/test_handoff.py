"""Retiring the server: kept-alive connections closed, or handed over to a successor, with
no request cut and none lost."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from console.worker_http import WorkerHTTPServer
from tests.console.worker_http.wire import (
    StartResponse,
    connect,
    read_response,
    responses,
    serving,
    wait_until,
)


def named(name: str, release: threading.Event) -> Any:
    """An app answering with its name; ``/slow`` waits for ``release`` first."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/slow":
            release.wait(5)
        body = f"{environ['PATH_INFO']} from {name}".encode()
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return [body]

    return app


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def old(release: threading.Event) -> Iterator[WorkerHTTPServer]:
    with serving(named("old", release)) as server:
        yield server


@pytest.fixture
def new(release: threading.Event) -> Iterator[WorkerHTTPServer]:
    with serving(named("new", release)) as server:
        yield server


def get(client: socket.socket, path: str) -> bytes:
    client.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
    return read_response(client).body


def test_retiring_closes_an_idle_connection_at_once(old: WorkerHTTPServer) -> None:
    with connect(old) as client:
        assert get(client, "/") == b"/ from old"
        old.retire(hand_off=None)
        assert client.recv(65536) == b"", "the server closed the idle connection"
    assert old.wait_idle(timeout=5.0)


def test_retiring_answers_a_busy_connection_then_closes_it(
    old: WorkerHTTPServer, release: threading.Event
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", old.server_port, timeout=5)
    connection.request("GET", "/slow")
    wait_until(lambda: old.open_connections == 1 and old.request_threads == 1)
    old.retire(hand_off=None)
    release.set()
    response = connection.getresponse()

    assert (response.status, response.read()) == (200, b"/slow from old")
    assert response.getheader("Connection") == "close"
    assert old.wait_idle(timeout=5.0)
    connection.close()


def test_without_a_successor_a_request_already_sent_is_still_answered(
    old: WorkerHTTPServer,
) -> None:
    """The client sent it before it could know the server retires."""
    with connect(old) as client:
        assert get(client, "/") == b"/ from old"
        client.sendall(b"GET /late HTTP/1.1\r\nHost: t\r\n\r\n")  # on loopback: there now
        old.retire(hand_off=None)
        raw = b""
        while chunk := client.recv(65536):
            raw += chunk

    assert [late.body for late in responses(raw)] == [b"/late from old"], "then the end"


def test_retiring_hands_connections_over_and_their_requests_reach_the_successor(
    old: WorkerHTTPServer, new: WorkerHTTPServer, release: threading.Event
) -> None:
    idle = connect(old)
    busy = http.client.HTTPConnection("127.0.0.1", old.server_port, timeout=5)
    assert get(idle, "/") == b"/ from old"
    busy.request("GET", "/slow")
    wait_until(lambda: old.request_threads >= 1 and old.open_connections == 2)

    old.retire(hand_off=lambda connection: new.adopt(connection.dup()))
    release.set()
    response = busy.getresponse()

    assert (response.status, response.read()) == (200, b"/slow from old"), "in flight: old"
    assert response.getheader("Connection") is None, "and kept alive"
    assert get(idle, "/again") == b"/again from new"
    busy.request("GET", "/again")
    assert busy.getresponse().read() == b"/again from new"
    assert old.wait_idle(timeout=5.0), "the old server holds no connection any more"
    idle.close()
    busy.close()


def test_a_request_partly_read_when_the_server_retires_is_answered_there_first(
    old: WorkerHTTPServer, new: WorkerHTTPServer
) -> None:
    """Bytes already read cannot travel with the socket: the old server finishes that
    request, then hands the connection over."""
    with connect(old) as client:
        client.sendall(b"GET /split HTTP/1.1\r\nHo")
        wait_until(lambda: old.held_connections().receiving == 1)
        old.retire(hand_off=lambda connection: new.adopt(connection.dup()))
        client.sendall(b"st: t\r\n\r\n")
        first = read_response(client)
        assert get(client, "/next") == b"/next from new"

    assert first.body == b"/split from old"
    assert old.wait_idle(timeout=5.0)
