"""Replay comparison: the original trace and the replayed one side by side, differences marked.

After an edit and a reload, replaying a request shows what the edit changed in the framework's
behaviour: a hook that now short-circuits, a view that returns something else, a new status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.trace_format import format_duration, one_line
from console.trace_reader import TraceRecord, read_step
from console.ui.literal import literal
from console.ui.styles import status_style, step_kind_style
from console.ui.traces import compare_steps
from console.ui.widgets.key_bar import KeyBar


def _step_cell(raw_step: Mapping[str, Any] | None, differs: bool) -> Text:
    if raw_step is None:
        return Text("—", style="dim")
    step = read_step(raw_step)
    text = Text.assemble(
        (f"{step.label} ", "dim" if step.skipped else step_kind_style(step.label)),
        literal(one_line(step.name, 40), "dim strike" if step.skipped else "bold"),
    )
    if step.short_circuit:
        text.append(" ■ short-circuit", "bold yellow")
    if step.raised is not None:
        text.append(" ✖ ", "bold red")
        text.append(literal(step.raised[0], "red"))
    if step.returned is not None and not step.skipped:
        text.append("\n  → ", "dim")
        text.append(literal(one_line(step.returned, 50), "italic"))
    if differs:
        text.stylize("on grey19")
    return text


def render_comparison(original: TraceRecord, replayed: TraceRecord) -> Table:
    table = Table(expand=True, show_lines=False, header_style="bold")
    table.add_column("", width=2)
    table.add_column(Text("original  ") + literal(original.id[:8], "dim"), ratio=1)
    table.add_column(Text("replay  ") + literal(replayed.id[:8], "dim"), ratio=1)

    def summary(record: TraceRecord) -> Text:
        return Text.assemble(
            (f"{record.method} ", "bold"),
            literal(record.path),
            "  ",
            (str(record.status or "---"), status_style(record.status)),
            f"  {format_duration(record.duration_us)}",
        )

    status_differs = original.status != replayed.status
    table.add_row(
        Text("≠", style="bold yellow") if status_differs else Text(""),
        summary(original),
        summary(replayed),
    )
    for row in compare_steps(original.raw, replayed.raw):
        table.add_row(
            Text("≠", style="bold yellow") if row.differs else Text(""),
            _step_cell(row.left, row.differs),
            _step_cell(row.right, row.differs),
        )
    return table


class ReplayScreen(ModalScreen[None]):
    """Shows :func:`render_comparison`; escape closes it."""

    BINDINGS = [Binding("escape,q", "dismiss", "Close", key_display="esc")]

    def __init__(self, original: TraceRecord, replayed: TraceRecord) -> None:
        super().__init__()
        self.original = original
        self.replayed = replayed

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="replay-box"):
            yield Static(
                Text("Replay: the same request against the current code", style="bold"),
                id="replay-title",
            )
            yield Static(render_comparison(self.original, self.replayed), id="replay-table")
        yield KeyBar()


__all__ = ["ReplayScreen", "render_comparison"]
