"""The load generator against a real keep-alive server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load_generator import hammer


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        body = self.headers.get("X-Request-Id", "no id").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), KeepAliveHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_every_request_is_answered_and_named_by_its_id(port: int) -> None:
    report = hammer(port, connections=4, seconds=0.5, prefix="t")
    assert report.errors == 0, report.error_samples
    assert report.requests > 0
    assert len(set(report.ids)) == report.requests
    assert all(request_id.startswith("t-") for request_id in report.ids)


def test_a_rate_never_sends_ahead_of_its_schedule(port: int) -> None:
    # Unpaced, four keep-alive connections send thousands of requests a second here; how
    # many paced ones a loaded machine manages to send is for the benchmark to report.
    report = hammer(port, connections=4, seconds=1.0, rate=100)
    assert report.errors == 0, report.error_samples
    assert 0 < report.requests <= 102
