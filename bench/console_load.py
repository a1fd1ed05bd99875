"""Load through the console: throughput and p99 latency of a traced demo app served by a real
worker under the supervisor, at 50 and 200 concurrent connections.

`python -m bench.console_load [--quick] [--seconds S] [--connections N ...]`

The supervisor runs here with a listener that counts traces and reported drops, and serves
demo_apps/hook_order.py (two before_request and two after_request hooks, traced). The load
generator (bench/load_generator.py) runs in its own process, so it does not take the GIL from
the supervisor: each of N keep-alive connections sends ``GET /`` with its own
``X-Request-Id``, times it, and sends the next one once the answer is complete, for S
seconds. Every request must answer 200 (the error count must be 0), and every request must
be accounted for: its trace delivered, or counted in a reported drop. Prints a table and
writes bench/results/console_load.json.

The generator is also what tests/console/test_load.py drives, with a shorter duration.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.errors import BenchmarkError
from bench.load_generator import generate_load
from console.protocol import Event, Trace, TracesDropped
from console.supervisor import Supervisor

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_APP = REPOSITORY / "demo_apps" / "hook_order.py"
RESULTS_FILE = Path(__file__).parent / "results" / "console_load.json"


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
    reconnects: int
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
                    reconnects=load.reconnects,
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
        f"{'errors':>6} {'reconnects':>10} {'traces':>7} {'dropped':>7}  accounted",
    ]
    for phase in phases:
        lines.append(
            f"  {phase.connections:>11} {phase.requests_per_second:>10.0f} {phase.p50_ms:>8.1f} "
            f"{phase.p99_ms:>8.1f} {phase.max_ms:>8.1f} {phase.errors:>6} "
            f"{phase.reconnects:>10} {phase.traces:>7} "
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
