"""A virtual table of traces: it draws only the rows on screen, straight from the model.

Textual's DataTable keeps a styled copy of every row and re-indexes on removal, which costs
milliseconds per row; under thousands of requests a second the trace ring changes by
hundreds of rows per frame. This widget holds a reference to the list of records and renders
the visible lines on demand (Textual's line API), so a frame costs the same whether the ring
holds ten traces or ten thousand.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.trace_reader import TraceRecord
from console.ui.widgets.trace_cells import header_text, row_text


class TraceTable(ScrollView, can_focus=True):
    """Rows of :class:`TraceRecord`; the cursor row is reported with ``CursorMoved``."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    COMPONENT_CLASSES = {"trace-table--cursor", "trace-table--header", "trace-table--odd"}

    cursor: reactive[int] = reactive(0)

    class CursorMoved(Message):
        def __init__(self, record: TraceRecord) -> None:
            super().__init__()
            self.record = record

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[TraceRecord] = []
        #: Shown on the first row while there are no rows.
        self.empty_hint = Text("")
        self._reported: TraceRecord | None = None
        # Rows drawn in this frame and the previous one: a row that only moved up the
        # screen is not laid out again. Keyed by id(record), checked against the record.
        self._drawn: dict[int, tuple[TraceRecord, int, Strip]] = {}
        self._drawn_before: dict[int, tuple[TraceRecord, int, Strip]] = {}

    def set_rows(self, rows: list[TraceRecord], follow: bool) -> None:
        """Show ``rows``; when following, the cursor goes to the newest row."""
        previous = self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None
        self.rows = rows
        self._drawn_before, self._drawn = self._drawn, {}
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        if follow and rows:
            self.cursor = len(rows) - 1
        else:
            kept = _index_of(rows, previous) if previous is not None else None
            self.cursor = kept if kept is not None else min(self.cursor, max(len(rows) - 1, 0))
        self._reveal_cursor()
        self._report_selection()
        self.refresh()

    def _report_selection(self) -> None:
        record = self.selected()
        if record is not None and record is not self._reported:
            self._reported = record
            self.post_message(self.CursorMoved(record))

    @property
    def at_end(self) -> bool:
        return not self.rows or self.cursor >= len(self.rows) - 1

    def selected(self) -> TraceRecord | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def watch_cursor(self) -> None:
        self._report_selection()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            header = header_text(width)
            return self._strip(header, width, self.get_component_rich_style("trace-table--header"))
        index = y - 1 + self.scroll_offset.y
        if not self.rows and y == 1:
            return self._strip(self.empty_hint.copy(), width, self.rich_style)
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        if index == self.cursor:
            style = self.get_component_rich_style("trace-table--cursor")
        elif index % 2:
            style = self.get_component_rich_style("trace-table--odd")
        else:
            style = self.rich_style
        return self._row_strip(self.rows[index], width).apply_style(style)

    def _row_strip(self, record: TraceRecord, width: int) -> Strip:
        key = id(record)
        drawn = self._drawn.get(key) or self._drawn_before.get(key)
        if drawn is None or drawn[0] is not record or drawn[1] != width:
            drawn = (record, width, self._strip(row_text(record, width), width, Style()))
        self._drawn[key] = drawn
        return drawn[2]

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.no_wrap = True
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = list(text.render(self.app.console))
        segments = [s for s in segments if s.text != "\n"]
        strip = Strip(segments).apply_style(style)
        return strip.crop_extend(0, width, style)

    def _reveal_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False)

    def action_cursor(self, step: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + step))
            self._reveal_cursor()

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = where % len(self.rows)
            self._reveal_cursor()

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + self.scroll_offset.y
        if event.y >= 1 and 0 <= index < len(self.rows):
            self.cursor = index


def _index_of(rows: list[TraceRecord], record: TraceRecord) -> int | None:
    """Where ``record`` itself (not an equal one) is in ``rows``, searching from the end."""
    for index in range(len(rows) - 1, -1, -1):
        if rows[index] is record:
            return index
    return None


__all__ = ["TraceTable"]
