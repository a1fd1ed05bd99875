"""The 503 responder on a real listening socket, the way a client meets it."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator

import pytest

from console.supervisor.unavailable import MAX_CLIENTS, UnavailablePage, UnavailableResponder

PAGE = UnavailablePage(
    "shop",
    "SyntaxError: invalid syntax (shop.py, line 9)",
    'Traceback (most recent call last):\n  File "shop.py", line 9\n    <b>oops</b> +\n',
)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    server = socket.create_server(("127.0.0.1", 0), backlog=512)
    server.setblocking(False)
    yield server
    server.close()


@pytest.fixture
def responder() -> Iterator[UnavailableResponder]:
    running = UnavailableResponder(read_timeout=0.5)
    yield running
    running.close()


def request(
    listener: socket.socket, method: str = "GET", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(*listener.getsockname()[:2], timeout=5)
    connection.request(method, "/cart?id=1", body=b"x" * 100_000, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_every_request_gets_503_with_the_reason_and_the_traceback(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    responder.answer(listener, PAGE)
    connection = http.client.HTTPConnection(*listener.getsockname()[:2], timeout=5)
    connection.request("POST", "/cart", body=b"x" * 100_000)  # a body it never reads
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 503
    assert response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert response.getheader("Connection") == "close"
    assert response.getheader("Retry-After") == "1"
    assert body.startswith("503 Service Unavailable: shop cannot serve right now.")
    assert PAGE.reason in body and "<b>oops</b> +" in body


def test_a_browser_gets_a_small_html_page_with_everything_escaped(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    responder.answer(listener, PAGE)
    connection = http.client.HTTPConnection(*listener.getsockname()[:2], timeout=5)
    connection.request("GET", "/", headers={"Accept": "text/html,application/xhtml+xml"})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    assert response.status == 503
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "<h1>shop cannot serve right now</h1>" in body
    assert "&lt;b&gt;oops&lt;/b&gt;" in body and "<b>oops" not in body


def test_head_gets_the_headers_only(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    responder.answer(listener, PAGE)
    with socket.create_connection(listener.getsockname()[:2], timeout=5) as client:
        client.sendall(b"HEAD / HTTP/1.1\r\nHost: shop\r\n\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503 Service Unavailable") and body == b""


def test_connections_already_waiting_in_the_backlog_are_answered_at_once(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    waiting = [socket.create_connection(listener.getsockname()[:2], timeout=5) for _ in range(3)]
    for client in waiting:
        client.sendall(b"GET / HTTP/1.1\r\nHost: shop\r\n\r\n")
    responder.answer(listener, PAGE)
    for client in waiting:
        assert client.recv(100).startswith(b"HTTP/1.1 503")
        client.close()


def test_a_client_that_never_finishes_its_request_is_answered_after_the_read_timeout(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    responder.answer(listener, PAGE)
    with socket.create_connection(listener.getsockname()[:2], timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: sh")
        assert client.recv(100).startswith(b"HTTP/1.1 503")


def test_released_the_port_is_left_to_whoever_accepts_next(
    listener: socket.socket, responder: UnavailableResponder
) -> None:
    responder.answer(listener, PAGE)
    assert request(listener).status == 503
    responder.release(listener)
    client = socket.create_connection(listener.getsockname()[:2], timeout=5)
    client.sendall(b"GET / HTTP/1.1\r\nHost: shop\r\n\r\n")
    listener.setblocking(True)
    listener.settimeout(5)
    accepted, _ = listener.accept()  # the responder did not take it: it waits for a worker
    accepted.close()
    client.close()


def test_past_the_connection_cap_connections_are_closed_unanswered(
    listener: socket.socket,
) -> None:
    responder = UnavailableResponder(read_timeout=60)
    responder.answer(listener, PAGE)
    address = listener.getsockname()[:2]
    silent = [socket.create_connection(address, timeout=5) for _ in range(MAX_CLIENTS)]
    try:
        extra = socket.create_connection(address, timeout=5)
        assert extra.recv(100) == b"", "closed: the responder holds as many as it may"
        extra.close()
        silent.pop().close()
        deadline = time.monotonic() + 10
        while True:  # the slot frees once the responder sees that client go
            with socket.create_connection(address, timeout=5) as client:
                client.sendall(b"GET / HTTP/1.1\r\nHost: shop\r\n\r\n")
                if client.recv(100).startswith(b"HTTP/1.1 503"):
                    break
            assert time.monotonic() < deadline, "the cap never freed a slot"
    finally:
        for client in silent:
            client.close()
        responder.close()
