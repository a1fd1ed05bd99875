"""The route inspector: the app's url_map as a table, filtered as you type.

After a reload, added routes are highlighted green and changed ones yellow, and the routes
the reload removed are listed under the table for a while. Enter on a route asks for the
composer, prefilled with it (:class:`RouteInspector.RouteChosen`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.protocol import RouteInfo
from console.trace_format import (
    route_converters,
    route_defaults,
    route_host,
    route_location,
    route_methods,
    route_view,
)
from console.ui.key_order import focus_now
from console.ui.literal import literal
from console.ui.state import AppView
from console.ui.widgets.fields import TextField

#: (title, cell text, style): what a person looks for first comes first. A column whose
#: cells are all empty is not shown.
COLUMNS: tuple[tuple[str, Callable[[RouteInfo], str], str], ...] = (
    ("methods", lambda r: " ".join(route_methods(r)), "cyan"),
    ("rule", lambda r: r.rule, "bold"),
    ("endpoint", lambda r: r.endpoint, ""),
    ("source", route_location, "dim"),
    ("view", lambda r: "" if route_view(r) == r.endpoint else route_view(r), ""),
    ("arguments", route_converters, ""),
    ("defaults", route_defaults, ""),
    ("trailing /", lambda r: "" if r.strict_slashes else "optional", ""),
    ("redirect_to", lambda r: r.redirect_to or "", ""),
    ("subdomain/host", route_host, ""),
    ("blueprint", lambda r: r.blueprint or "", ""),
)
_MARKS = {"added": ("+ ", "bold green"), "changed": ("~ ", "bold yellow")}
#: Cells a right or left arrow scrolls the route table by.
SCROLL_STEP = 12


def route_matches(route: RouteInfo, needle: str) -> bool:
    """Filter rule: every word must appear in the rule, the endpoint or a method."""
    haystack = " ".join((route.rule, route.endpoint, *route.methods)).lower()
    return all(word in haystack for word in needle.lower().split())


def shown_columns(routes: tuple[RouteInfo, ...] | list[RouteInfo]) -> list[int]:
    """The indexes of the columns that have something to show for these routes."""
    return [
        index
        for index, (title, cell, _) in enumerate(COLUMNS)
        if title in ("methods", "rule") or any(cell(route) for route in routes)
    ]


def route_cells(route: RouteInfo, mark: str, columns: list[int]) -> list[Text]:
    prefix, mark_style = _MARKS.get(mark, ("  ", ""))
    cells = []
    for index in columns:
        title, cell, style = COLUMNS[index]
        value = cell(route)
        if title == "rule":
            value = prefix + value
        cells.append(literal(value, mark_style or style))
    return cells


class RouteTable(DataTable[Text]):
    """The route table; the arrows scroll sideways by a good step, not one cell."""

    BINDINGS = [
        Binding("right", "scroll_sideways(1)", "Scroll right", show=False),
        Binding("left", "scroll_sideways(-1)", "Scroll left", show=False),
    ]

    def action_scroll_sideways(self, direction: int) -> None:
        self.scroll_relative(x=direction * SCROLL_STEP, animate=False)


class RouteInspector(Vertical):
    """Filter input, route table, and the list of routes the last reload removed."""

    class RouteChosen(Message):
        """The user picked a route to compose a request for."""

        def __init__(self, route: RouteInfo) -> None:
            super().__init__()
            self.route = route

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view: AppView | None = None
        self._shown: list[RouteInfo] = []
        self._signature: object = None
        self._columns: list[int] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="route-hint")
        yield TextField(
            placeholder="/ filter routes by rule, endpoint or method", id="route-filter"
        )
        yield RouteTable(id="route-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="removed-routes")

    def show_view(self, view: AppView) -> None:
        self._view = view
        self._refresh_table()

    def _refresh_table(self) -> None:
        view = self._view
        if view is None:
            return
        needle = self.query_one("#route-filter", Input).value
        now = time.time()
        removed = view.removed_routes(now)
        signature = (view.routes, view.route_diff, needle, bool(removed), view.url)
        if signature == self._signature:
            return
        self._signature = signature
        self.query_one("#route-hint", Static).update(start_hint(view))
        table = self.query_one(RouteTable)
        self._shown = sorted(
            (r for r in view.routes if route_matches(r, needle)),
            key=lambda route: route_view(route) == "static files",  # the app's own first
        )
        cursor = table.cursor_row
        columns = shown_columns(view.routes)
        table.clear(columns=columns != self._columns)
        if columns != self._columns:
            self._columns = columns
            table.add_columns(*(COLUMNS[index][0] for index in columns))
        for index, route in enumerate(self._shown):
            table.add_row(*route_cells(route, view.route_mark(route), columns), key=str(index))
        if self._shown:
            table.move_cursor(row=min(cursor, len(self._shown) - 1))
        removed_panel = self.query_one("#removed-routes", Static)
        removed_panel.display = bool(removed)
        if removed:
            text = Text("removed by the last reload: ", style="bold red")
            text.append_text(literal(", ".join(r.rule for r in removed), "red strike"))
            removed_panel.update(text)

    @on(Input.Changed, "#route-filter")
    def _filter_changed(self) -> None:
        self._refresh_table()

    @on(Input.Submitted, "#route-filter")
    def _filter_submitted(self) -> None:
        focus_now(self.query_one(RouteTable))

    @on(DataTable.RowSelected, "#route-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if 0 <= index < len(self._shown):
            self.post_message(self.RouteChosen(self._shown[index]))

    def action_focus_filter(self) -> None:
        focus_now(self.query_one("#route-filter", Input))

    @property
    def shown_routes(self) -> list[RouteInfo]:
        return list(self._shown)


def start_hint(view: AppView) -> Text:
    """How to make the first request: the URL to open, and the keys that compose one."""
    hint = Text.assemble(("Try it: ", "bold"))
    if view.url:
        hint.append_text(literal(f"curl {view.url}/", "bold cyan"))
        hint.append(" (or a browser), or ")
    hint.append(" enter ", "bold reverse")
    hint.append(" on a route to compose a request and ")
    hint.append(" ctrl+s ", "bold reverse")
    hint.append(" to send it; ")
    hint.append("3 Traces", "bold")
    hint.append(" shows what ran.")
    return hint


__all__ = [
    "COLUMNS",
    "RouteInspector",
    "RouteTable",
    "route_cells",
    "route_matches",
    "shown_columns",
    "start_hint",
]
