"""Slow and idle clients: what hundreds of connections that send nothing, or a request head a
byte a second, cost a worker, and whether a normal request still gets through.

`python -m bench.slow_clients [--quick] [--idle N] [--slow N] [--seconds S]`

The supervisor serves demo_apps/hook_order.py (traced), as the console does. The bench
reads the worker's resident memory and thread count from /proc, then opens N idle
connections (half of them after one request, kept alive; half that never send a byte) and
M slowloris connections, each sending one byte of a request head per second and opening
again when the worker cuts it, as an attacker would. For S seconds a probe sends a normal
``GET /`` on a new connection every 50 ms and times it, while the worker's threads and
memory are sampled. Then every connection closes, and once the worker's idle threads have
ended, its memory is read again.

Issue 17's targets: the probe's p99 at most 50 ms, the thread count bounded, and the
resident memory back within 10 MB of where it started. Prints a summary and writes
bench/results/slow_clients.json. A timing benchmark: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.errors import BenchmarkError
from console.protocol import Event, Ready
from console.supervisor import Supervisor

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_APP = REPOSITORY / "demo_apps" / "hook_order.py"
RESULTS_FILE = Path(__file__).parent / "results" / "slow_clients.json"
PROBE_INTERVAL = 0.05
#: A request head sent a byte at a time, never finished within the worker's patience.
SLOW_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Padding: " + b"p" * 200


@dataclass
class WorkerSample:
    rss_mb: float
    threads: int


def sample(pid: int) -> WorkerSample:
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return WorkerSample(int(fields["VmRSS"].split()[0]) / 1024, int(fields["Threads"]))


@dataclass
class Report:
    idle: int
    slow: int
    seconds: float
    baseline: WorkerSample
    peak_threads: int
    peak_rss_mb: float
    after: WorkerSample
    probe_ms: list[float] = field(default_factory=list)
    probe_failures: list[str] = field(default_factory=list)
    slow_reconnects: int = 0

    def percentile(self, fraction: float) -> float:
        if not self.probe_ms:
            return math.nan
        ordered = sorted(self.probe_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class SlowLoris:
    """``count`` connections, each sending one more byte of :data:`SLOW_HEAD` per second."""

    def __init__(self, port: int, count: int) -> None:
        self._port = port
        self._clients = [self._open() for _ in range(count)]
        self._sent = [0] * count
        self._stop = threading.Event()
        self.reconnects = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket:
        client = socket.create_connection(("127.0.0.1", self._port), timeout=5)
        client.setblocking(False)
        return client

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            for index in range(len(self._clients)):
                if not self._send_next_byte(index):
                    self._clients[index].close()  # cut (408, or closed): it comes back
                    self._clients[index] = self._open()
                    self._sent[index] = 0
                    self.reconnects += 1

    def _send_next_byte(self, index: int) -> bool:
        client = self._clients[index]
        try:
            client.recv(65536)
            return False  # the worker answered or closed
        except BlockingIOError:
            pass  # still held
        except OSError:
            return False
        position = self._sent[index] % len(SLOW_HEAD)
        try:
            client.send(SLOW_HEAD[position : position + 1])
        except OSError:
            return False
        self._sent[index] += 1
        return True

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for client in self._clients:
            client.close()


def open_idle(port: int, count: int) -> list[socket.socket]:
    """Half kept alive after one request, half that never send anything."""
    clients = []
    for index in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        if index % 2 == 0:
            client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            read_response(client)
        clients.append(client)
    return clients


def read_response(client: socket.socket) -> bytes:
    """One response with a Content-Length (the demo app's)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the response")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid-body")
        body += chunk
    return head


class Probe:
    """Normal requests, each on a new connection, one every :data:`PROBE_INTERVAL`."""

    def __init__(self, port: int) -> None:
        self._port = port
        self.latencies_ms: list[float] = []
        self.failures: list[str] = []

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._request()
            time.sleep(PROBE_INTERVAL)

    def _request(self) -> None:
        started = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", self._port), timeout=10) as client:
                client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                head = read_response(client)
        except OSError as error:
            self.failures.append(repr(error))
            return
        if head.startswith(b"HTTP/1.1 200"):
            self.latencies_ms.append((time.perf_counter() - started) * 1000)
        else:
            self.failures.append(head.split(b"\r\n", 1)[0].decode())


def measure(idle: int, slow: int, seconds: float) -> Report:
    ready: list[Ready] = []

    def listen(event: Event) -> None:
        if isinstance(event, Ready):
            ready.append(event)

    with Supervisor([str(DEMO_APP)], listen, cwd=str(REPOSITORY), watch=False) as supervisor:
        deadline = time.monotonic() + 30
        while not ready:
            if time.monotonic() > deadline:
                raise BenchmarkError("demo_apps/hook_order.py did not start within 30 s")
            time.sleep(0.05)
        pid, port = ready[0].pid, supervisor.app("hook_order").port
        Probe(port).run(1.0)  # the app's first requests import and build what they need
        baseline = sample(pid)
        idle_clients = open_idle(port, idle)
        loris = SlowLoris(port, slow)
        loris.start()
        report = Report(idle, slow, seconds, baseline, baseline.threads, baseline.rss_mb, baseline)
        probe = Probe(port)
        prober = threading.Thread(target=probe.run, args=(seconds,))
        prober.start()
        while prober.is_alive():
            now = sample(pid)
            report.peak_threads = max(report.peak_threads, now.threads)
            report.peak_rss_mb = max(report.peak_rss_mb, now.rss_mb)
            prober.join(0.2)
        loris.stop()
        for client in idle_clients:
            client.close()
        report.probe_ms, report.probe_failures = probe.latencies_ms, probe.failures
        report.slow_reconnects = loris.reconnects
        settle = time.monotonic() + 30
        while sample(pid).threads > baseline.threads and time.monotonic() < settle:
            time.sleep(0.5)
        report.after = sample(pid)
    return report


def format_report(report: Report) -> str:
    rss_change = report.after.rss_mb - report.baseline.rss_mb
    return "\n".join(
        [
            "slow clients: demo_apps/hook_order.py, traced, one worker under the supervisor",
            f"  {report.idle} idle and {report.slow} slowloris connections for "
            f"{report.seconds:.0f} s ({report.slow_reconnects} slowloris reconnects after cuts)",
            f"  probe: {len(report.probe_ms)} requests, p50 {report.percentile(0.5):.1f} ms, "
            f"p99 {report.percentile(0.99):.1f} ms, max {max(report.probe_ms, default=0):.1f} ms, "
            f"{len(report.probe_failures)} failed",
            f"  threads: {report.baseline.threads} before, {report.peak_threads} at most, "
            f"{report.after.threads} after",
            f"  RSS: {report.baseline.rss_mb:.1f} MB before, {report.peak_rss_mb:.1f} MB at most, "
            f"{report.after.rss_mb:.1f} MB after ({rss_change:+.1f} MB)",
        ]
    )


def run(quick: bool, idle: int = 500, slow: int = 200, seconds: float | None = None) -> Report:
    duration = seconds or (5.0 if quick else 20.0)
    report = measure(idle, slow, duration)
    print(format_report(report))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        **asdict(report),
        "probe_p50_ms": report.percentile(0.5),
        "probe_p99_ms": report.percentile(0.99),
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if report.probe_failures:
        raise BenchmarkError(f"probe requests failed: {report.probe_failures[:3]}")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_clients")
    parser.add_argument("--quick", action="store_true", help="5 s instead of 20 s")
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--seconds", type=float, help="how long the slow clients stay")
    args = parser.parse_args(argv)
    try:
        run(args.quick, args.idle, args.slow, args.seconds)
    except BenchmarkError as error:
        print(f"slow_clients: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
