"""``.ci/compat``: the gate ``make compat`` puts on the Flask suite's pass count."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_gate(min_passed: int, suite: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / ".ci" / "compat"), str(min_passed), str(suite)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def fake_suite(tmp_path: Path, last_line: str, exit_code: int = 1) -> Path:
    """A suite whose run.sh prints a table and ``last_line``, exiting like pytest would."""
    (tmp_path / "run.sh").write_text(
        "echo 'FAILED tests/test_cli.py::test_get_version - PackageNotFoundError'\n"
        "echo 'file            passed failed errors skipped  total'\n"
        "echo 'tests/test_cli.py   57      1      0       0     58'\n"
        f"echo '{last_line}'\n"
        f"exit {exit_code}\n"
    )
    return tmp_path


SUMMARY = "flask-suite: 480 passed, 9 failed, 1 errors, 0 skipped of 490"


@pytest.mark.parametrize("min_passed", [479, 480])
def test_enough_passing_tests_pass_the_gate_whatever_pytest_exited_with(
    tmp_path: Path, min_passed: int
) -> None:
    result = run_gate(min_passed, fake_suite(tmp_path, SUMMARY))

    assert result.returncode == 0, result.stderr
    assert "FAILED tests/test_cli.py::test_get_version" in result.stdout
    assert "tests/test_cli.py   57" in result.stdout
    assert result.stdout.endswith(
        f"make compat: 480 Flask tests pass (FLASK_SUITE_MIN_PASSED is {min_passed})\n"
    )


def test_fewer_passing_tests_than_the_threshold_fail_the_gate(tmp_path: Path) -> None:
    result = run_gate(481, fake_suite(tmp_path, SUMMARY))

    assert result.returncode == 1
    assert result.stderr == (
        "make compat: 480 Flask tests pass, fewer than FLASK_SUITE_MIN_PASSED (481)\n"
    )


def test_a_suite_that_ends_without_its_summary_fails_the_gate(tmp_path: Path) -> None:
    result = run_gate(1, fake_suite(tmp_path, "INTERNALERROR> something broke", exit_code=3))

    assert result.returncode == 1
    assert "the suite ended without its summary line" in result.stderr
    assert "INTERNALERROR> something broke" in result.stderr


def test_a_missing_suite_is_a_clear_error_not_a_silent_pass(tmp_path: Path) -> None:
    result = run_gate(1, tmp_path / "flask-suite")

    assert result.returncode == 2
    assert f"make compat: no Flask test suite at {tmp_path / 'flask-suite'}" in result.stderr
    assert "make compat FLASK_SUITE=DIR" in result.stderr
