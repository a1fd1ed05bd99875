"""The help screen (``?``): every key, grouped by where it applies, from :mod:`console.ui.keys`."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.ui.keys import help_places

#: From this width on, the places are shown in two columns.
TWO_COLUMNS_FROM = 110


def _place_table(places: list[tuple[str, list[tuple[str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", justify="right", no_wrap=True)
    table.add_column()
    for index, (place, keys) in enumerate(places):
        if index:
            table.add_row("", "")
        table.add_row(Text(place, style="bold underline"), "")
        for key, meaning in keys:
            table.add_row(key, meaning)
    return table


def render_help(width: int = 80) -> Table | Group:
    """The keys by place; at ``width`` from :data:`TWO_COLUMNS_FROM` on, in two columns."""
    places = help_places()
    if width < TWO_COLUMNS_FROM:
        return _place_table(places)
    outer = Table.grid(padding=(0, 4))
    outer.add_column(ratio=1)
    outer.add_column(ratio=1)
    outer.add_row(_place_table(places[:1]), _place_table(places[1:]))
    return outer


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(
                Text.assemble(("hookscope — keys", "bold"), ("   esc closes", "dim")),
                id="help-title",
            )
            yield Static(render_help(self.app.size.width), id="help-keys")


__all__ = ["HelpScreen", "render_help"]
