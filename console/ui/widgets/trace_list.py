"""The live trace list: every request the app served, newest at the bottom.

It is refreshed at most once per frame (the pane calls :meth:`TraceList.show_view` when the
model changed and the list is on screen) and draws only the visible rows, so thousands of
requests per second cost one filter pass and one repaint per frame. Paused, it stops
following and says how many arrived since; the ring in the model keeps collecting.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from console.trace_reader import TraceRecord
from console.ui.key_order import focus_now
from console.ui.state import AppView
from console.ui.trace_filter import FILTER_HINT, TraceFilter, parse_filter
from console.ui.widgets.fields import TextField
from console.ui.widgets.trace_table import TraceTable


class TraceList(Vertical):
    """Filter input, status line and the trace table; reports the highlighted trace.

    Its keys (pause, clear, replay...) are the app's, so they work wherever the focus is.
    """

    class TraceHighlighted(Message):
        def __init__(self, trace_id: str) -> None:
            super().__init__()
            self.trace_id = trace_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paused = False
        self._view: AppView | None = None
        self._shown: tuple[TraceRecord, ...] | None = None
        self._filter = TraceFilter()
        self._paused_at = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="trace-toolbar"):
            yield TextField(placeholder=FILTER_HINT, id="trace-filter")
            yield Static("", id="trace-status")
        yield TraceTable(id="trace-table")

    @property
    def table(self) -> TraceTable:
        return self.query_one(TraceTable)

    def show_view(self, view: AppView) -> None:
        self._view = view
        if not self.paused and view.traces is not self._shown:
            self._shown = view.traces
            matches = self._filter.matches
            rows = [r for r in view.traces if matches(r)] if self._filter else list(view.traces)
            table = self.table
            table.set_rows(rows, follow=table.at_end)
        if not view.traces or not self.table.rows:
            hint = empty_hint(view, bool(self._filter))
            if hint.plain != self.table.empty_hint.plain:
                self.table.empty_hint = hint
                self.table.refresh()
        self._update_status()

    def _update_status(self) -> None:
        view = self._view
        if view is None:
            return
        text = Text()
        if self.paused:
            waiting = view.traces_seen - self._paused_at
            text.append(" ⏸ paused ", "bold reverse yellow")
            text.append(f" {max(waiting, 0)} new ", "yellow")
        text.append(f" {view.traces_seen} seen", "dim")
        if view.traces_seen > len(view.traces):
            text.append(f" · last {len(view.traces)} kept", "dim")
        if view.traces_dropped:
            text.append(f" · {view.traces_dropped} dropped by the worker", "bold red")
        self.query_one("#trace-status", Static).update(text, layout=False)

    def selected(self) -> TraceRecord | None:
        return self.table.selected()

    def _redraw(self) -> None:
        self._shown = None
        if self._view is not None:
            self.show_view(self._view)

    @on(TraceTable.CursorMoved)
    def _cursor_moved(self, event: TraceTable.CursorMoved) -> None:
        event.stop()
        self.post_message(self.TraceHighlighted(event.record.id))

    @on(Input.Changed, "#trace-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = parse_filter(event.value)
        self._redraw()

    @on(Input.Submitted, "#trace-filter")
    def _filter_submitted(self) -> None:
        focus_now(self.table)

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self._paused_at = self._view.traces_seen if self._view is not None else 0
        self._redraw()

    def action_focus_filter(self) -> None:
        focus_now(self.query_one("#trace-filter", Input))


def empty_hint(view: AppView, filtered: bool) -> Text:
    """What an empty list says: how to make the first request, or that the filter hides all."""
    if filtered and view.traces:
        return Text("No request matches the filter.", style="dim italic")
    text = Text("No requests yet. ", style="dim italic")
    if view.url:
        text.append("curl ", "dim")
        text.append(f"{view.url}/", "bold cyan")
        text.append(", or press ", "dim")
    else:
        text.append("Press ", "dim")
    text.append("2", "bold reverse")
    text.append(" to compose one.", "dim")
    return text


__all__ = ["TraceList", "empty_hint"]
