"""A panel that shows one trace and lays the screen out again only when it must."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static


class TracePanel(Static):
    """Shows :meth:`render_trace` of the trace it is given.

    While the trace list follows a flood of requests, the panel shows a new trace a few
    times a second. Laying out the whole screen again costs some 30 ms of the event loop
    there (keys wait behind it), and the next trace of the same route almost always takes
    exactly the rows the last one took; so a new trace only repaints the panel unless its
    rows may differ.
    """

    _shown: Text | None = None

    def render_trace(self, trace: Mapping[str, Any] | None) -> Text:
        raise NotImplementedError

    def show_trace(self, trace: Mapping[str, Any] | None) -> None:
        text = self.render_trace(trace)
        # The last layout measured what is shown at the current width (a resize lays out).
        width = self.content_region.width
        rows = _unwrapped_rows(text, width)
        shown = self._shown
        same_rows = rows is not None and shown is not None and rows == _unwrapped_rows(shown, width)
        self.update(text, layout=not same_rows)
        self._shown = text


def _unwrapped_rows(text: Text, width: int) -> int | None:
    """How many rows ``text`` takes at ``width`` if no line is wider, else None."""
    lines = text.plain.split("\n")
    if width <= 0 or any(cell_len(line) > width for line in lines):
        return None  # it wraps: let the layout measure it
    return len(lines)


__all__ = ["TracePanel"]
