"""Clients that stall, vanish mid-request or arrive all at once: the server keeps serving.

Werkzeug's threaded server gives each connection its own thread, so a slow or silent
client ties up that thread only; a client that resets its connection mid-body makes the
request fail as a 400 (the body ended early), never an error in the server.
"""

from __future__ import annotations

import socket
import struct
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from tests.reliability.conftest import LiveServer, build_request

JSON = [(b"Content-Type", b"application/json")]
MULTIPART = [(b"Content-Type", b"multipart/form-data; boundary=b")]
STALLED_CLIENTS = 30


def open_stalled(server: LiveServer, data: bytes, stack: ExitStack) -> None:
    """A connection that sent ``data`` and then nothing more, closed when ``stack`` ends."""
    sock = stack.enter_context(socket.create_connection(("127.0.0.1", server.port), timeout=5))
    sock.sendall(data)


# (id, what each stalled client sends before going silent)
STALLS = [
    ("half-a-request-line", b"GET /ec"),
    ("headers-never-finished", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n"),
    ("body-never-sent", build_request(b"POST", b"/json", JSON, b"{", content_length=1000)),
    (
        "multipart-never-finished",
        build_request(b"POST", b"/form", MULTIPART, b"--b\r\n", content_length=5000),
    ),
]


@pytest.mark.parametrize("data", [s[1] for s in STALLS], ids=[s[0] for s in STALLS])
def test_stalled_clients_do_not_block_the_server(server: LiveServer, data: bytes) -> None:
    with ExitStack() as stack:
        for _ in range(STALLED_CLIENTS):
            open_stalled(server, data, stack)
        started = time.monotonic()
        server.assert_alive()
        assert time.monotonic() - started < 2
    server.assert_alive()


def reset_after_sending(server: LiveServer, data: bytes, pause: float = 0.1) -> None:
    """Send ``data``, wait, then abort the connection with a TCP reset (not a clean close)."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(data)
    time.sleep(pause)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# (id, what the client sends before resetting, the status the framework's trace records
# (None: the request never reached the app), and the same on the worker's server, which
# reads a small body whole before it runs the app: one cut short never reaches it)
RESETS = [
    (
        "reset-before-reading-a-big-response",
        build_request(b"GET", b"/echo?a=" + b"x" * 50_000),
        200,
        200,
    ),
    ("reset-mid-headers", b"GET /echo HTTP/1.1\r\nHost: x\r\nX-A: b", None, None),
    (
        "reset-mid-json-body",
        build_request(b"POST", b"/json", JSON, b'{"a":', content_length=1000),
        400,
        None,
    ),
    (
        "reset-mid-multipart-body",
        build_request(
            b"POST",
            b"/form",
            MULTIPART,
            b'--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\nabc',
            content_length=10_000,
        ),
        400,
        None,
    ),
]


@pytest.mark.parametrize(
    ("data", "traced_status", "workers_traced_status"),
    [r[1:] for r in RESETS],
    ids=[r[0] for r in RESETS],
)
def test_client_reset_mid_request(
    server: LiveServer,
    data: bytes,
    traced_status: int | None,
    workers_traced_status: int | None,
) -> None:
    if server.on_worker:
        traced_status = workers_traced_status
    # Named by its own id, so a late trace of another test's request is never taken for it.
    request_id = f"reset-{uuid.uuid4().hex}"
    tagged = data.replace(b"\r\n", f"\r\nX-Request-Id: {request_id}\r\n".encode(), 1)

    reset_after_sending(server, tagged)

    server.assert_alive()
    if server.traced:
        deadline = time.monotonic() + (2.0 if traced_status is not None else 0.3)
        while True:
            statuses = [
                trace["response"]["status"] for trace in server.traces if trace["id"] == request_id
            ]
            if (statuses and traced_status is not None) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        assert statuses == ([] if traced_status is None else [traced_status])
    assert server.take_errors() == []


HOSTILE_MIX = [
    build_request(b"GET", b"/echo%zz?a=%ff"),
    build_request(b"GET", b"/static/%2e%2e/secret.txt"),
    build_request(b"FROBNICATE", b"/"),
    build_request(b"POST", b"/json", JSON, b"{bad"),
    build_request(b"POST", b"/json", JSON, content_length=10**9),
    build_request(b"GET", b"/session", [(b"Cookie", b"session=\xff\xfe")]),
    build_request(b"GET", b"/int/" + b"9" * 5000),
    build_request(b"GET", b"/", [(b"X-Big", b"a" * 70_000)]),
    build_request(b"POST", b"/json", JSON, b"{", content_length=100),
]


def test_a_burst_of_hostile_requests_in_parallel(server: LiveServer) -> None:
    """Each hostile request answers the same in a crowd as alone."""
    alone = [server.send(data, half_close=True).status for data in HOSTILE_MIX]

    with ThreadPoolExecutor(max_workers=16) as pool:
        crowd = list(
            pool.map(lambda data: server.send(data, half_close=True).status, HOSTILE_MIX * 10)
        )

    assert crowd == alone * 10
    server.take_errors()
    server.assert_alive()
