"""Reload latency: from saving a file to the first response served by the new code.

`python -m bench.console_reload [--quick] [--edits N]`

A one-route app is edited N times (20 by default); each edit is timed from the file write
to the first HTTP response that carries the new version, polling every 3 ms over a fresh
connection. A second client polls the app all along and counts every failed or refused
request. The same app and the same edits then run under Werkzeug's own reloader
(`run_simple(..., use_reloader=True)`, the stat and the watchdog types), in the same run.
Prints a table and writes bench/results/console_reload.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.errors import BenchmarkError

RESULTS_FILE = Path(__file__).parent / "results" / "console_reload.json"
POLL_INTERVAL = 0.003
#: Seconds between one edit being served and the next edit, drawn at random from this range:
#: a fixed pause phase-locks the edits to a polling reloader's 1 s scan (Werkzeug's stat
#: type), which then looks as fast or as slow as the chosen pause makes it.
PAUSE_BETWEEN_EDITS = (1.0, 2.0)
APP_SOURCE = """\
from framework import App

app = App(__name__)


@app.route("/")
def index() -> str:
    return "{version}"
"""


@dataclass
class ReloadResult:
    """The latencies of one reloader (ms), and what went wrong meanwhile."""

    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failed_requests: int = 0
    never_served: int = 0
    requests: int = 0

    def percentile(self, fraction: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]

    @property
    def p50(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None


def fetch(port: int, timeout: float = 2.0) -> str:
    """GET / over a new connection; raises OSError (or HTTPException) when it fails."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/")
        response = connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise OSError(f"status {response.status}")
        return body
    finally:
        connection.close()


class FailureCounter:
    """Polls the app all along and counts requests that fail (refused, reset, not 200)."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._stop = threading.Event()
        self.requests = 0
        self.failures = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FailureCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.requests += 1
            try:
                fetch(self._port, timeout=5.0)
            except (OSError, http.client.HTTPException):
                self.failures += 1
            time.sleep(0.005)


def time_edits(
    result: ReloadResult,
    source: Path,
    port: int,
    edits: int,
    timeout: float,
    give_up_after: int = 3,
) -> None:
    """Edit ``source`` ``edits`` times and time each edit until its version is served."""
    misses_in_a_row = 0
    pauses = random.Random(20)  # the same pauses for every contender
    with FailureCounter(port) as counter:
        for number in range(1, edits + 1):
            version = f"{result.name} edit {number}"
            started = time.perf_counter()
            source.write_text(APP_SOURCE.format(version=version))
            served = False
            while time.perf_counter() - started < timeout:
                try:
                    served = fetch(port) == version
                except (OSError, http.client.HTTPException):
                    result.failed_requests += 1
                if served:
                    break
                time.sleep(POLL_INTERVAL)
            if served:
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                misses_in_a_row = 0
            else:
                result.never_served += 1
                misses_in_a_row += 1
                if misses_in_a_row >= give_up_after:
                    result.never_served += edits - number
                    break
            time.sleep(pauses.uniform(*PAUSE_BETWEEN_EDITS))
    result.failed_requests += counter.failures
    result.requests = counter.requests


def wait_until_served(port: int, version: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if fetch(port) == version:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.02)
    raise BenchmarkError(f"the app never served {version!r} within {timeout:g} s")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def app_directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hookscope-reload-") as directory:
        source = Path(directory) / "reload_app.py"
        source.write_text(APP_SOURCE.format(version="start"))
        yield source


def measure_hookscope(edits: int) -> ReloadResult:
    from console.supervisor import Supervisor

    result = ReloadResult("hookscope")
    with app_directory() as source:
        supervisor = Supervisor([str(source)], lambda event: None, cwd=str(source.parent))
        with supervisor:
            port = supervisor.app("reload_app").port
            wait_until_served(port, "start", timeout=30)
            time.sleep(1.0)  # the warm spare is starting
            time_edits(result, source, port, edits, timeout=10)
    return result


def measure_werkzeug(reloader_type: str, edits: int) -> ReloadResult:
    result = ReloadResult(f"werkzeug {reloader_type}")
    with app_directory() as source:
        port = free_port()
        script = (
            "import sys; sys.path.insert(0, '.')\n"
            "from werkzeug.serving import run_simple\n"
            "from reload_app import app\n"
            f"run_simple('127.0.0.1', {port}, app, use_reloader=True, "
            f"reloader_type={reloader_type!r})\n"
        )
        server = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=source.parent,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until_served(port, "start", timeout=60)
            time.sleep(1.0)
            time_edits(result, source, port, edits, timeout=5)
        finally:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    return result


def format_table(results: list[ReloadResult], edits: int) -> str:
    lines = [
        f"reload latency: {edits} edits of a one-route app, file write -> first response "
        "from the new code",
        f"{'':<20}{'p50':>10}{'p95':>10}{'max':>10}{'failed':>9}{'never':>7}{'polls':>8}",
    ]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} ms"

    for result in results:
        top = max(result.latencies_ms) if result.latencies_ms else None
        lines.append(
            f"{result.name:<20}{ms(result.p50):>10}{ms(result.percentile(0.95)):>10}"
            f"{ms(top):>10}{result.failed_requests:>9}{result.never_served:>7}"
            f"{result.requests:>8}"
        )
    ours, stat = results[0], next((r for r in results if r.name == "werkzeug stat"), None)
    if ours.p50 and stat is not None and stat.p50:
        lines.append(f"hookscope p50 is {stat.p50 / ours.p50:.1f}x faster than werkzeug's stat")
    return "\n".join(lines)


def run(quick: bool, edits: int | None = None) -> list[ReloadResult]:
    count = edits or (5 if quick else 20)
    measurers: list[tuple[str, Callable[[], ReloadResult]]] = [
        ("hookscope", lambda: measure_hookscope(count)),
        ("werkzeug stat", lambda: measure_werkzeug("stat", count)),
        ("werkzeug watchdog", lambda: measure_werkzeug("watchdog", count)),
    ]
    results = []
    for name, measure in measurers:
        print(f"measuring {name} ...", flush=True)
        results.append(measure())
    print(format_table(results, count))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "edits": count,
        "results": [{**asdict(r), "p50_ms": r.p50, "p95_ms": r.percentile(0.95)} for r in results],
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_reload")
    parser.add_argument("--quick", action="store_true", help="5 edits instead of 20")
    parser.add_argument("--edits", type=int, help="number of edits per reloader")
    args = parser.parse_args(argv)
    try:
        run(args.quick, args.edits)
    except BenchmarkError as error:
        print(f"console_reload: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
