"""The composer's HTTP client: reading or clearing the jar never waits on the network."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from console.ui.exchange import OutgoingRequest
from console.ui.http_bridge import TestClient


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """Answers after the test lets it (a view that takes its time), with a cookie."""

    arrived = threading.Event()
    release = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.arrived.set()
        self.release.wait(30)
        self.send_response(200)
        self.send_header("Set-Cookie", "seen=1; Path=/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    SlowHandler.arrived.clear()
    SlowHandler.release.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        SlowHandler.release.set()
        server.shutdown()
        server.server_close()


def test_clearing_the_jar_does_not_wait_for_a_request_in_flight(slow_server: str) -> None:
    client = TestClient(slow_server)
    exchanges: list[object] = []
    sending = threading.Thread(
        target=lambda: exchanges.append(client.send(OutgoingRequest("GET", "/"))), daemon=True
    )
    try:
        sending.start()
        assert SlowHandler.arrived.wait(10), "the request never reached the server"
        cleared = threading.Event()
        clearing = threading.Thread(
            target=lambda: (client.clear_cookies(), client.cookies(), cleared.set()), daemon=True
        )
        clearing.start()
        assert cleared.wait(10), "clearing the jar waited for the request in flight"
        assert not exchanges  # the request was still in flight while the jar was cleared
        SlowHandler.release.set()
        sending.join(10)
        assert [name for name, _, _ in client.cookies()] == ["seen"]
    finally:
        SlowHandler.release.set()
        client.close()
