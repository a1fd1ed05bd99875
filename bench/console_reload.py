"""Reload latency through the real command line: from a write to the first response served
by the new code, for the ways code really changes.

`python -m bench.console_reload [--quick] [--edits N] [--pattern NAME ...]`

Each pattern starts `hookscope watch --json` on a small app in a fresh directory, reads the
events it prints (from a file: in the app's own directory for the log pattern, as with
`hookscope watch app.py > out.log`), and edits the app N times (20 by default, 5 with
--quick). Each edit is timed from the write to the first response carrying the new version,
polling every 2 ms over a fresh connection, while a second client requests the app all along
and counts every failed request (refused, reset, or not 200). The patterns:

- single saves 2.5 s apart (the file rewritten in place, as most editors save);
- saves 0.4 s apart (each must be served before the next one lands);
- saves by atomic rename (a temporary file renamed over the module, as `sed -i` and
  many editors do);
- a log file next to the app written on every request (the app appends to it, and the
  command's own output goes to `out.log` there), with single saves;
- a template edit;
- a new module the app starts importing (the module is written first, then the app);
- a `git checkout` touching 200 modules the app imports: timed until the final code is
  served, and the reloads it caused counted (the target is at most two).

Prints a table with the machine's load average (the figures mean little on a busy machine)
and writes bench/results/console_reload.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
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
POLL_INTERVAL = 0.002
SINGLE_SAVE_SPACING = 2.5
QUICK_SAVE_SPACING = 0.4
CHECKOUT_FILES = 200
#: The warm spares start once the app runs: the first edit should find them warm.
SPARES_WARM_UP = 2.0
#: The targets of issue 17 for every single-save pattern.
TARGET_P50_MS = 60.0
TARGET_P95_MS = 150.0
APP_SOURCE = """\
{imports}
from pathlib import Path

from framework import App, render_template

VERSION = {version}
app = App(__name__)


@app.route("/")
def index() -> str:
{log_line}    return VERSION


@app.route("/page")
def page() -> str:
    return render_template("page.html")
"""
LOG_LINE = '    with open(Path(__file__).with_name("requests.txt"), "a") as log:\n' + (
    '        log.write("GET /\\n")\n'
)
TEMPLATE = "<p>{version}</p>"


@dataclass
class PatternResult:
    """One pattern's latencies (ms) and what went wrong meanwhile."""

    name: str
    single_save: bool
    latencies_ms: list[float] = field(default_factory=list)
    never_served: int = 0
    failed_requests: int = 0
    requests: int = 0
    reloads: list[int] = field(default_factory=list)

    def percentile(self, fraction: float) -> float | None:
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]

    @property
    def p50(self) -> float | None:
        return statistics.median(self.latencies_ms) if self.latencies_ms else None

    @property
    def meets_target(self) -> bool:
        p50, p95 = self.p50, self.percentile(0.95)
        if self.failed_requests or self.never_served:
            return False
        if not self.single_save:
            return bool(self.reloads) and max(self.reloads) <= 2
        return (
            p50 is not None and p95 is not None and p50 <= TARGET_P50_MS and (p95 <= TARGET_P95_MS)
        )


def fetch(port: int, path: str = "/", timeout: float = 2.0) -> str:
    """GET over a new connection; raises OSError (or HTTPException) when it fails."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise OSError(f"status {response.status}")
        return body
    finally:
        connection.close()


class FailureCounter:
    """Requests the app all along and counts requests that fail (refused, reset, not 200)."""

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


class WatchCommand:
    """`hookscope watch --json` on one app, its events read from the file it prints to."""

    def __init__(self, app_file: Path, output: Path) -> None:
        self._output = output
        self._stdout = output.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from console.cli import main; main()", "watch", "--json"]
            + [app_file.name],
            cwd=app_file.parent,
            stdout=self._stdout,
            stderr=subprocess.DEVNULL,
        )
        self.port: int | None = None
        self.ready = 0
        self._stopped = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with self._output.open() as lines:
            pending = ""
            while not self._stopped.is_set():
                chunk = lines.readline()
                if not chunk.endswith("\n"):
                    pending += chunk
                    time.sleep(0.005)
                    continue
                line, pending = pending + chunk, ""
                if '"type":"ready"' in line[:40]:
                    event = json.loads(line)
                    self.port = event["port"]
                    self.ready += 1

    def wait_until_ready(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.port is None:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise BenchmarkError("hookscope watch never served the app")
            time.sleep(0.02)
        return self.port

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._stopped.set()
        self._reader.join(timeout=5)
        self._stdout.close()


@contextmanager
def watched_app(log_next_to_app: bool = False) -> Iterator[tuple[Path, WatchCommand, int]]:
    """A fresh app directory served by `hookscope watch`; yields (app file, command, port)."""
    with tempfile.TemporaryDirectory(prefix="hookscope-reload-") as directory:
        root = Path(directory)
        app_file = root / "reload_app.py"
        (root / "templates").mkdir()
        (root / "templates" / "page.html").write_text(TEMPLATE.format(version="start"))
        write_app(app_file, "start", log_next_to_app)
        output = root / "out.log" if log_next_to_app else Path(directory + "-out.log")
        command = WatchCommand(app_file, output)
        try:
            port = command.wait_until_ready()
            wait_until_served(port, "/", "start", timeout=30)
            time.sleep(SPARES_WARM_UP)
            yield app_file, command, port
        finally:
            command.stop()
            if not log_next_to_app:
                output.unlink(missing_ok=True)


def write_app(app_file: Path, version: str, log_line: bool = False, imports: str = "") -> None:
    app_file.write_text(app_source(version, log_line, imports))


def app_source(version: str, log_line: bool = False, imports: str = "") -> str:
    return APP_SOURCE.format(
        version=repr(version) if not imports else version,
        log_line=LOG_LINE if log_line else "",
        imports=imports,
    )


def wait_until_served(port: int, path: str, version: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if fetch(port, path) == version:
                return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.02)
    raise BenchmarkError(f"the app never served {version!r} within {timeout:g} s")


def time_until_served(port: int, path: str, version: str, started: float, until: float) -> float:
    """Milliseconds from ``started`` to the first response with ``version``; NaN if none
    came before ``until`` (a ``perf_counter`` time)."""
    while time.perf_counter() < until:
        try:
            if fetch(port, path) == version:
                return (time.perf_counter() - started) * 1000
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(POLL_INTERVAL)
    return math.nan


def record(result: PatternResult, latency_ms: float) -> None:
    if math.isnan(latency_ms):
        result.never_served += 1
    else:
        result.latencies_ms.append(latency_ms)


Edit = Callable[[Path, int], tuple[str, str, float]]
"""Makes edit number N to the app; returns the path to poll, the version it will serve, and
when the write that matters began (a ``perf_counter`` time)."""


def rewrite_in_place(app_file: Path, number: int) -> tuple[str, str, float]:
    version = f"edit {number}"
    started = time.perf_counter()
    write_app(app_file, version)
    return "/", version, started


def rename_into_place(app_file: Path, number: int) -> tuple[str, str, float]:
    version = f"renamed {number}"
    started = time.perf_counter()
    temporary = app_file.with_name(f"sedT{number:05d}")  # how sed -i names it
    temporary.write_text(app_source(version))
    os.replace(temporary, app_file)
    return "/", version, started


def rewrite_logging_app(app_file: Path, number: int) -> tuple[str, str, float]:
    version = f"logged {number}"
    started = time.perf_counter()
    write_app(app_file, version, log_line=True)
    return "/", version, started


def edit_template(app_file: Path, number: int) -> tuple[str, str, float]:
    version = f"<p>template {number}</p>"
    started = time.perf_counter()
    (app_file.parent / "templates" / "page.html").write_text(version)
    return "/page", version, started


def import_a_new_module(app_file: Path, number: int) -> tuple[str, str, float]:
    module = f"helpers_{number}"
    (app_file.parent / f"{module}.py").write_text(f"VALUE = 'module {number}'\n")
    time.sleep(0.05)  # the module exists a moment before the app imports it
    started = time.perf_counter()
    write_app(app_file, f"{module}.VALUE", imports=f"import {module}")
    return "/", f"module {number}", started


def measure_saves(
    name: str, edit: Edit, edits: int, spacing: float, log_next_to_app: bool = False
) -> PatternResult:
    """``edits`` edits ``spacing`` seconds apart, each timed until it is served."""
    result = PatternResult(name, single_save=True)
    with watched_app(log_next_to_app) as (app_file, command, port):
        with FailureCounter(port) as counter:
            next_edit = time.perf_counter()
            for number in range(1, edits + 1):
                while time.perf_counter() < next_edit:
                    time.sleep(0.001)
                path, version, started = edit(app_file, number)
                next_edit = started + spacing
                until = next_edit if spacing < 1 else started + 10
                record(result, time_until_served(port, path, version, started, until))
        result.failed_requests, result.requests = counter.failures, counter.requests
        result.reloads = [command.ready - 1]
    return result


def measure_checkout(checkouts: int) -> PatternResult:
    """`git checkout` between two branches that differ in 200 imported modules."""
    result = PatternResult(f"git checkout of {CHECKOUT_FILES} files", single_save=False)
    with watched_app() as (app_file, command, port):
        root = app_file.parent
        package = root / "modules"
        package.mkdir()
        (package / "__init__.py").write_text("")

        names = [f"m{number:03d}" for number in range(CHECKOUT_FILES)]
        values = ", ".join(f"{name}.VALUE" for name in names)
        # the same app on both branches: it serves "one" only once every module says "one"
        write_app(
            app_file,
            f"' '.join(sorted({{{values}}}))",
            imports=f"from modules import {', '.join(names)}",
        )

        def commit(branch: str) -> None:
            for name in names:
                (package / f"{name}.py").write_text(f"VALUE = {branch!r}\n")
            git("add", "-A")
            git("commit", "-q", "-m", branch)

        def git(*args: str) -> None:
            subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

        git("init", "-q", "-b", "one")
        git("config", "user.email", "bench@hookscope")
        git("config", "user.name", "bench")
        (root / ".gitignore").write_text("__pycache__/\nrequests.txt\n")
        commit("one")
        git("checkout", "-q", "-b", "two")
        commit("two")
        wait_until_served(port, "/", "two", timeout=30)
        time.sleep(SPARES_WARM_UP)
        with FailureCounter(port) as counter:
            for number in range(checkouts):
                branch = "one" if number % 2 == 0 else "two"
                before = command.ready
                started = time.perf_counter()
                git("checkout", "-q", branch)
                latency = time_until_served(port, "/", branch, started, started + 15)
                record(result, latency)
                time.sleep(SINGLE_SAVE_SPACING)  # any reload still coming arrives meanwhile
                result.reloads.append(command.ready - before)
        result.failed_requests, result.requests = counter.failures, counter.requests
    return result


PATTERNS: dict[str, Callable[[int], PatternResult]] = {
    "saves": lambda n: measure_saves(
        "single saves 2.5 s apart", rewrite_in_place, n, SINGLE_SAVE_SPACING
    ),
    "quick-saves": lambda n: measure_saves(
        "saves 0.4 s apart", rewrite_in_place, n, QUICK_SAVE_SPACING
    ),
    "renames": lambda n: measure_saves(
        "saves by atomic rename", rename_into_place, n, SINGLE_SAVE_SPACING
    ),
    "log": lambda n: measure_saves(
        "a log next to the app", rewrite_logging_app, n, SINGLE_SAVE_SPACING, True
    ),
    "template": lambda n: measure_saves("a template edit", edit_template, n, SINGLE_SAVE_SPACING),
    "new-module": lambda n: measure_saves(
        "a new module imported", import_a_new_module, n, SINGLE_SAVE_SPACING
    ),
    "checkout": lambda n: measure_checkout(max(n // 2, 2)),
}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def format_table(results: list[PatternResult], edits: int, load: str) -> str:
    lines = [
        f"reload latency through `hookscope watch`: write -> first response from the new "
        f"code, {edits} edits per pattern ({load})",
        f"{'pattern':<30}{'p50':>9}{'p95':>9}{'max':>9}{'never':>7}{'failed':>8}{'reloads':>9}"
        f"{'target':>8}",
    ]

    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f} ms"

    for result in results:
        top = max(result.latencies_ms) if result.latencies_ms else None
        reloads = (
            "-"
            if not result.reloads
            else (f"{result.reloads[0]}" if result.single_save else f"<={max(result.reloads)}")
        )
        lines.append(
            f"{result.name:<30}{ms(result.p50):>9}{ms(result.percentile(0.95)):>9}"
            f"{ms(top):>9}{result.never_served:>7}{result.failed_requests:>8}{reloads:>9}"
            f"{'met' if result.meets_target else 'MISSED':>8}"
        )
    lines.append(
        f"targets: p50 <= {TARGET_P50_MS:.0f} ms and p95 <= {TARGET_P95_MS:.0f} ms for single "
        "saves, at most 2 reloads per checkout, no failed request. reloads: versions served "
        "(saves), most per checkout"
    )
    return "\n".join(lines)


def run(quick: bool, edits: int | None = None, patterns: list[str] | None = None) -> None:
    count = edits or (5 if quick else 20)
    load = load_average()
    results = []
    for name in patterns or list(PATTERNS):
        print(f"measuring {name} ...", flush=True)
        results.append(PATTERNS[name](count))
    print(format_table(results, count, f"{load} before, {load_average()} after"))
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "edits": count,
        "load_before": load,
        "load_after": load_average(),
        "results": [
            {**asdict(r), "p50_ms": r.p50, "p95_ms": r.percentile(0.95), "met": r.meets_target}
            for r in results
        ],
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.console_reload")
    parser.add_argument("--quick", action="store_true", help="5 edits per pattern, not 20")
    parser.add_argument("--edits", type=int, help="edits per pattern")
    parser.add_argument(
        "--pattern", action="append", choices=list(PATTERNS), help="only this pattern (repeat)"
    )
    args = parser.parse_args(argv)
    try:
        run(args.quick, args.edits, args.pattern)
    except BenchmarkError as error:
        print(f"console_reload: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
