"""One trace as one line of the trace list: time, method, path, status, duration, hooks, marks."""

from __future__ import annotations

import datetime

from rich.text import Text

from console.trace_format import format_duration, one_line
from console.trace_reader import TraceRecord
from console.ui.literal import literal
from console.ui.styles import MARK_STYLES, status_style

#: (title, width); the path takes whatever width the others leave.
COLUMNS = (
    ("time", 12),
    ("method", 7),
    ("path", 0),
    ("status", 6),
    ("duration", 9),
    ("hooks", 5),
    ("marks", 5),
)
_FIXED = sum(width + 1 for _, width in COLUMNS if width)


def path_width(total: int) -> int:
    return max(total - _FIXED - 1, 8)


def header_text(total: int) -> Text:
    text = Text()
    for title, width in COLUMNS:
        size = width or path_width(total)
        text.append(f"{title:>{size}} " if title in ("duration", "hooks") else f"{title:<{size}} ")
    return text


def row_text(record: TraceRecord, total: int) -> Text:
    clock = datetime.datetime.fromtimestamp(record.started_at).strftime("%H:%M:%S.%f")[:-3]
    status = str(record.status) if record.status is not None else "---"
    path = one_line(record.path, 2_000)
    width = path_width(total)
    if len(path) > width:
        path = path[: width - 1] + "…"
    text = Text.assemble(
        (f"{clock:<12} ", "dim"),
        (f"{record.method[:7]:<7} ", "bold"),
        literal(f"{path:<{width}} "),
        (f"{status:<6} ", status_style(record.status)),
        f"{format_duration(record.duration_us):>9} ",
        f"{record.hooks_run:>5} ",
    )
    for letter in record.marks:
        text.append(letter, MARK_STYLES[letter])
        text.append(" ")
    return text


__all__ = ["COLUMNS", "header_text", "path_width", "row_text"]
