"""Trace throughput: how many traces a worker delivers to the supervisor, and what happens
when the supervisor stops reading.

`python -m bench.console_traces [--quick] [--seconds S] [--connections N]`

A load generator in its own process sends GET requests over N concurrent connections to
a traced app run by the supervisor, for S seconds. Phase 1 counts the traces the
supervisor's listener receives: every request must be delivered as a trace (no drops).
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
from console.protocol import Event, Trace, TracesDropped
from console.supervisor import Supervisor

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
GENERATOR = """\
import json, socket, sys, threading, time

port, connections, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
request = b"GET / HTTP/1.0\\r\\nHost: bench\\r\\n\\r\\n"
done = [0] * connections
failed = [0] * connections
deadline = time.monotonic() + seconds


def hammer(index):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(request)
                answer = b""
                while chunk := connection.recv(65536):
                    answer += chunk
            if answer.startswith(b"HTTP/1.0 200"):
                done[index] += 1
            else:
                failed[index] += 1
        except OSError:
            failed[index] += 1


threads = [threading.Thread(target=hammer, args=(i,)) for i in range(connections)]
started = time.monotonic()
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"requests": sum(done), "errors": sum(failed),
                  "seconds": time.monotonic() - started}))
"""


BARE_SERVER = """\
import sys
from werkzeug.serving import WSGIRequestHandler, make_server


class OneRequestPerConnection(WSGIRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_request(self, *args):
        pass


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=OneRequestPerConnection)
print(server.server_port, flush=True)
server.serve_forever()
"""


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


def generate_load(port: int, connections: int, seconds: float) -> dict[str, float]:
    finished = subprocess.run(
        [sys.executable, "-c", GENERATOR, str(port), str(connections), str(seconds)],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    if finished.returncode != 0:
        raise BenchmarkError(f"the load generator failed: {finished.stderr.strip()[-300:]}")
    result: dict[str, float] = json.loads(finished.stdout)
    return result


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
    load = generate_load(port, connections, seconds)
    counter.resume()
    requests = int(load["requests"])
    traces, dropped = settle(counter, before, requests)
    return Phase(name, requests, int(load["errors"]), load["seconds"], traces, dropped)


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


def measure_bare_werkzeug(seconds: float, connections: int) -> float:
    """Requests/s of Werkzeug's threaded server on a bare WSGI app: the ceiling here."""
    server = subprocess.Popen(
        [sys.executable, "-c", BARE_SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        load = generate_load(port, connections, seconds)
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    return load["requests"] / load["seconds"]


def format_report(phases: list[Phase], connections: int, bare: float) -> str:
    lines = [
        f"trace throughput: {connections} concurrent connections, traced app, one worker",
        f"  {'bare werkzeug':<18} {bare:7.0f} requests/s (no framework, no tracing: the ceiling)",
    ]
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
    bare = measure_bare_werkzeug(duration, connections)
    phases = measure(duration, connections)
    print(format_report(phases, connections, bare))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "connections": connections,
        "bare_werkzeug_requests_per_second": bare,
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
