"""Trace throughput: how many traces a worker delivers to the supervisor, and what happens
when the supervisor stops reading.

`python -m bench.console_traces [--quick] [--seconds S] [--connections N]`

A load generator in its own process (bench/load_generator.py) sends GET requests to a traced
app run by the supervisor over N concurrent keep-alive connections for S seconds, each
connection sending its next request once the previous answer is complete, as browsers and
wrk do. Phase 1 counts the traces the supervisor's listener receives: every request must be
delivered as a trace (no drops).
Phase 2 blocks the listener, as a consumer that stopped reading, under the same load: the
requests must keep being served at the same rate, and every request must then be accounted
for — delivered as a trace, or counted in a reported drop. Prints a summary and writes
bench/results/console_traces.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import BenchmarkError
from bench.load_generator import generate_load
from console.protocol import Event, Trace, TracesDropped
from console.supervisor import Supervisor

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS_FILE = Path(__file__).parent / "results" / "console_traces.json"
APP_SOURCE = """\
from framework import App, g

app = App(__name__)


@app.before_request
def remember() -> None:
    g.seen = True


@app.after_request
def stamp(response):
    response.headers["X-Bench"] = "1"
    return response


@app.route("/")
def index() -> str:
    return "ok"
"""
BARE_SERVER = """\
import sys
from werkzeug.serving import WSGIRequestHandler, make_server

from console.worker_http import WorkerHTTPServer


class QuietWerkzeugHandler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_request(self, *args):
        pass


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


if sys.argv[1] == "werkzeug":
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietWerkzeugHandler)
else:
    server = WorkerHTTPServer("127.0.0.1", 0, app)
print(server.server_port, flush=True)
server.serve_forever()
"""
#: The servers the traced worker is compared with, on a bare WSGI app (no framework).
BARE_SERVERS = {
    "werkzeug": "Werkzeug's own handler (it closes every connection after one response)",
    "keep-alive": "the worker's HTTP layer, console/worker_http/, without framework",
}


class TraceCounter:
    """The supervisor's listener: counts traces and drops; can be paused like a stuck UI."""

    def __init__(self) -> None:
        self.traces = 0
        self.dropped = 0
        self._lock = threading.Lock()
        self._running = threading.Event()
        self._running.set()

    def __call__(self, event: Event) -> None:
        self._running.wait()
        with self._lock:
            if isinstance(event, Trace):
                self.traces += 1
            elif isinstance(event, TracesDropped):
                self.dropped += event.dropped

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return self.traces, self.dropped

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()


@dataclass
class Phase:
    name: str
    requests: int
    errors: int
    seconds: float
    traces: int
    dropped: int

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def accounted(self) -> bool:
        return self.traces + self.dropped == self.requests


def settle(
    counter: TraceCounter, before: tuple[int, int], expected: int, timeout: float = 15.0
) -> tuple[int, int]:
    """Wait until ``expected`` requests since ``before`` are accounted for; returns the counts."""
    deadline = time.monotonic() + timeout
    while True:
        traces, dropped = counter.snapshot()
        traces, dropped = traces - before[0], dropped - before[1]
        if traces + dropped >= expected or time.monotonic() > deadline:
            return traces, dropped
        time.sleep(0.05)


def run_phase(
    name: str, counter: TraceCounter, port: int, connections: int, seconds: float, paused: bool
) -> Phase:
    before = counter.snapshot()
    if paused:
        counter.pause()
    load = generate_load(port, connections, seconds, prefix=None)
    counter.resume()
    traces, dropped = settle(counter, before, load.requests)
    return Phase(name, load.requests, load.errors, load.seconds, traces, dropped)


def measure(seconds: float, connections: int) -> list[Phase]:
    counter = TraceCounter()
    with tempfile.TemporaryDirectory(prefix="hookscope-traces-") as directory:
        source = Path(directory) / "traced_app.py"
        source.write_text(APP_SOURCE)
        with Supervisor([str(source)], counter, cwd=directory, watch=False) as supervisor:
            port = supervisor.app("traced_app").port
            deadline = time.monotonic() + 30
            while supervisor.app("traced_app").status.state.value != "running":
                if time.monotonic() > deadline:
                    raise BenchmarkError("the traced app did not start within 30 s")
                time.sleep(0.05)
            return [
                run_phase("consumer keeps up", counter, port, connections, seconds, False),
                run_phase("consumer stopped", counter, port, connections, seconds, True),
            ]


def measure_bare(server_name: str, seconds: float, connections: int) -> float:
    """Requests/s of a threaded server on a bare WSGI app, under the same load generator."""
    server = subprocess.Popen(
        [sys.executable, "-c", BARE_SERVER, server_name],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        load = generate_load(port, connections, seconds, prefix=None)
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    if load.errors:
        raise BenchmarkError(f"the bare {server_name} server failed: {load.error_samples}")
    return load.requests_per_second


def format_report(phases: list[Phase], connections: int, bare: dict[str, float]) -> str:
    lines = [
        f"trace throughput: {connections} keep-alive connections, traced app, one worker",
    ]
    for name, rate in bare.items():
        lines.append(f"  {'bare ' + name:<18} {rate:7.0f} requests/s ({BARE_SERVERS[name]})")
    for phase in phases:
        lines.append(
            f"  {phase.name:<18} {phase.requests_per_second:7.0f} requests/s "
            f"({phase.requests} in {phase.seconds:.1f} s, {phase.errors} errors); "
            f"{phase.traces} traces delivered, {phase.dropped} dropped and reported; "
            f"{'every request accounted for' if phase.accounted else 'REQUESTS UNACCOUNTED'}"
        )
    return "\n".join(lines)


def run(quick: bool, seconds: float | None = None, connections: int = 16) -> list[Phase]:
    duration = seconds or (3.0 if quick else 10.0)
    bare = {name: measure_bare(name, duration, connections) for name in BARE_SERVERS}
    phases = measure(duration, connections)
    print(format_report(phases, connections, bare))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "connections": connections,
        "generator": "bench/load_generator.py: one process, HTTP/1.1 keep-alive, no pipelining",
        "bare_requests_per_second": bare,
        "phases": [
            {**asdict(p), "requests_per_second": p.requests_per_second, "accounted": p.accounted}
            for p in phases
        ],
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return phases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_traces")
    parser.add_argument("--quick", action="store_true", help="3 s phases instead of 10 s")
    parser.add_argument("--seconds", type=float, help="length of each phase")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    try:
        run(args.quick, args.seconds, args.connections)
    except BenchmarkError as error:
        print(f"console_traces: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
