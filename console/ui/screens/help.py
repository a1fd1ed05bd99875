"""The help screen (``?``): every key, grouped by where it applies."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS_BY_PLACE: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Anywhere",
        (
            ("[ / ]", "previous / next app"),
            ("1 2 3 4", "routes, request, traces, logs"),
            ("esc", "leave a text field, so the single keys work"),
            ("r", "reload the app's code (zero downtime)"),
            ("R", "restart: fresh worker, empty cookie jar, empty trace list"),
            ("ctrl+p", "command palette: every action by name"),
            ("?", "this help"),
            ("q, ctrl+q", "quit (every worker is stopped)"),
        ),
    ),
    (
        "Routes",
        (
            ("/", "filter by rule, endpoint or method"),
            ("enter", "compose a request for the route"),
            ("", "green + added, yellow ~ changed by the last reload"),
        ),
    ),
    (
        "Request",
        (
            ("ctrl+s", "send"),
            ("ctrl+l", "free URL bar: any path, routed or not"),
            ("ctrl+f", "toggle following redirects"),
            ("ctrl+o", "clear the app's cookie jar"),
        ),
    ),
    (
        "Traces",
        (
            ("/", "filter by method, path, status, marks (S E R)"),
            ("p", "pause / resume the list"),
            ("c", "clear the list"),
            ("x", "replay the selected request and compare the traces"),
            ("y", "copy the selected request as curl"),
            ("e", "export the list as JSON lines"),
            ("", "marks: S short-circuit, E exception, R redirect"),
        ),
    ),
)


def render_help() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", justify="right")
    table.add_column()
    for place, keys in KEYS_BY_PLACE:
        table.add_row(Text(place, style="bold underline"), "")
        for key, meaning in keys:
            table.add_row(key, meaning)
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("hookscope — keys", style="bold"), id="help-title")
            yield Static(render_help())


__all__ = ["KEYS_BY_PLACE", "HelpScreen", "render_help"]
