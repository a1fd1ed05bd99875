"""Suite `imports`: how long `python -c "import framework"` takes next to `import flask`.

The console restarts an app's worker process on every save, so the framework's import
time (interpreter start included, as a user feels it) bounds how fast a reload can be.
Commands run interleaved, after one warm-up each (so bytecode caches exist), and the
median of the runs is reported, both as wall-clock time and as the child's CPU time
(user + system), which does not count waiting for a core on a shared machine.

The children always write and read bytecode caches, kept in a temporary
PYTHONPYCACHEPREFIX: with PYTHONDONTWRITEBYTECODE set (as on this machine), the
repository's modules would otherwise be compiled from source on every run while
site-packages ship compiled, which would time the compiler rather than the import.

`import werkzeug` is the floor, as bare Werkzeug is in the request suite: importing any
Werkzeug module runs Werkzeug's `__init__`, which imports its dev server
(`werkzeug.serving`, and with it `http.server`, `ssl` and `email`) and its test client, so
`werkzeug ÷ flask` is the least `framework ÷ flask` can be while the framework is built on
Werkzeug. Where it is above the target, the target is out of reach on this machine.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from types import MappingProxyType
from typing import Any

from bench.errors import BenchmarkError
from bench.requests_bench import machine_description, write_json

RESULTS_FILE = Path(__file__).parent / "results" / "import_time.json"
MAX_FRAMEWORK_OVER_FLASK = 0.6
"""Issue 19: `import framework` may take at most this fraction of `import flask`."""

BARE, WERKZEUG = "python -c pass", "import werkzeug"
FRAMEWORK, FLASK = "import framework", "import flask"
SNIPPETS: Mapping[str, str] = MappingProxyType(
    {
        BARE: "pass",
        WERKZEUG: "import werkzeug",
        FRAMEWORK: "import framework",
        FLASK: "import flask",
    }
)
FULL_RUNS = 15
QUICK_RUNS = 5


@dataclass(frozen=True)
class RunTime:
    wall: float
    cpu: float
    """User + system seconds of the child process."""


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_environment(cache_folder: str) -> dict[str, str]:
    """This process's environment, with bytecode caching on and kept in `cache_folder`."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = cache_folder
    return environment


def time_snippet(code: str, environment: dict[str, str] | None = None) -> RunTime:
    """Time one `python -c code`, from process start to exit."""
    cpu_before = children_cpu_seconds()
    start = perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env=environment
    )
    wall = perf_counter() - start
    if finished.returncode != 0:
        last_line = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkError(f"python -c {code!r} failed: {last_line}")
    return RunTime(wall=wall, cpu=children_cpu_seconds() - cpu_before)


def measure(snippets: Mapping[str, str], runs: int) -> dict[str, list[RunTime]]:
    """Times per run for each snippet, the snippets taking turns run after run."""
    if runs < 1:
        raise BenchmarkError(f"runs must be at least 1, not {runs}")
    samples: dict[str, list[RunTime]] = {label: [] for label in snippets}
    with tempfile.TemporaryDirectory(prefix="bench-pycache-") as cache_folder:
        environment = child_environment(cache_folder)
        for code in snippets.values():
            time_snippet(code, environment)
        for _ in range(runs):
            for label, code in snippets.items():
                samples[label].append(time_snippet(code, environment))
    return samples


def medians_ms(samples: dict[str, list[RunTime]], clock: str) -> dict[str, float]:
    """Median milliseconds per snippet on `clock` ("wall" or "cpu")."""
    return {
        label: statistics.median(getattr(run, clock) for run in runs) * 1000
        for label, runs in samples.items()
    }


def summarise(samples: dict[str, list[RunTime]]) -> list[str]:
    wall, cpu = medians_ms(samples, "wall"), medians_ms(samples, "cpu")
    lines = [f"{'':<18} {'wall ms':>8} {'cpu ms':>8}"]
    lines += [f"{label:<18} {wall[label]:8.1f} {cpu[label]:8.1f}" for label in samples]
    for clock, medians in (("wall", wall), ("cpu", cpu)):
        ratio = medians[FRAMEWORK] / medians[FLASK]
        net = (medians[FRAMEWORK] - medians[BARE]) / (medians[FLASK] - medians[BARE])
        floor = medians[WERKZEUG] / medians[FLASK]
        lines.append(
            f"framework ÷ flask ({clock}): {ratio:.2f} with interpreter start "
            f"(target <= {MAX_FRAMEWORK_OVER_FLASK}: {verdict(ratio, floor)}); "
            f"{net:.2f} for the imports alone; werkzeug ÷ flask {floor:.2f}"
        )
    for clock, medians in (("wall", wall), ("cpu", cpu)):
        lines.append(
            f"beyond import werkzeug ({clock}): "
            f"framework +{medians[FRAMEWORK] - medians[WERKZEUG]:.1f} ms, "
            f"flask +{medians[FLASK] - medians[WERKZEUG]:.1f} ms"
        )
    return lines


def verdict(framework_over_flask: float, werkzeug_over_flask: float) -> str:
    """Out of reach where `import werkzeug` alone takes more than the target allows."""
    if framework_over_flask <= MAX_FRAMEWORK_OVER_FLASK:
        return "met"
    if werkzeug_over_flask > MAX_FRAMEWORK_OVER_FLASK:
        return "MISSED, out of reach"
    return "MISSED"


def results_as_json(samples: dict[str, list[RunTime]], runs: int) -> dict[str, Any]:
    document: dict[str, Any] = {"machine": machine_description(), "runs": runs}
    for clock in ("wall", "cpu"):
        medians = medians_ms(samples, clock)
        document[f"median_{clock}_ms"] = {label: round(ms, 2) for label, ms in medians.items()}
        document[f"samples_{clock}_ms"] = {
            label: [round(getattr(run, clock) * 1000, 2) for run in runs]
            for label, runs in samples.items()
        }
    document["target_max_framework_over_flask"] = MAX_FRAMEWORK_OVER_FLASK
    return document


def run(quick: bool) -> None:
    runs = QUICK_RUNS if quick else FULL_RUNS
    print(
        f"imports: median of {runs} interleaved runs each, interpreter start included, "
        "bytecode caches warm"
    )
    samples = measure(SNIPPETS, runs)
    for line in summarise(samples):
        print(line)
    write_json(results_as_json(samples, runs), RESULTS_FILE)
    print(f"written to {RESULTS_FILE}")
