"""`python -m bench`: suites are chosen by name; a wrong name gets a one-line error."""

from __future__ import annotations

import pytest

from bench.__main__ import SUITES, main


def test_an_unknown_suite_is_refused_with_the_known_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["nosuch"])

    assert exited.value.code == 2
    known = ", ".join(name for name, _ in SUITES)
    assert f"error: unknown suite nosuch; choose from {known}" in capsys.readouterr().err


def test_every_listed_suite_has_a_run_function() -> None:
    from importlib import import_module

    for _name, module_name in SUITES:
        assert callable(import_module(module_name).run)
