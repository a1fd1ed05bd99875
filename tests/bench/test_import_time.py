"""Import timing runs real interpreters; a snippet that fails is reported, not timed."""

from __future__ import annotations

import pytest

from bench.errors import BenchmarkError
from bench.import_time import measure, summarise, time_snippet


def test_snippets_take_turns_and_each_gets_every_run() -> None:
    samples = measure({"a": "pass", "b": "import json"}, runs=2)

    assert {label: len(values) for label, values in samples.items()} == {"a": 2, "b": 2}
    assert all(value > 0 for values in samples.values() for value in values)


def test_a_failing_snippet_names_its_error() -> None:
    with pytest.raises(BenchmarkError, match="ModuleNotFoundError: No module named 'no_such_mod'"):
        time_snippet("import no_such_mod")


def test_the_summary_gives_both_ratios() -> None:
    samples = {
        "bare interpreter (pass)": [0.020],
        "import framework": [0.050],
        "import flask": [0.100],
    }

    lines = summarise(samples)

    assert lines[-1] == (
        "framework ÷ flask: 0.50 with interpreter start (target <= 0.7: met); "
        "0.38 counting the imports alone"
    )
