"""Import timing runs real interpreters; a snippet that fails is reported, not timed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.errors import BenchmarkError
from bench.import_time import (
    BARE,
    FLASK,
    FRAMEWORK,
    WERKZEUG,
    RunTime,
    child_environment,
    measure,
    summarise,
    time_snippet,
    verdict,
)


def test_snippets_take_turns_and_each_gets_every_run() -> None:
    samples = measure({"a": "pass", "b": "import json"}, runs=2)

    assert {label: len(runs) for label, runs in samples.items()} == {"a": 2, "b": 2}
    assert all(run.wall > 0 and run.cpu > 0 for runs in samples.values() for run in runs)


def test_a_failing_snippet_names_its_error() -> None:
    with pytest.raises(BenchmarkError, match="ModuleNotFoundError: No module named 'no_such_mod'"):
        time_snippet("import no_such_mod")


def test_the_summary_gives_both_ratios_and_the_werkzeug_floor_on_both_clocks() -> None:
    samples = {
        BARE: [RunTime(wall=0.020, cpu=0.010)],
        WERKZEUG: [RunTime(wall=0.040, cpu=0.025)],
        FRAMEWORK: [RunTime(wall=0.050, cpu=0.030)],
        FLASK: [RunTime(wall=0.100, cpu=0.040)],
    }

    lines = summarise(samples)

    assert lines[1].split() == ["python", "-c", "pass", "20.0", "10.0"]
    assert lines[-4:] == [
        "framework ÷ flask (wall): 0.50 with interpreter start (target <= 0.6: met); "
        "0.38 for the imports alone; werkzeug ÷ flask 0.40",
        "framework ÷ flask (cpu): 0.75 with interpreter start (target <= 0.6: MISSED, out of "
        "reach); 0.67 for the imports alone; werkzeug ÷ flask 0.62",
        "beyond import werkzeug (wall): framework +10.0 ms, flask +60.0 ms",
        "beyond import werkzeug (cpu): framework +5.0 ms, flask +15.0 ms",
    ]


def test_a_missed_target_is_out_of_reach_only_when_werkzeug_alone_misses_it() -> None:
    assert verdict(framework_over_flask=0.55, werkzeug_over_flask=0.50) == "met"
    assert verdict(framework_over_flask=0.70, werkzeug_over_flask=0.50) == "MISSED"
    assert verdict(framework_over_flask=0.70, werkzeug_over_flask=0.65) == "MISSED, out of reach"


def test_children_cache_bytecode_outside_the_repository(tmp_path: Path) -> None:
    environment = child_environment(str(tmp_path))

    time_snippet("import bench.errors", environment)

    assert "PYTHONDONTWRITEBYTECODE" not in environment
    assert list(tmp_path.rglob("errors*.pyc"))
