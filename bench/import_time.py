"""Suite `imports`: how long `python -c "import framework"` takes next to `import flask`.

The console restarts an app's worker process on every save, so the framework's import
time (interpreter start included, as a user feels it) bounds how fast a reload can be.
Commands run interleaved, after one warm-up each (so bytecode caches exist), and the
median of the runs is reported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path
from time import perf_counter

from bench.errors import BenchmarkError
from bench.requests_bench import machine_description, write_json

RESULTS_FILE = Path(__file__).parent / "results" / "import_time.json"
MAX_FRAMEWORK_OVER_FLASK = 0.7
"""Issue 10: `import framework` may take at most this fraction of `import flask`."""

SNIPPETS = {
    "bare interpreter (pass)": "pass",
    "import framework": "import framework",
    "import flask": "import flask",
}
FULL_RUNS = 15
QUICK_RUNS = 5


def time_snippet(code: str) -> float:
    """Wall-clock seconds of one `python -c code`, process start to exit."""
    start = perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    elapsed = perf_counter() - start
    if finished.returncode != 0:
        last_line = (finished.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchmarkError(f"python -c {code!r} failed: {last_line}")
    return elapsed


def measure(snippets: dict[str, str], runs: int) -> dict[str, list[float]]:
    """Seconds per run for each snippet, the snippets taking turns run after run."""
    if runs < 1:
        raise BenchmarkError(f"runs must be at least 1, not {runs}")
    for code in snippets.values():
        time_snippet(code)
    samples: dict[str, list[float]] = {label: [] for label in snippets}
    for _ in range(runs):
        for label, code in snippets.items():
            samples[label].append(time_snippet(code))
    return samples


def summarise(samples: dict[str, list[float]]) -> list[str]:
    medians = {label: statistics.median(values) * 1000 for label, values in samples.items()}
    lines = [f"{label:<26} {median:7.1f} ms (median)" for label, median in medians.items()]
    bare = medians["bare interpreter (pass)"]
    framework, flask = medians["import framework"], medians["import flask"]
    verdict = "met" if framework / flask <= MAX_FRAMEWORK_OVER_FLASK else "MISSED"
    lines.append(
        f"framework ÷ flask: {framework / flask:.2f} with interpreter start "
        f"(target <= {MAX_FRAMEWORK_OVER_FLASK}: {verdict}); "
        f"{(framework - bare) / (flask - bare):.2f} counting the imports alone"
    )
    return lines


def run(quick: bool) -> None:
    runs = QUICK_RUNS if quick else FULL_RUNS
    print(f"imports: median of {runs} runs each, interpreter start included", flush=True)
    samples = measure(SNIPPETS, runs)
    for line in summarise(samples):
        print(line)
    write_json(
        {
            "machine": machine_description(),
            "runs": runs,
            "median_ms": {
                label: round(statistics.median(values) * 1000, 2)
                for label, values in samples.items()
            },
            "samples_ms": {
                label: [round(value * 1000, 2) for value in values]
                for label, values in samples.items()
            },
            "target_max_framework_over_flask": MAX_FRAMEWORK_OVER_FLASK,
        },
        RESULTS_FILE,
    )
    print(f"written to {RESULTS_FILE}")
