"""Naming the worker process so ``ps`` and ``top`` explain it ("hookscope spare",
"hookscope worker demo_apps/flashing.py :54321"), without a dependency.

Two names are set: the thread name the kernel keeps (``comm``, 15 bytes: ``top``,
``ps -o comm``, ``pgrep``), with ``prctl(PR_SET_NAME)``; and the command line
(``/proc/PID/cmdline``: ``ps aux``, ``ps -f``), by writing the title over the memory that
holds the process's original arguments, whose bounds ``/proc/self/stat`` gives
(``arg_start``, ``arg_end``). A title longer than the original arguments is cut to fit:
their length is all the kernel shows.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

from console.process_tree import PR_SET_NAME, prctl

COMM_BYTES = 15


def set_process_title(title: str, short_name: str) -> None:
    """Show ``title`` as the command line and ``short_name`` as the process name."""
    prctl(PR_SET_NAME, short_name.encode("utf-8", "replace")[:COMM_BYTES])
    _rewrite_command_line(title.encode("utf-8", "replace"))


def _rewrite_command_line(title: bytes) -> None:
    bounds = _argument_area()
    if bounds is None:
        return
    start, end = bounds
    room = end - start - 1  # the area keeps its final NUL
    if room <= 0:
        return
    if len(title) > room:
        title = title[: room - 3] + b"..."
    ctypes.memmove(start, title + b"\0" * (room + 1 - len(title)), room + 1)


def _argument_area() -> tuple[int, int] | None:
    """(arg_start, arg_end) of this process, fields 48 and 49 of ``/proc/self/stat``."""
    try:
        fields = Path("/proc/self/stat").read_text().rpartition(")")[2].split()
        start, end = int(fields[45]), int(fields[46])
    except (OSError, IndexError, ValueError):
        return None
    return (start, end) if 0 < start < end else None


__all__ = ["set_process_title"]
