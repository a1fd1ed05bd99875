"""Apps written to a temporary directory, imported as a user's would be, and forgotten after."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

WriteModule = Callable[[str, str], Path]


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WriteModule]:
    """Write ``relative_path`` (``blog/__init__.py``, ``app.py``) under a fresh directory,
    the working directory for the test and first on sys.path, as ``flask --app`` puts it;
    sys.path and the modules imported are restored afterwards."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    modules_before = set(sys.modules)

    def write(relative_path: str, source: str) -> Path:
        path = tmp_path / relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        importlib.invalidate_caches()
        return path

    yield write
    for name in set(sys.modules) - modules_before:
        if _is_under(sys.modules[name], tmp_path):
            del sys.modules[name]


def _is_under(module: object, directory: Path) -> bool:
    """True for a module imported from ``directory``; a library the test happened to import
    first (httpx, say) must stay, or its classes would be loaded twice."""
    location = getattr(module, "__file__", None)
    return location is not None and Path(location).resolve().is_relative_to(directory.resolve())
