"""The live trace list: every request the app served, newest at the bottom.

It is refreshed at most once per batch of events (the app calls :meth:`TraceList.show_view`
on its timer), adding only the rows that are new, so thousands of requests per second cost a
few table appends per frame. Paused, it stops following and says how many arrived since; the
ring in the model keeps collecting.
"""

from __future__ import annotations

import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.ui.literal import literal, one_line
from console.ui.state import AppView
from console.ui.traces import TraceRecord, matches
from console.ui.widgets.hook_timeline import format_duration

COLUMNS = ("time", "method", "path", "status", "duration", "hooks", "marks")


def trace_cells(record: TraceRecord) -> list[Text]:
    status = record.status
    style = (
        "dim"
        if status is None
        else "green"
        if status < 300
        else "cyan"
        if status < 400
        else "yellow"
        if status < 500
        else "bold red"
    )
    clock = datetime.datetime.fromtimestamp(record.started_at).strftime("%H:%M:%S.%f")[:-3]
    marks = Text()
    if record.short_circuit:
        marks.append("S", "bold black on yellow")
        marks.append(" ")
    if record.exception:
        marks.append("E", "bold white on red")
        marks.append(" ")
    if record.redirect:
        marks.append("R", "bold black on cyan")
    return [
        Text(clock, style="dim"),
        Text(record.method, style="bold"),
        literal(one_line(record.path, 80)),
        Text(str(status) if status is not None else "---", style=style),
        Text(format_duration(record.duration_us), justify="right"),
        Text(str(record.hooks_run), justify="right"),
        marks,
    ]


class TraceList(Vertical):
    """Filter input, status line and the trace table; reports the highlighted trace."""

    BINDINGS = [
        Binding("p", "toggle_pause", "Pause/resume", show=True),
        Binding("c", "clear", "Clear", show=True),
        Binding("slash", "focus_filter", "Filter", show=True),
    ]

    class TraceHighlighted(Message):
        def __init__(self, trace_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id

    class ClearRequested(Message):
        """The user asked to empty this app's trace list."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paused = False
        self._view: AppView | None = None
        self._rows: list[TraceRecord] = []
        self._keys: list[str] = []
        self._next_key = 0
        self._filter = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="trace-toolbar"):
            yield Input(placeholder="/ filter: method, path, status, S E R", id="trace-filter")
            yield Static("", id="trace-status")
        table: DataTable[Text] = DataTable(id="trace-table", cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#trace-table", DataTable)

    def show_view(self, view: AppView) -> None:
        previous = self._view
        self._view = view
        if self.paused:
            self._update_status()
            return
        table = self.table
        if previous is not None and view.traces is previous.traces:
            self._update_status()
            return
        follow = not self._rows or table.cursor_row >= len(self._rows) - 1
        shown = (
            [r for r in view.traces if matches(r, self._filter)]
            if self._filter
            else list(view.traces)
        )
        last = self._position_of_last_row(shown)
        if last is None:
            table.clear()
            self._rows, self._keys = [], []
            new = shown
        else:
            evicted = len(self._rows) - (last + 1)
            for key in self._keys[:evicted]:
                table.remove_row(key)
            del self._rows[:evicted], self._keys[:evicted]
            new = shown[last + 1 :]
        for record in new:
            self._next_key += 1
            key = str(self._next_key)
            table.add_row(*trace_cells(record), key=key)
            self._keys.append(key)
        self._rows.extend(new)
        if follow and self._rows:
            table.move_cursor(row=len(self._rows) - 1, animate=False)
        self._update_status()

    def _position_of_last_row(self, shown: list[TraceRecord]) -> int | None:
        """Where the newest row already in the table sits in ``shown``, if it is still there.

        The ring only drops traces from its head, so the rows before it that are gone from
        ``shown`` were evicted and everything after it is new.
        """
        if not self._rows:
            return None
        newest = self._rows[-1]
        for index in range(len(shown) - 1, -1, -1):
            if shown[index] is newest:
                return index if index + 1 <= len(self._rows) else None
        return None

    def _update_status(self) -> None:
        view = self._view
        if view is None:
            return
        text = Text()
        if self.paused:
            waiting = len(view.traces) - len(self._rows)
            text.append(" ⏸ paused ", "bold reverse yellow")
            text.append(f" {max(waiting, 0)} new ", "yellow")
        text.append(f" {len(view.traces)}/{view.trace_capacity} kept", "dim")
        text.append(f" · {view.traces_seen} seen", "dim")
        if view.traces_dropped:
            text.append(f" · {view.traces_dropped} dropped by the worker", "bold red")
        self.query_one("#trace-status", Static).update(text)

    def selected(self) -> TraceRecord | None:
        row = self.table.cursor_row
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _rebuild(self) -> None:
        self._rows, self._keys = [], []
        self.table.clear()
        if self._view is not None:
            view, self._view = self._view, None
            self.show_view(view)

    @on(DataTable.RowHighlighted, "#trace-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        record = self.selected()
        if record is not None:
            self.post_message(self.TraceHighlighted(record.id))

    @on(Input.Changed, "#trace-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value
        self._rebuild()

    @on(Input.Submitted, "#trace-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self._view is not None:
            view, self._view = self._view, None
            self.show_view(view)
        else:
            self._update_status()

    def action_clear(self) -> None:
        self.post_message(self.ClearRequested())

    def action_focus_filter(self) -> None:
        self.query_one("#trace-filter", Input).focus()


__all__ = ["TraceList", "trace_cells"]
