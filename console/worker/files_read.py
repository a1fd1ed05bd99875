"""Which files an app opens for reading while it loads: its config files, wherever it reads
them from (``from_pyfile``, ``from_file``, ``from_envvar``, a ``.env`` loader, its own
``open``).

Python raises an ``open`` audit event (:pep:`578`) for every ``open()``, ``io.open_code``
and ``os.open``, with the path and mode, before the file is opened, so a config file the
app looked for and did not find is seen too (creating it later should reload the app).
Databases opened by C libraries (``sqlite3``) raise no such event, and writes are left out:
what an app writes is data, not code.

An audit hook cannot be removed; after loading it only checks one flag and returns.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_WRITING_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


class FilesRead:
    """Collects the paths opened for reading while :meth:`recording` is active."""

    def __init__(self) -> None:
        self._opened: dict[str, None] = {}
        self._recording = False
        sys.addaudithook(self._audit)

    @contextmanager
    def recording(self) -> Iterator[None]:
        self._recording = True
        try:
            yield
        finally:
            self._recording = False

    @property
    def paths(self) -> tuple[str, ...]:
        """Absolute paths, in the order first opened."""
        return tuple(self._opened)

    def _audit(self, event: str, args: tuple[Any, ...]) -> None:
        if not self._recording or event != "open":
            return
        path, mode, flags = args
        if path is None or isinstance(path, int):
            return  # an already open descriptor
        if mode is None:  # os.open: only flags
            writing = bool(flags & _WRITING_FLAGS)
        else:
            writing = any(letter in str(mode) for letter in "wax+")
        if writing:
            return
        try:
            name = os.fsdecode(path)
        except TypeError:
            return
        self._opened[name if os.path.isabs(name) else os.path.abspath(name)] = None


__all__ = ["FilesRead"]
