"""Load through the console: throughput and p99 latency of a traced demo app served by a real
worker under the supervisor, at 50 and 200 concurrent connections.

`python -m bench.console_load [--quick] [--seconds S] [--connections N ...]`

The supervisor runs here with a listener that counts traces and reported drops, and serves
demo_apps/hook_order.py (two before_request and two after_request hooks, traced). The load
generator runs in its own process, so its threads do not take the GIL from the supervisor:
each of N threads sends ``GET /`` with its own ``X-Request-Id`` over a fresh connection
(the worker speaks HTTP/1.0), times it, and starts the next one, for S seconds. Every
request must answer 200 (the error count must be 0), and every request must be accounted
for: its trace delivered, or counted in a reported drop. Prints a table and writes
bench/results/console_load.json.

The generator is also what tests/console/test_load.py drives, with a shorter duration.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import BenchmarkError
from console.protocol import Event, Trace, TracesDropped
from console.supervisor import Supervisor

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_APP = REPOSITORY / "demo_apps" / "hook_order.py"
RESULTS_FILE = Path(__file__).parent / "results" / "console_load.json"
REQUEST_TIMEOUT = 30.0


# --- the load generator (runs in its own process) ------------------------------------------


@dataclass
class LoadReport:
    """What the generator saw: answered requests (by id), failures, per-request latency."""

    connections: int
    seconds: float
    ids: list[str]
    errors: int
    error_samples: list[str]
    latencies_ms: list[float]

    @property
    def requests(self) -> int:
        return len(self.ids)

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def hammer(port: int, connections: int, seconds: float, prefix: str = "load") -> LoadReport:
    """``connections`` threads, each sending requests back to back until ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    ids: list[str] = []
    latencies: list[float] = []
    failures: list[str] = []

    def one_connection(index: int) -> None:
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            request_id = f"{prefix}-{index}-{sent}"
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            try:
                connection.request("GET", "/", headers={"X-Request-Id": request_id})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    failures.append(f"{request_id}: {type(error).__name__}: {error}")
                continue
            finally:
                connection.close()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    ids.append(request_id)
                    latencies.append(elapsed)
                else:
                    failures.append(f"{request_id}: status {status}")

    threads = [threading.Thread(target=one_connection, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadReport(
        connections=connections,
        seconds=time.monotonic() - started,
        ids=ids,
        errors=len(failures),
        error_samples=failures[:5],
        latencies_ms=latencies,
    )


def generator_main(argv: Sequence[str]) -> None:
    """``PORT CONNECTIONS SECONDS [PREFIX]``: run the load and print its report as JSON."""
    port, connections, seconds = int(argv[0]), int(argv[1]), float(argv[2])
    prefix = argv[3] if len(argv) > 3 else "load"
    print(json.dumps(asdict(hammer(port, connections, seconds, prefix))))


def generate_load(port: int, connections: int, seconds: float, prefix: str = "load") -> LoadReport:
    """Run :func:`hammer` in a separate process and return its report."""
    script = (
        "import sys; from bench.console_load import generator_main; generator_main(sys.argv[1:])"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script, str(port), str(connections), str(seconds), prefix],
        capture_output=True,
        text=True,
        timeout=seconds + REQUEST_TIMEOUT + 30,
        cwd=REPOSITORY,
    )
    if finished.returncode != 0:
        raise BenchmarkError(f"the load generator failed: {finished.stderr.strip()[-300:]}")
    return LoadReport(**json.loads(finished.stdout))


# --- the measuring side ---------------------------------------------------------------------


class TraceTally:
    """The supervisor's listener: the ids of delivered traces and the drops reported."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.dropped = 0
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        if isinstance(event, Trace):
            with self._lock:
                self.ids.append(event.request_id or "")
        elif isinstance(event, TracesDropped):
            with self._lock:
                self.dropped += event.dropped

    def snapshot(self) -> tuple[int, int]:
        with self._lock:
            return len(self.ids), self.dropped

    def wait_for(self, total: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while sum(self.snapshot()) < total and time.monotonic() < deadline:
            time.sleep(0.05)


@dataclass
class Phase:
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    traces: int
    dropped: int

    @property
    def accounted(self) -> bool:
        return self.traces + self.dropped == self.requests


def measure(connections_list: Sequence[int], seconds: float) -> list[Phase]:
    tally = TraceTally()
    with Supervisor([str(DEMO_APP)], tally, cwd=str(REPOSITORY), watch=False) as supervisor:
        deadline = time.monotonic() + 30
        while supervisor.app("hook_order").status.state.value != "running":
            if time.monotonic() > deadline:
                raise BenchmarkError("demo_apps/hook_order.py did not start within 30 s")
            time.sleep(0.05)
        port = supervisor.app("hook_order").port
        phases = []
        for connections in connections_list:
            before = tally.snapshot()
            load = generate_load(port, connections, seconds, prefix=f"c{connections}")
            tally.wait_for(sum(before) + load.requests, timeout=20)
            after = tally.snapshot()
            phases.append(
                Phase(
                    connections=connections,
                    seconds=load.seconds,
                    requests=load.requests,
                    requests_per_second=load.requests_per_second,
                    p50_ms=load.percentile(0.50),
                    p99_ms=load.percentile(0.99),
                    max_ms=max(load.latencies_ms, default=math.nan),
                    errors=load.errors,
                    traces=after[0] - before[0],
                    dropped=after[1] - before[1],
                )
            )
            if load.errors:
                print(f"  errors at {connections} connections, e.g. {load.error_samples}")
    return phases


def format_report(phases: Sequence[Phase]) -> str:
    lines = [
        "console load: demo_apps/hook_order.py, traced, one worker under the supervisor",
        f"  {'connections':>11} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6} {'traces':>7} {'dropped':>7}  accounted",
    ]
    for phase in phases:
        lines.append(
            f"  {phase.connections:>11} {phase.requests_per_second:>10.0f} {phase.p50_ms:>8.1f} "
            f"{phase.p99_ms:>8.1f} {phase.max_ms:>8.1f} {phase.errors:>6} {phase.traces:>7} "
            f"{phase.dropped:>7}  {'yes' if phase.accounted else 'NO'}"
        )
    return "\n".join(lines)


def run(quick: bool, seconds: float | None = None, connections: Sequence[int] = (50, 200)) -> None:
    duration = seconds or (3.0 if quick else 10.0)
    phases = measure(connections, duration)
    print(format_report(phases))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "app": "demo_apps/hook_order.py",
        "seconds_per_phase": duration,
        "phases": [{**asdict(p), "accounted": p.accounted} for p in phases],
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    failed = [p for p in phases if p.errors or not p.accounted]
    if failed:
        raise BenchmarkError(
            f"{sum(p.errors for p in failed)} failed requests or unaccounted traces "
            f"at {', '.join(str(p.connections) for p in failed)} connections"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_load")
    parser.add_argument("--quick", action="store_true", help="3 s phases instead of 10 s")
    parser.add_argument("--seconds", type=float, help="length of each phase")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[50, 200], help="one phase per count"
    )
    args = parser.parse_args(argv)
    try:
        run(args.quick, args.seconds, args.connections)
    except BenchmarkError as error:
        print(f"console_load: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
