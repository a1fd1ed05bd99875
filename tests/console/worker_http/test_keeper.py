"""Slow, idle and numerous clients: timeouts close them, a cap bounds them, and none of them
holds a thread while it is not running a request."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

import pytest

from console.worker_http import ServerLimits
from console.worker_http.connection import ClientConnection
from tests.console.worker_http.wire import (
    StartResponse,
    connect,
    hello,
    read_response,
    read_until_closed,
    responses,
    send_and_read_all,
    serving,
    wait_until,
)

GET = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n"


def test_an_idle_connection_is_closed_after_the_idle_timeout() -> None:
    with serving(hello, ServerLimits(idle_timeout=0.2)) as server, connect(server) as client:
        client.sendall(GET)
        assert read_response(client).status == 200

        assert read_until_closed(client) == b"", "closed, without a word"
        wait_until(lambda: server.open_connections == 0)


def test_a_request_head_that_trickles_in_too_slowly_gets_408() -> None:
    with serving(hello, ServerLimits(header_timeout=0.2)) as server, connect(server) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHo")

        [response] = responses(read_until_closed(client))

    assert (response.status, response.closes) == (408, True)
    assert response.body == b"408 Request Timeout: the request head did not arrive within 0.2 s\n"


def test_a_slow_body_waits_without_a_thread_then_goes_to_one_when_complete() -> None:
    with serving(hello) as server, connect(server) as client:
        client.sendall(b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345")
        wait_until(lambda: server.held_connections().receiving == 1)
        assert server.request_threads == 0

        client.sendall(b"67890")

        assert read_response(client).body == b"POST /slow"


def test_slow_clients_hold_no_thread_and_others_are_answered() -> None:
    with serving(hello) as server, ExitStack() as stack:
        for number in range(50):
            slow = stack.enter_context(connect(server))
            slow.sendall(b"GET /slow-%d HTTP/1.1\r\nHost: t\r\nX-Part: " % number)
        wait_until(lambda: server.held_connections().receiving == 50)

        raw = send_and_read_all(server, b"GET /other HTTP/1.1\r\nHost: t\r\n\r\n")

        assert responses(raw)[0].body == b"GET /other"
        assert server.request_threads <= 1


def test_beyond_the_cap_the_longest_idle_connection_is_closed_to_make_room() -> None:
    with serving(hello, ServerLimits(max_connections=3)) as server, ExitStack() as stack:
        idle = []
        for count in range(1, 4):  # one after the other, so the first is the longest idle
            client = stack.enter_context(connect(server))
            client.sendall(GET)
            read_response(client)
            wait_until(lambda count=count: server.held_connections().awaiting == count)
            idle.append(client)

        raw = send_and_read_all(server, b"GET /newcomer HTTP/1.1\r\nHost: t\r\n\r\n")

        assert responses(raw)[0].body == b"GET /newcomer"
        assert read_until_closed(idle[0]) == b"", "the oldest idle one made room"
        idle[1].sendall(GET)
        assert read_response(idle[1]).status == 200, "the others are still served"


def test_beyond_the_cap_with_none_idle_a_newcomer_gets_503() -> None:
    with serving(hello, ServerLimits(max_connections=3)) as server, ExitStack() as stack:
        for _ in range(3):
            stack.enter_context(connect(server)).sendall(b"GET / HTTP/1.1\r\n")
        wait_until(lambda: server.held_connections().receiving == 3)

        [refused] = responses(send_and_read_all(server, GET))

    assert (refused.status, refused.closes) == (503, True)
    assert b"limit of 3 connections" in refused.body


def test_requests_beyond_the_thread_limit_wait_for_a_thread() -> None:
    release = threading.Event()
    running: list[str] = []

    def blocking(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        running.append(environ["PATH_INFO"])
        release.wait(10)
        start_response("200 OK", [("Content-Length", "4")])
        return [b"done"]

    with serving(blocking, ServerLimits(max_threads=2)) as server, ExitStack() as stack:
        clients = [stack.enter_context(connect(server)) for _ in range(5)]
        for number, client in enumerate(clients):
            client.sendall(b"GET /%d HTTP/1.1\r\nHost: t\r\n\r\n" % number)
        wait_until(lambda: len(running) == 2)
        assert server.request_threads == 2

        release.set()

        assert [read_response(client).body for client in clients] == [b"done"] * 5
        assert server.request_threads == 2


def test_a_thread_waiting_on_its_connection_lets_go_for_a_waiting_request() -> None:
    """A thread that answered keeps its connection a moment for the next request; with the
    only thread there, another client's request must not wait for that moment to pass."""
    with serving(hello, ServerLimits(max_threads=1)) as server, ExitStack() as stack:
        first, second = (stack.enter_context(connect(server)) for _ in range(2))
        first.sendall(GET)
        read_response(first)
        second.sendall(GET)

        assert read_response(second).status == 200
        first.sendall(GET)
        assert read_response(first).status == 200


class CountingSocket:
    """Connections the server closes, seen from the client."""

    def __init__(self, sockets: list[socket.socket]) -> None:
        self._sockets = sockets

    def closed(self) -> int:
        count = 0
        for client in self._sockets:
            client.setblocking(False)
            try:
                count += client.recv(1) == b""
            except BlockingIOError:
                pass
        return count


def test_idle_connections_beyond_the_cap_never_cost_a_busy_one() -> None:
    with serving(hello, ServerLimits(max_connections=5)) as server, ExitStack() as stack:
        busy = stack.enter_context(connect(server))
        busy.sendall(b"GET / HTTP/1.1\r\n")  # mid-request: not to be closed for room
        idle = [stack.enter_context(connect(server)) for _ in range(10)]
        watcher = CountingSocket(idle)

        wait_until(lambda: watcher.closed() == 6)
        busy.sendall(b"Host: t\r\n\r\n")
        assert read_response(busy).status == 200


def test_a_bug_met_on_one_connection_ends_it_and_the_keeper_serves_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Fault injection: reading the first connection raises, as a bug would."""
    real_receive = ClientConnection.receive
    failed: list[ClientConnection] = []

    def receive_failing_once(connection: ClientConnection) -> None:
        if not failed:
            failed.append(connection)
            raise RuntimeError("a bug in the keeper's path")
        real_receive(connection)

    monkeypatch.setattr(ClientConnection, "receive", receive_failing_once)
    with caplog.at_level(logging.CRITICAL, "hookscope.http"), serving(hello) as server:
        broken = send_and_read_all(server, GET)
        served = send_and_read_all(server, b"GET /after HTTP/1.1\r\nHost: t\r\n\r\n")

    assert broken == b"", "the connection that met the bug is closed"
    assert responses(served)[0].body == b"GET /after"
