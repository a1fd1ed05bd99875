"""The request suite's report: the table and the JSON say the same thing as the timings."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from bench.apps import Toolkit
from bench.errors import BenchmarkError
from bench.harness import Timing
from bench.requests_bench import (
    FLASK,
    FLOOR,
    FRAMEWORK,
    FRAMEWORK_UNTRACED,
    ScenarioResult,
    build_contenders,
    format_table,
    format_tracing,
    load_toolkits,
    results_as_json,
    write_json,
)
from bench.requests_bench import (
    QUICK as settings,
)
from bench.scenarios import scenario_named
from bench.seam import SeamCost


def result(name: str, **best_us: float) -> ScenarioResult:
    timings = {impl: Timing(impl, [us / 1e6, us * 2 / 1e6]) for impl, us in best_us.items()}
    return ScenarioResult(scenario_named(name), 100, timings)


def test_the_table_shows_ratios_and_missed_targets() -> None:
    fast = result("hello", **{FRAMEWORK: 20.0, FLASK: 60.0, FLOOR: 18.0})
    slow = result("json", **{FRAMEWORK: 80.0, FLASK: 96.0, FLOOR: 40.0})

    lines = format_table([fast, slow]).splitlines()

    assert lines[0].split() == [
        "scenario", "framework", "µs", "Flask", "µs", "floor", "µs", "Flask÷fw", "fw÷floor",
        "Flask÷floor", "targets",
    ]  # fmt: skip
    assert lines[2].split() == ["hello", "20.0", "60.0", "18.0", "3.00×", "1.11×", "3.33×", "met"]
    assert lines[3].endswith("MISSED: Flask÷fw < 1.7, fw÷floor > 1.25")


def test_tracing_overhead_is_reported_against_the_untraced_framework() -> None:
    traced = result(
        "hooks_traced", **{FRAMEWORK: 30.0, FRAMEWORK_UNTRACED: 20.0, FLASK: 60.0, FLOOR: 19.0}
    )

    assert traced.tracing_overhead == 0.5
    assert traced.missed_targets() == ["tracing > +25%"]
    assert format_tracing([traced]) == [
        "tracing (hooks_traced): 30.0 µs with a tracer collecting records vs 20.0 µs without "
        "(+50.0%; target <= +25%)"
    ]


def test_the_cost_of_tracing_to_untraced_requests_is_the_plain_callers_part() -> None:
    traced = replace(
        result("hooks_traced", **{FRAMEWORK: 24.0, FRAMEWORK_UNTRACED: 21.0}),
        seam=SeamCost(Counter({"call/0": 2, "call/1": 2, "popped": 1}), extra_us=1.0),
    )

    assert traced.untraced_cost == pytest.approx(0.05)
    assert traced.missed_targets() == ["no tracer > +3%"]
    assert format_tracing([traced])[1] == (
        "no tracer (hooks_traced): the plain caller's 5 calls cost 1.00 µs of 21.0 µs per"
        " request (+5.0%; target <= +3%)"
    )


def test_the_json_holds_best_and_median_per_implementation(tmp_path: Path) -> None:
    path = tmp_path / "results" / "requests.json"
    hello = result("hello", **{FRAMEWORK: 20.0, FLASK: 60.0, FLOOR: 18.0})

    write_json(results_as_json([hello], ["hooks_traced: skipped"], settings), path)

    document = json.loads(path.read_text(encoding="utf-8"))
    scenario = document["scenarios"]["hello"]
    assert scenario["us_per_request"][FRAMEWORK] == {
        "best": 20.0,
        "median": 30.0,
        "rounds": [20.0, 40.0],
    }
    assert scenario["flask_over_framework"] == 3.0
    assert scenario["flask_over_floor"] == 3.333
    assert scenario["missed_targets"] == []
    assert document["skipped"] == ["hooks_traced: skipped"]
    assert document["machine"]["cores"] >= 1


def test_a_cheap_tracer_meets_the_traced_scenario_target() -> None:
    traced = result(
        "hooks_traced", **{FRAMEWORK: 24.0, FRAMEWORK_UNTRACED: 20.0, FLASK: 60.0, FLOOR: 10.0}
    )

    assert traced.missed_targets() == []


def test_the_dict_tracer_scenario_is_reported_without_a_target() -> None:
    traced = result(
        "hooks_traced_dicts",
        **{FRAMEWORK: 40.0, FRAMEWORK_UNTRACED: 20.0, FLASK: 60.0, FLOOR: 10.0},
    )

    assert traced.missed_targets() == []
    assert format_tracing([traced]) == [
        "tracing (hooks_traced_dicts): 40.0 µs with a tracer collecting dicts vs 20.0 µs "
        "without (+100.0%; no target)"
    ]


def test_an_app_that_answers_wrongly_is_refused_before_timing() -> None:
    def wrong_greeting(fw: Toolkit) -> object:
        app = fw.App(__name__)
        app.add_url_rule("/", "index", lambda: "Goodbye")
        return app

    scenario = replace(scenario_named("hello"), user_app=wrong_greeting)

    with pytest.raises(BenchmarkError, match="hello on framework answered wrongly: body lacks"):
        build_contenders(scenario, load_toolkits())


def test_an_app_that_cannot_be_built_is_named_in_a_one_line_error() -> None:
    def broken(fw: Toolkit) -> object:
        raise RuntimeError("no database")

    scenario = replace(scenario_named("json"), user_app=broken)

    with pytest.raises(BenchmarkError) as raised:
        build_contenders(scenario, load_toolkits())

    assert str(raised.value) == "json on framework raised RuntimeError: no database"
