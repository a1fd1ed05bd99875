"""Suite `requests`: microseconds per request on hookscope's framework, Flask and the floor.

Every scenario in `bench.scenarios` runs as the same user code on the framework and
on Flask, plus a hand-written bare-Werkzeug floor, all in this process, interleaved
round by round. Each implementation's answer is checked before it is timed.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench.apps import Toolkit
from bench.errors import BenchmarkError
from bench.harness import Contender, Timing, run_interleaved
from bench.scenarios import MAX_FRAMEWORK_OVER_FLOOR, SCENARIOS, Scenario
from bench.seam import SeamCost, seam_cost
from bench.wsgi_calls import call_once, check_answer, prepare_request

RESULTS_FILE = Path(__file__).parent / "results" / "requests.json"

FRAMEWORK, FLASK, FLOOR = "framework", "flask", "floor"
FRAMEWORK_UNTRACED = "framework_untraced"
"""In traced scenarios, the same framework app without a tracer, to measure tracing's cost."""
MAX_UNTRACED_COST = 0.03
"""Issue 7: with no tracer, the plain caller (`bench.seam`) costs a request at most this
much over calling its user code directly."""


@dataclass(frozen=True)
class Settings:
    rounds: int
    round_seconds: float
    seam_calls_per_round: int
    """How many of each kind of call `bench.seam` times per round."""


FULL = Settings(rounds=30, round_seconds=0.1, seam_calls_per_round=20_000)
QUICK = Settings(rounds=3, round_seconds=0.05, seam_calls_per_round=2_000)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    calls_per_round: int
    timings: dict[str, Timing]
    seam: SeamCost | None = None
    """For a scenario traced with records: what the plain caller costs its untraced app."""

    def best_us(self, implementation: str) -> float:
        return self.timings[implementation].best_us

    @property
    def flask_speedup(self) -> float:
        """Flask ÷ framework: how many times faster the framework is."""
        return self.best_us(FLASK) / self.best_us(FRAMEWORK)

    @property
    def over_floor(self) -> float:
        """Framework ÷ floor: what the framework costs over bare Werkzeug."""
        return self.best_us(FRAMEWORK) / self.best_us(FLOOR)

    @property
    def flask_over_floor(self) -> float:
        """Flask ÷ floor: the most Flask ÷ framework can be while the framework is built on
        Werkzeug's Request, Response and Map."""
        return self.best_us(FLASK) / self.best_us(FLOOR)

    @property
    def tracing_overhead(self) -> float | None:
        """Extra time a collecting tracer adds, as a fraction (traced scenarios only)."""
        if FRAMEWORK_UNTRACED not in self.timings:
            return None
        return self.best_us(FRAMEWORK) / self.best_us(FRAMEWORK_UNTRACED) - 1

    @property
    def untraced_cost(self) -> float | None:
        """What tracing's existence costs a request with no tracer, as a fraction: the
        plain caller's part of the untraced request over the rest of it."""
        if self.seam is None:
            return None
        return self.seam.extra_us / (self.best_us(FRAMEWORK_UNTRACED) - self.seam.extra_us)

    def missed_targets(self) -> list[str]:
        """Issue 10's targets, or for a traced scenario issue 7's limit on the tracer's cost."""
        overhead = self.tracing_overhead
        if overhead is not None:
            limit = self.scenario.max_tracing_overhead
            missed = [f"tracing > +{limit:.0%}"] if limit is not None and overhead > limit else []
            untraced = self.untraced_cost
            if untraced is not None and untraced > MAX_UNTRACED_COST:
                missed.append(f"no tracer > +{MAX_UNTRACED_COST:.0%}")
            return missed
        missed = []
        minimum = self.scenario.min_flask_speedup
        if minimum is not None and self.flask_speedup < minimum:
            missed.append(f"Flask÷fw < {minimum}")
        if self.over_floor > MAX_FRAMEWORK_OVER_FLOOR:
            missed.append(f"fw÷floor > {MAX_FRAMEWORK_OVER_FLOOR}")
        return missed


def load_toolkits() -> dict[str, Toolkit]:
    """The framework's and Flask's names, or a BenchmarkError saying what is missing."""
    toolkits = {}
    for implementation, module_name, app_class in (
        (FRAMEWORK, "framework", "App"),
        (FLASK, "flask", "Flask"),
    ):
        try:
            toolkits[implementation] = Toolkit.from_module(import_module(module_name), app_class)
        except (ImportError, AttributeError) as error:
            raise BenchmarkError(f"cannot load {module_name}'s public names: {error}") from error
    return toolkits


def tracing_available(toolkits: dict[str, Toolkit]) -> bool:
    return hasattr(toolkits[FRAMEWORK].App, "add_tracer")


def build_contenders(scenario: Scenario, toolkits: dict[str, Toolkit]) -> list[Contender]:
    """Each implementation of `scenario`, its request prepared and its answer checked."""
    if scenario.traced and not tracing_available(toolkits):
        raise BenchmarkError(f"{scenario.name} needs App.add_tracer, which the framework lacks")
    builders: dict[str, Callable[[], Any]] = {
        FRAMEWORK: lambda: scenario.user_app(toolkits[FRAMEWORK]),
        FLASK: lambda: scenario.user_app(toolkits[FLASK]),
        FLOOR: scenario.floor_app,
    }
    traces: list[Any] = []
    if scenario.traced:
        builders[FRAMEWORK_UNTRACED] = builders[FRAMEWORK]
        deferred = scenario.tracer == "record"
        builders[FRAMEWORK] = lambda: with_tracer(
            scenario.user_app(toolkits[FRAMEWORK]), traces, deferred
        )
    contenders = []
    for implementation, build in builders.items():
        who = f"{scenario.name} on {implementation}"
        try:
            app = build()
            request = prepare_request(app, scenario.probe)
            answer = call_once(app, request)
        except BenchmarkError:
            raise
        except Exception as error:
            raise BenchmarkError(f"{who} raised {type(error).__name__}: {error}") from error
        check_answer(answer, scenario.expected, who)
        reset = traces.clear if implementation == FRAMEWORK and scenario.traced else None
        contenders.append(Contender(implementation, app, request, scenario.expected.status, reset))
    if scenario.traced and not traces:
        raise BenchmarkError(f"{scenario.name}: the tracer received no trace")
    return contenders


def with_tracer(app: Any, traces: list[Any], deferred: bool) -> Any:
    """`app`, with a tracer that only appends each trace (or record) to `traces`."""
    app.add_tracer(traces.append, deferred=deferred)
    return app


def measure(
    scenarios: Sequence[Scenario], settings: Settings
) -> tuple[list[ScenarioResult], list[str]]:
    """Time every scenario; returns the results and notes on the scenarios skipped."""
    toolkits = load_toolkits()
    results, skipped = [], []
    for scenario in scenarios:
        if scenario.traced and not tracing_available(toolkits):
            skipped.append(f"{scenario.name}: skipped, the framework's App has no add_tracer")
            continue
        contenders = build_contenders(scenario, toolkits)
        count, timings = run_interleaved(contenders, settings.rounds, settings.round_seconds)
        seam = None
        if scenario.tracer == "record":
            untraced = next(c for c in contenders if c.name == FRAMEWORK_UNTRACED)
            seam = seam_cost(
                untraced.app, untraced.request, settings.rounds, settings.seam_calls_per_round
            )
        results.append(ScenarioResult(scenario, count, timings, seam))
    return results, skipped


def format_table(results: Sequence[ScenarioResult]) -> str:
    header = (
        "scenario",
        "framework µs",
        "Flask µs",
        "floor µs",
        "Flask÷fw",
        "fw÷floor",
        "Flask÷floor",
        "targets",
    )
    rows = [header]
    for result in results:
        missed = result.missed_targets()
        rows.append(
            (
                result.scenario.name,
                f"{result.best_us(FRAMEWORK):.1f}",
                f"{result.best_us(FLASK):.1f}",
                f"{result.best_us(FLOOR):.1f}",
                f"{result.flask_speedup:.2f}×",
                f"{result.over_floor:.2f}×",
                f"{result.flask_over_floor:.2f}×",
                "met" if not missed else "MISSED: " + ", ".join(missed),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        lines.append("  ".join(cells))
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def format_tracing(results: Sequence[ScenarioResult]) -> list[str]:
    lines = []
    for result in results:
        overhead = result.tracing_overhead
        if overhead is not None:
            limit = result.scenario.max_tracing_overhead
            target = "no target" if limit is None else f"target <= +{limit:.0%}"
            lines.append(
                f"tracing ({result.scenario.name}): {result.best_us(FRAMEWORK):.1f} µs with a "
                f"tracer collecting {result.scenario.tracer}s vs "
                f"{result.best_us(FRAMEWORK_UNTRACED):.1f} µs without ({overhead:+.1%}; {target})"
            )
        untraced = result.untraced_cost
        if untraced is not None and result.seam is not None:
            lines.append(
                f"no tracer ({result.scenario.name}): the plain caller's"
                f" {result.seam.call_count} calls cost {result.seam.extra_us:.2f} µs of"
                f" {result.best_us(FRAMEWORK_UNTRACED):.1f} µs per request"
                f" ({untraced:+.1%}; target <= +{MAX_UNTRACED_COST:.0%})"
            )
    return lines


def machine_description() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "werkzeug": version("werkzeug"),
        "flask": version("flask"),
        "jinja2": version("jinja2"),
    }


def results_as_json(
    results: Sequence[ScenarioResult], skipped: Sequence[str], settings: Settings
) -> dict[str, Any]:
    scenarios: dict[str, Any] = {}
    for result in results:
        scenarios[result.scenario.name] = {
            "summary": result.scenario.summary,
            "calls_per_round": result.calls_per_round,
            "us_per_request": {
                name: {
                    "best": round(timing.best_us, 2),
                    "median": round(timing.median_us, 2),
                    "rounds": [round(seconds * 1e6, 2) for seconds in timing.seconds_per_call],
                }
                for name, timing in result.timings.items()
            },
            "flask_over_framework": round(result.flask_speedup, 3),
            "framework_over_floor": round(result.over_floor, 3),
            "flask_over_floor": round(result.flask_over_floor, 3),
            "tracing_overhead": (
                None if result.tracing_overhead is None else round(result.tracing_overhead, 4)
            ),
            "untraced_cost": (
                None if result.untraced_cost is None else round(result.untraced_cost, 4)
            ),
            "plain_caller": (
                None
                if result.seam is None
                else {"calls": dict(result.seam.calls), "us": round(result.seam.extra_us, 3)}
            ),
            "target_min_flask_over_framework": result.scenario.min_flask_speedup,
            "target_max_framework_over_floor": MAX_FRAMEWORK_OVER_FLOOR,
            "missed_targets": result.missed_targets(),
        }
    return {
        "machine": machine_description(),
        "settings": {"rounds": settings.rounds, "round_seconds": settings.round_seconds},
        "statistic": "best round per implementation (median kept alongside)",
        "scenarios": scenarios,
        "skipped": list(skipped),
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def run(quick: bool) -> None:
    settings = QUICK if quick else FULL
    machine = machine_description()
    print(
        f"requests: {settings.rounds} rounds of ~{settings.round_seconds} s per scenario, "
        f"best round kept; {machine['cores']} cores, Python {machine['python']}, "
        f"Werkzeug {machine['werkzeug']}, Flask {machine['flask']}",
        flush=True,
    )
    results, skipped = measure(SCENARIOS, settings)
    print(format_table(results))
    for line in [*format_tracing(results), *skipped]:
        print(line)
    write_json(results_as_json(results, skipped, settings), RESULTS_FILE)
    print(f"written to {RESULTS_FILE}")
