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

from console.ui.literal import literal, one_line
from console.ui.traces import TraceRecord, compare_steps
from console.ui.widgets.hook_timeline import format_duration
from console.ui.widgets.key_bar import KeyBar


def _step_cell(step: Mapping[str, Any] | None, differs: bool) -> Text:
    if step is None:
        return Text("—", style="dim")
    style = "dim strike" if step.get("skipped") else ""
    text = Text.assemble(
        literal(f"{step.get('kind', '?')} ", "dim"),
        literal(one_line(step.get("name", "?"), 40), style or "bold"),
    )
    if step.get("short_circuit"):
        text.append(" ■ short-circuit", "bold yellow")
    raised = step.get("raised")
    if isinstance(raised, Mapping):
        text.append(" ✖ ", "bold red")
        text.append(literal(raised.get("type", "?"), "red"))
    returned = step.get("returned")
    if isinstance(returned, str) and not step.get("skipped"):
        text.append("\n  → ", "dim")
        text.append(literal(one_line(returned, 50), "italic"))
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
            (str(record.status or "---"), "bold"),
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
