"""Counting the instructions one use of a proxy costs, on the framework and on Werkzeug."""

from __future__ import annotations

import shutil

import pytest

from bench.errors import BenchmarkError
from bench.proxy_access import IMPLEMENTATIONS, OPERATIONS, count_instructions, main, run_statement


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
@pytest.mark.parametrize("statement", sorted(OPERATIONS.values()))
def test_every_operation_runs_inside_a_request_on_every_implementation(
    implementation: str, statement: str
) -> None:
    run_statement(implementation, statement, calls=3)


def test_an_unknown_implementation_is_named_in_the_error() -> None:
    with pytest.raises(BenchmarkError, match="no implementation 'bottle'"):
        run_statement("bottle", "request.args", calls=1)


def test_a_statement_that_fails_fails_the_measurement() -> None:
    with pytest.raises(AttributeError):
        run_statement("framework", "request.no_such_attribute", calls=1)


def test_nonsense_counts_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--calls", "0"])

    assert exited.value.code == 2
    assert "--calls must be at least 1" in capsys.readouterr().err


def test_without_valgrind_the_error_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(BenchmarkError, match="valgrind is not installed"):
        count_instructions("framework", "pass", calls=1)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_callgrind_counts_more_instructions_for_more_uses() -> None:
    few = count_instructions("framework", "current_app.config", calls=10)
    many = count_instructions("framework", "current_app.config", calls=1010)
    assert many > few
