"""``.flaskenv``, ``.env`` and ``--env-file`` set environment variables, never override them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from framework.cli import get_load_dotenv, load_dotenv

NAMES = ("SHOP_NAME", "SHOP_DB", "SHOP_MODE", "SHOP_SET_BEFORE")


@pytest.fixture(autouse=True)
def forget_the_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Work in an empty directory; the variables the files set are unset afterwards."""
    monkeypatch.chdir(tmp_path)
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    yield
    for name in NAMES:
        os.environ.pop(name, None)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_env_wins_over_flaskenv_and_a_variable_already_set_wins_over_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / ".flaskenv", "SHOP_NAME=from-flaskenv\nSHOP_MODE=dev\nSHOP_SET_BEFORE=no\n")
    write(tmp_path / ".env", "SHOP_NAME=from-env\nSHOP_DB=café.sqlite\n")
    monkeypatch.setenv("SHOP_SET_BEFORE", "yes")

    assert load_dotenv() is True

    assert os.environ["SHOP_NAME"] == "from-env"
    assert os.environ["SHOP_MODE"] == "dev"
    assert os.environ["SHOP_DB"] == "café.sqlite"
    assert os.environ["SHOP_SET_BEFORE"] == "yes"


def test_the_files_are_found_in_a_parent_directory_and_the_directory_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / ".flaskenv", "SHOP_NAME=parent\n")
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")

    load_dotenv()

    assert os.environ["SHOP_NAME"] == "parent"
    assert Path.cwd() == tmp_path / "src"


def test_a_given_file_wins_over_the_default_ones(tmp_path: Path) -> None:
    write(tmp_path / ".env", "SHOP_NAME=from-env\nSHOP_MODE=dev\n")
    given = write(tmp_path / "production.env", "SHOP_NAME=production\n")

    load_dotenv(given)

    assert (os.environ["SHOP_NAME"], os.environ["SHOP_MODE"]) == ("production", "dev")


def test_only_the_given_file_is_read_without_the_defaults(tmp_path: Path) -> None:
    write(tmp_path / ".env", "SHOP_MODE=dev\n")
    given = write(tmp_path / "production.env", "SHOP_NAME=production\n")

    assert load_dotenv(given, load_defaults=False) is True
    assert "SHOP_MODE" not in os.environ
    assert load_dotenv(tmp_path / "missing.env", load_defaults=False) is False


def test_without_python_dotenv_nothing_is_loaded_and_a_tip_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", "SHOP_NAME=from-env\n")
    monkeypatch.setitem(sys.modules, "dotenv", None)  # makes `import dotenv` fail

    assert load_dotenv() is False

    assert "SHOP_NAME" not in os.environ
    assert "Install python-dotenv to use them." in capsys.readouterr().err


@pytest.mark.parametrize(
    ("skip", "loads"), [(None, True), ("1", False), ("true", False), ("0", True), ("no", True)]
)
def test_flask_skip_dotenv_turns_the_default_files_off(
    monkeypatch: pytest.MonkeyPatch, skip: str | None, loads: bool
) -> None:
    if skip is None:
        monkeypatch.delenv("FLASK_SKIP_DOTENV", raising=False)
    else:
        monkeypatch.setenv("FLASK_SKIP_DOTENV", skip)

    assert get_load_dotenv() is loads
