"""Profiling one scenario prints cProfile tables with short, unambiguous paths."""

from __future__ import annotations

import pytest

from bench.errors import BenchmarkError
from bench.profile_scenario import main, profile_report


def test_the_report_names_the_scenario_and_shows_the_apps_own_functions() -> None:
    report = profile_report("hello", "floor", calls=50, top=5, match="bench/floor.py")

    assert report.startswith("hello on floor, 50 requests")
    assert "bench/floor.py" in report
    assert "werkzeug/" not in report


def test_an_implementation_the_scenario_lacks_is_named_in_the_error() -> None:
    with pytest.raises(BenchmarkError, match="hello has no implementation 'bottle'"):
        profile_report("hello", "bottle", calls=10, top=5)


def test_nonsense_counts_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["hello", "--calls", "0"])

    assert exited.value.code == 2
    assert "--calls and --top must be at least 1" in capsys.readouterr().err
