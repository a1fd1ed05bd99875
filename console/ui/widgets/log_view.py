"""The app's own output, per app: printed lines, logger records with their level, our notes.

A demo app under load prints several lines per request, thousands a second. Writing each
line into a ``RichLog`` costs a styled render per line, so a flood held the event loop for
hundreds of milliseconds per frame. This view keeps a reference to the model's ring of lines
and draws only the rows on screen (Textual's line API): a frame costs the same whether one
line arrived or a thousand. Long lines wrap at the view's width; to place the rows, every
line is measured (:func:`rows_of`), most of them by their length alone.
"""

from __future__ import annotations

import bisect
import datetime
from typing import TYPE_CHECKING

from rich.cells import chop_cells
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.ui.literal import literal
from console.ui.state import AppView, LogLine

if TYPE_CHECKING:
    from rich.console import Console

_LEVEL_STYLES = {
    "DEBUG": "dim",
    "INFO": "green",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold reverse red",
}


def log_line_text(line: LogLine) -> Text:
    """A log line as one Text: clock, level, source and the message, shown literally."""
    clock = datetime.datetime.fromtimestamp(line.time).strftime("%H:%M:%S")
    level = line.level.upper()
    source = line.logger or line.stream
    return Text.assemble(
        (f"{clock} ", "dim"),
        literal(f"{level:<7} ", _LEVEL_STYLES.get(level, "")),
        literal(f"{source:<8} ", "dim cyan" if line.stream == "hookscope" else "dim"),
        literal(
            line.message.rstrip("\n").expandtabs(), "italic" if line.stream == "hookscope" else ""
        ),
    )


_CLOCK_WIDTH = len("00:00:00 ")


def rows_of(line: LogLine, width: int) -> int:
    """How many rows ``line`` takes at ``width``: ``len(row_breaks(...))`` of its text.

    The view measures every line of the ring whenever a batch arrives and the logs are
    shown (the ring turns over in a fraction of a second under load); a line of printable
    ASCII, as most are, is measured by its length, without building its styled text.
    """
    level = line.level.upper()
    source = line.logger or line.stream
    message = line.message
    if all(part.isprintable() and part.isascii() for part in (message, source, level)):
        length = _CLOCK_WIDTH + max(len(level), 7) + 1 + max(len(source), 8) + 1 + len(message)
        return -(-length // max(width, 1))
    return len(row_breaks(log_line_text(line).plain, width))


def row_breaks(plain: str, width: int) -> list[int]:
    """Where the rows of ``plain`` start when it is cut at newlines and every ``width`` cells."""
    width = max(width, 1)
    breaks: list[int] = []
    start = 0
    for part in plain.split("\n"):
        if part.isascii():
            lengths = [min(width, len(part) - offset) for offset in range(0, len(part), width)]
        else:
            lengths = [len(chunk) for chunk in chop_cells(part, width)]
        offset = start
        for length in lengths or [0]:
            breaks.append(offset)
            offset += length
        start += len(part) + 1
    return breaks


class LogView(ScrollView, can_focus=True):
    """Shows the log lines of an :class:`AppView`, following the newest unless scrolled up."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._logs: tuple[LogLine, ...] = ()
        self._rows: dict[int, tuple[LogLine, int]] = {}
        self._starts: list[int] = [0]
        self._width = 0
        # Rows drawn since the last change and the change before: scrolling by a few lines
        # draws only the new ones. Keyed by (id(line), row of the line), checked against it.
        self._drawn: dict[tuple[int, int], tuple[LogLine, int, Strip]] = {}
        self._drawn_before: dict[tuple[int, int], tuple[LogLine, int, Strip]] = {}

    def show_view(self, view: AppView) -> None:
        if view.logs is not self._logs:
            self._take(view.logs)

    def _take(self, logs: tuple[LogLine, ...]) -> None:
        following = self.scroll_y >= self.max_scroll_y
        dropped_rows = self._rows_dropped_before(logs)
        self._logs = logs
        self._drawn_before, self._drawn = self._drawn, {}
        self._layout_rows()
        if following:
            self.scroll_to(y=self.max_scroll_y, animate=False)
        elif dropped_rows:
            self.scroll_to(y=max(self.scroll_y - dropped_rows, 0), animate=False)
        self.refresh()

    def _rows_dropped_before(self, logs: tuple[LogLine, ...]) -> int:
        """How many rows the ring dropped from the top since the last frame (to stay put)."""
        old = self._logs
        if not old or not logs:
            return 0
        first = logs[0]
        for index, line in enumerate(old):
            if line is first:
                return self._starts[index]
        return 0

    def _layout_rows(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width, self._rows = width, {}
        known, self._rows = self._rows, {}
        starts = [0]
        for line in self._logs:
            entry = known.get(id(line))
            if entry is None or entry[0] is not line:
                entry = (line, rows_of(line, width))
            self._rows[id(line)] = entry
            starts.append(starts[-1] + entry[1])
        self._starts = starts
        self.virtual_size = Size(width, starts[-1])

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            following = self.scroll_y >= self.max_scroll_y
            self._layout_rows()
            if following:
                self.scroll_to(y=self.max_scroll_y, animate=False)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = y + self.scroll_offset.y
        base = self.rich_style
        index = bisect.bisect_right(self._starts, row) - 1
        if not 0 <= index < len(self._logs):
            return Strip.blank(width, base)
        line = self._logs[index]
        key = (id(line), row - self._starts[index])
        drawn = self._drawn.get(key) or self._drawn_before.get(key)
        if drawn is None or drawn[0] is not line or drawn[1] != width:
            text = log_line_text(line)
            pieces = text.divide(row_breaks(text.plain, self._width)[1:])  # as laid out
            piece = pieces[min(key[1], len(pieces) - 1)]
            if piece.plain.endswith("\n"):
                piece.right_crop(1)
            drawn = (line, width, _strip(piece, width, self.app.console))
        self._drawn[key] = drawn
        return drawn[2].apply_style(base)


def _strip(text: Text, width: int, console: Console) -> Strip:
    text.no_wrap = True
    segments = [segment for segment in text.render(console) if segment.text != "\n"]
    return Strip(segments).crop_extend(0, width, None)


__all__ = ["LogView", "log_line_text", "row_breaks", "rows_of"]
