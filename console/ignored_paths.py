"""The paths no app's code lives in: tool directories, editor droppings, runtime data.

Shared by the worker (which files of an app to report) and the watcher (which changes to
look at), so both agree on what is never the app's code.
"""

from __future__ import annotations

from pathlib import PurePath

IGNORED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".env",
        "env",
        "site-packages",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".idea",
        ".vscode",
        ".eggs",
        "build",
        "dist",
    }
)
#: Files an app writes while it runs (a database, its journal, a log): a change to them must
#: never reload the app, or every request that writes would restart it.
RUNTIME_DATA_SUFFIXES = (
    ".db",
    ".sqlite",
    ".sqlite3",
    "-journal",
    "-wal",
    "-shm",
    ".log",
    ".pid",
    ".lock",
)
_EDITOR_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".swpx", ".pyc", ".pyo", ".tmp", ".bak")


def is_ignored(path: str) -> bool:
    """True for editor droppings, bytecode, runtime data, and anything in an ignored directory."""
    parts = PurePath(path).parts
    if any(part in IGNORED_DIRECTORIES or part.endswith(".egg-info") for part in parts[:-1]):
        return True
    name = parts[-1] if parts else ""
    return (
        name.endswith(_EDITOR_SUFFIXES)
        or name.endswith(RUNTIME_DATA_SUFFIXES)
        or name.startswith((".#", "#"))
        or name == "4913"  # vim probes a directory's writability with this file
        or name in IGNORED_DIRECTORIES
    )


def is_ignored_directory(path: str) -> bool:
    """True for a directory that is, or lies in, one no app's code lives in."""
    return is_ignored(str(PurePath(path, "x")))


__all__ = ["IGNORED_DIRECTORIES", "RUNTIME_DATA_SUFFIXES", "is_ignored", "is_ignored_directory"]
