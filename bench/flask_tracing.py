"""Suite `flask_tracing`: what the console's tracing costs a genuine Flask app, per request.

The same Flask app is built twice from the request suite's user code (`bench.apps`): one
left alone, one instrumented the way the console's worker does it (`console.instrument`)
with a tracer that only collects the records, as the worker's outbox takes them. Both
answer the same request in this process, interleaved round by round (`bench.harness`);
each answer is checked first. Building a record's plain data happens later, on the
worker's sender thread, so it is not part of the request and not timed here.

Target (issue 16): tracing costs a Flask app at most 25% per request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.apps import Toolkit
from bench.errors import BenchmarkError
from bench.harness import Contender, Timing, run_interleaved
from bench.requests_bench import FULL, QUICK
from bench.scenarios import Scenario, scenario_named
from bench.wsgi_calls import call_once, check_answer, prepare_request

RESULTS_FILE = Path(__file__).parent / "results" / "flask_tracing.json"
UNTRACED, TRACED = "flask", "flask_traced"
MAX_OVERHEAD = 0.25
SCENARIO_NAMES = ("hooks", "session", "template")
"""Hooks (what tracing records most of), a session read and written, a template render."""


@dataclass(frozen=True)
class TracingResult:
    scenario: Scenario
    calls_per_round: int
    timings: dict[str, Timing]

    @property
    def overhead(self) -> float:
        """The traced app's cost over the untraced one's, best round against best round."""
        return self.timings[TRACED].best_us / self.timings[UNTRACED].best_us - 1

    @property
    def met(self) -> bool:
        return self.overhead <= MAX_OVERHEAD


def flask_toolkit() -> Toolkit:
    try:
        import flask
    except ImportError as error:
        raise BenchmarkError(f"Flask is not installed ({error}); pip install '.[dev]'") from error
    return Toolkit.from_module(flask, "Flask")


def build_contenders(scenario: Scenario, toolkit: Toolkit) -> list[Contender]:
    """The untraced and the traced Flask app of `scenario`, their answers checked."""
    from console.instrument import attach_tracer

    records: list[Any] = []
    untraced = scenario.user_app(toolkit)
    traced = scenario.user_app(toolkit)
    if not attach_tracer(traced, records.append):
        raise BenchmarkError(f"{scenario.name}: the Flask app could not be instrumented")
    contenders = []
    for name, app in ((UNTRACED, untraced), (TRACED, traced)):
        request = prepare_request(app, scenario.probe)
        check_answer(call_once(app, request), scenario.expected, f"{scenario.name} on {name}")
        reset = records.clear if app is traced else None
        contenders.append(Contender(name, app, request, scenario.expected.status, reset))
    if not records:
        raise BenchmarkError(f"{scenario.name}: the tracer received no record")
    return contenders


def measure(names: Sequence[str], rounds: int, round_seconds: float) -> list[TracingResult]:
    toolkit = flask_toolkit()
    results = []
    for name in names:
        scenario = scenario_named(name)
        count, timings = run_interleaved(build_contenders(scenario, toolkit), rounds, round_seconds)
        results.append(TracingResult(scenario, count, timings))
    return results


def format_report(results: Sequence[TracingResult]) -> list[str]:
    lines = []
    for result in results:
        verdict = "met" if result.met else "MISSED"
        lines.append(
            f"{result.scenario.name:<9} {result.timings[UNTRACED].best_us:7.1f} µs untraced, "
            f"{result.timings[TRACED].best_us:7.1f} µs traced ({result.overhead:+.1%}; "
            f"target <= +{MAX_OVERHEAD:.0%}: {verdict})"
        )
    return lines


def results_as_json(results: Sequence[TracingResult], rounds: int) -> dict[str, Any]:
    return {
        "flask": version("flask"),
        "rounds": rounds,
        "statistic": "best round per contender, interleaved, process CPU time",
        "target_max_overhead": MAX_OVERHEAD,
        "scenarios": {
            result.scenario.name: {
                "calls_per_round": result.calls_per_round,
                "us_per_request": {
                    name: {"best": round(timing.best_us, 2), "median": round(timing.median_us, 2)}
                    for name, timing in result.timings.items()
                },
                "overhead": round(result.overhead, 4),
                "met": result.met,
            }
            for result in results
        },
    }


def run(quick: bool) -> None:
    settings = QUICK if quick else FULL
    print(
        f"flask_tracing: a Flask {version('flask')} app traced as the console's worker traces "
        f"it, against the same app untraced; {settings.rounds} interleaved rounds, best kept",
        flush=True,
    )
    results = measure(SCENARIO_NAMES, settings.rounds, settings.round_seconds)
    for line in format_report(results):
        print(line)
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = results_as_json(results, settings.rounds)
    RESULTS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"written to {RESULTS_FILE}")
