"""A process and everything it started, so none of it outlives the worker that started it.

A process an app starts with ``start_new_session=True`` (or a daemon that forked twice)
leaves the worker's process group, so signalling the group misses it. Two things catch it:

* the worker is a *child subreaper* (``prctl(PR_SET_CHILD_SUBREAPER)``): a descendant whose
  parent exits is re-parented to the worker instead of to init, so it stays in the tree;
* whoever ends a worker ends the tree: :func:`descendants` follows parent ids in ``/proc``.

Linux only; elsewhere there is no subreaper and no ``/proc``, and only the group is signalled.
"""

from __future__ import annotations

import ctypes
import os
import signal
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
PR_SET_NAME = 15


def prctl(option: int, value: int | bytes) -> bool:
    """Call ``prctl(2)``; False where it does not exist or fails."""
    try:
        call = ctypes.CDLL(None, use_errno=True).prctl  # libc, already loaded
    except (OSError, AttributeError):
        return False
    argument = ctypes.c_char_p(value) if isinstance(value, bytes) else ctypes.c_ulong(value)
    return int(call(option, argument, 0, 0, 0)) == 0


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children again (Linux 3.4+)."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid``, children before their own children."""
    children: dict[int, list[int]] = {}
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # it ended while we looked
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    level = children.get(pid, [])
    while level:
        found += level
        level = [grandchild for child in level for grandchild in children.get(child, [])]
    return found


def kill_descendants(pid: int) -> None:
    """SIGKILL every process below ``pid`` (``pid`` itself is left alone)."""
    for child in descendants(pid):
        try:
            os.kill(child, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


__all__ = ["become_subreaper", "descendants", "kill_descendants", "prctl"]
