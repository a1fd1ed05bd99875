"""An HTTP/1.1 keep-alive load generator: one process, N connections, non-blocking sockets.

`python -m bench.load_generator PORT CONNECTIONS SECONDS [--prefix P] [--path PATH] [--rate N]`

Each connection sends ``GET`` and, once the response is complete (its Content-Length or
its chunked body read), sends the next one on the same connection, as a browser, curl, wrk
or httpx does; no pipelining. A response with ``Connection: close`` (or a server closing an
idle connection) makes the connection reconnect, which is counted, not a failure; a
connection that closes or resets before the response is complete is a failure. With a
PREFIX every request carries ``X-Request-Id: PREFIX-CONNECTION-N``, so a trace can be
matched to it. With a RATE, requests start no faster than RATE per second in all (an
open-loop pace, as a steady stream of browsers would send them); without one, every
connection sends its next request as soon as its response is in.

One thread drives every connection through ``selectors``, so the generator costs little
CPU per request and leaves the cores to the server it measures (a thread per connection
spends most of a core on its own GIL handoffs).
"""

from __future__ import annotations

import argparse
import json
import math
import selectors
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.errors import BenchmarkError

REPOSITORY = Path(__file__).resolve().parent.parent
#: A request with no answer for this long is a failure.
REQUEST_TIMEOUT = 30.0
_MAX_ERROR_SAMPLES = 5


@dataclass
class LoadReport:
    """What the generator saw: answered requests (by id), failures, per-request latency."""

    connections: int
    seconds: float
    ids: list[str]
    errors: int
    error_samples: list[str]
    latencies_ms: list[float]
    reconnects: int = 0
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


class ResponseReader:
    """Finds where one HTTP/1.x response ends in the bytes received so far."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.status = 0
        self.close_after = False
        self._head_end = -1
        self._length: int | None = None
        self._chunked = False
        self._chunk_at = 0

    def feed(self, data: bytes) -> bool:
        """Add received bytes; True once the response is complete."""
        self.buffer += data
        if self._head_end < 0 and not self._parse_head():
            return False
        if self._chunked:
            return self._chunks_complete()
        if self._length is not None:
            return len(self.buffer) - self._head_end >= self._length
        return False  # the body ends when the server closes the connection

    def complete_at_close(self) -> bool:
        """A body without a length is complete when the connection closes."""
        return self._head_end >= 0 and self._length is None and not self._chunked

    def _parse_head(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        self._head_end = end + 4
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        version, _, rest = lines[0].partition(" ")
        self.status = int(rest[:3])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        connection = headers.get("connection", "")
        self.close_after = connection == "close" or (
            version == "HTTP/1.0" and connection != "keep-alive"
        )
        if "chunked" in headers.get("transfer-encoding", ""):
            self._chunked = True
            self._chunk_at = self._head_end
        elif "content-length" in headers:
            self._length = int(headers["content-length"])
        elif self.status in (204, 304) or self.status < 200:
            self._length = 0
        return True

    def _chunks_complete(self) -> bool:
        while True:
            line_end = self.buffer.find(b"\r\n", self._chunk_at)
            if line_end < 0:
                return False
            size = int(bytes(self.buffer[self._chunk_at : line_end]).split(b";")[0], 16)
            if size == 0:
                return self.buffer.endswith(b"\r\n\r\n") and len(self.buffer) >= line_end + 4
            chunk_end = line_end + 2 + size + 2
            if len(self.buffer) < chunk_end:
                return False
            self._chunk_at = chunk_end


class Connection:
    """One client connection: its socket, the request in flight and its response so far."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.sent = 0
        self.socket: socket.socket | None = None
        self.outgoing = b""
        self.started = 0.0
        self.request_id = ""
        self.reader = ResponseReader()
        self.fresh = True
        self.registered = False


class LoadGenerator:
    """Keeps ``connections`` requests in flight until ``seconds`` have passed."""

    def __init__(
        self,
        port: int,
        connections: int,
        seconds: float,
        prefix: str | None,
        path: str,
        rate: float | None = None,
    ) -> None:
        self._address = ("127.0.0.1", port)
        self._seconds = seconds
        self._prefix = prefix
        self._path = path
        self._selector = selectors.DefaultSelector()
        self._connections = [Connection(i) for i in range(connections)]
        self._deadline = 0.0
        self._interval = 1.0 / rate if rate else 0.0
        self._next_slot = 0.0
        #: Connections paced by the rate, each with the time its next request may start.
        self._waiting: deque[tuple[float, Connection]] = deque()
        self.report = LoadReport(connections, 0.0, [], 0, [], [])

    def run(self) -> LoadReport:
        started = time.monotonic()
        self._deadline = started + self._seconds
        for idle in self._connections:
            self._send_next(idle)
        next_timeout_check = started + 1.0
        while self._selector.get_map() or self._waiting:
            timeout = 1.0
            if self._waiting:
                timeout = max(min(timeout, self._waiting[0][0] - time.monotonic()), 0.0)
            for key, events in self._selector.select(timeout=timeout):
                connection: Connection = key.data
                if events & selectors.EVENT_WRITE:
                    self._write(connection)
                elif events & selectors.EVENT_READ:
                    self._read(connection)
            now = time.monotonic()
            while self._waiting and self._waiting[0][0] <= now:
                paced = self._waiting.popleft()[1]
                if now < self._deadline:
                    self._start_request(paced)
                else:
                    self._close(paced)
            if now >= next_timeout_check:
                next_timeout_check = now + 1.0
                self._fail_overdue(now)
        self.report.seconds = time.monotonic() - started
        self._selector.close()
        return self.report

    def _fail_overdue(self, now: float) -> None:
        for connection in self._connections:
            if connection.socket is not None and now - connection.started > REQUEST_TIMEOUT:
                self._fail(connection, f"no answer within {REQUEST_TIMEOUT:.0f} s")

    def _send_next(self, connection: Connection) -> None:
        now = time.monotonic()
        if now >= self._deadline:
            self._close(connection)
            return
        if self._interval:
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
            if slot > now:
                if connection.registered:  # idle until its slot: nothing to read meanwhile
                    assert connection.socket is not None
                    self._selector.unregister(connection.socket)
                    connection.registered = False
                self._waiting.append((slot, connection))
                return
        self._start_request(connection)

    def _start_request(self, connection: Connection) -> None:
        if connection.socket is None:
            try:
                connection.socket = self._connect()
            except OSError as error:
                self._count_error(connection, f"connect: {type(error).__name__}: {error}")
                return
            connection.fresh = True
        if connection.registered:
            self._selector.modify(connection.socket, selectors.EVENT_WRITE, connection)
        else:
            self._selector.register(connection.socket, selectors.EVENT_WRITE, connection)
            connection.registered = True
        connection.sent += 1
        headers = f"GET {self._path} HTTP/1.1\r\nHost: {self._address[0]}\r\n"
        if self._prefix is not None:
            connection.request_id = f"{self._prefix}-{connection.index}-{connection.sent}"
            headers += f"X-Request-Id: {connection.request_id}\r\n"
        connection.outgoing = (headers + "\r\n").encode("ascii")
        connection.reader = ResponseReader()
        connection.started = time.monotonic()

    def _connect(self) -> socket.socket:
        client = socket.create_connection(self._address, timeout=REQUEST_TIMEOUT)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.setblocking(False)
        return client

    def _write(self, connection: Connection) -> None:
        assert connection.socket is not None
        try:
            written = connection.socket.send(connection.outgoing)
        except BlockingIOError:
            return
        except OSError as error:
            self._fail(connection, f"send: {type(error).__name__}: {error}")
            return
        connection.outgoing = connection.outgoing[written:]
        if not connection.outgoing:
            self._selector.modify(connection.socket, selectors.EVENT_READ, connection)

    def _read(self, connection: Connection) -> None:
        assert connection.socket is not None
        try:
            data = connection.socket.recv(65536)
        except BlockingIOError:
            return
        except OSError as error:
            self._fail(connection, f"recv: {type(error).__name__}: {error}")
            return
        reader = connection.reader
        if not data:
            if reader.complete_at_close():
                self._answered(connection)
                self._close(connection)
                self._send_next(connection)
            elif not reader.buffer and not connection.fresh:
                # an idle connection the server closed just as this request left: a client
                # resends on a new connection (RFC 9112, 9.3.1); count it and do so
                self.report.reconnects += 1
                connection.sent -= 1
                self._close(connection)
                self._send_next(connection)
            else:
                self._fail(connection, "the server closed the connection before answering")
            return
        if reader.feed(data):
            self._answered(connection)
            connection.fresh = False
            if reader.close_after:
                self.report.reconnects += 1
                self._close(connection)
            self._send_next(connection)

    def _answered(self, connection: Connection) -> None:
        status = connection.reader.status
        key = str(status)
        self.report.statuses[key] = self.report.statuses.get(key, 0) + 1
        if status >= 400:
            self._count_error(connection, f"status {status}")
            return
        self.report.latencies_ms.append((time.monotonic() - connection.started) * 1000)
        if self._prefix is not None:
            self.report.ids.append(connection.request_id)

    def _fail(self, connection: Connection, reason: str) -> None:
        self._count_error(connection, reason)
        self._close(connection)
        self._send_next(connection)

    def _count_error(self, connection: Connection, reason: str) -> None:
        self.report.errors += 1
        if len(self.report.error_samples) < _MAX_ERROR_SAMPLES:
            label = connection.request_id or f"connection {connection.index}"
            self.report.error_samples.append(f"{label}: {reason}")

    def _close(self, connection: Connection) -> None:
        if connection.socket is not None:
            if connection.registered:
                self._selector.unregister(connection.socket)
                connection.registered = False
            connection.socket.close()
            connection.socket = None


def hammer(
    port: int,
    connections: int,
    seconds: float,
    prefix: str | None = None,
    path: str = "/",
    rate: float | None = None,
) -> LoadReport:
    """Run the load in this process (see the module docstring)."""
    return LoadGenerator(port, connections, seconds, prefix, path, rate).run()


def generate_load(
    port: int,
    connections: int,
    seconds: float,
    prefix: str | None = "load",
    path: str = "/",
    rate: float | None = None,
) -> LoadReport:
    """Run :func:`hammer` in a process of its own, so it does not share this one's GIL."""
    command = [sys.executable, "-m", "bench.load_generator", str(port), str(connections)]
    command += [str(seconds), "--path", path]
    if prefix is not None:
        command += ["--prefix", prefix]
    if rate is not None:
        command += ["--rate", str(rate)]
    finished = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=seconds + REQUEST_TIMEOUT + 30,
        cwd=REPOSITORY,
    )
    if finished.returncode != 0:
        raise BenchmarkError(f"the load generator failed: {finished.stderr.strip()[-300:]}")
    return LoadReport(**json.loads(finished.stdout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_generator")
    parser.add_argument("port", type=int)
    parser.add_argument("connections", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("--prefix", help="send X-Request-Id: PREFIX-CONNECTION-N")
    parser.add_argument("--path", default="/")
    parser.add_argument("--rate", type=float, help="start at most RATE requests per second")
    args = parser.parse_args(argv)
    if args.connections < 1 or args.seconds <= 0:
        parser.error("connections must be at least 1 and seconds more than 0")
    if args.rate is not None and args.rate <= 0:
        parser.error("rate must be more than 0")
    report = hammer(args.port, args.connections, args.seconds, args.prefix, args.path, args.rate)
    print(json.dumps(asdict(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
