"""The route inspector: the app's url_map as a table, filtered as you type.

After a reload, added routes are highlighted green and changed ones yellow, and the routes
the reload removed are listed under the table for a while. Enter on a route asks for the
composer, prefilled with it (:class:`RouteInspector.RouteChosen`).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from console.protocol import RouteInfo
from console.ui.literal import literal
from console.ui.state import AppView
from console.ui.url_builder import describe_value
from console.ui.widgets.hook_timeline import short_path

COLUMNS = (
    "rule",
    "endpoint",
    "methods",
    "converters",
    "defaults",
    "strict",
    "redirect_to",
    "subdomain/host",
    "blueprint",
    "view",
)
_HIDDEN_METHODS = {"HEAD", "OPTIONS"}


def route_matches(route: RouteInfo, needle: str) -> bool:
    """Filter rule: every word must appear in the rule, the endpoint or a method."""
    haystack = " ".join((route.rule, route.endpoint, *route.methods)).lower()
    return all(word in haystack for word in needle.lower().split())


def route_cells(route: RouteInfo, mark: str) -> list[Text]:
    style = {"added": "bold green", "changed": "bold yellow"}.get(mark, "")
    methods = [m for m in route.methods if m not in _HIDDEN_METHODS] or list(route.methods)
    converters = ", ".join(
        f"{c.name}:{c.converter}" + (f"({c.arguments})" if c.arguments else "")
        for c in route.converters
    )
    defaults = ", ".join(f"{k}={describe_value(v)}" for k, v in (route.defaults or {}).items())
    where = route.subdomain or route.host or ""
    view = route.view or ""
    if route.file:
        view += f"  {short_path(route.file)}:{route.line}"
    prefix = {"added": "+ ", "changed": "~ "}.get(mark, "  ")
    return [
        literal(prefix + route.rule, style or "bold"),
        literal(route.endpoint, style),
        literal(" ".join(sorted(methods)), style or "cyan"),
        literal(converters, style),
        literal(defaults, style),
        literal("yes" if route.strict_slashes else "no", style or "dim"),
        literal(route.redirect_to or "", style),
        literal(where, style),
        literal(route.blueprint or "", style),
        literal(view, style or "dim"),
    ]


class RouteInspector(Vertical):
    """Filter input, route table, and the list of routes the last reload removed."""

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", show=True),
    ]

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

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter routes by rule, endpoint or method", id="route-filter")
        table: DataTable[Text] = DataTable(id="route-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
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
        signature = (view.routes, view.route_diff, needle, bool(removed))
        if signature == self._signature:
            return
        self._signature = signature
        table: DataTable[Text] = self.query_one("#route-table", DataTable)
        self._shown = [r for r in view.routes if route_matches(r, needle)]
        cursor = table.cursor_row
        table.clear()
        for index, route in enumerate(self._shown):
            table.add_row(*route_cells(route, view.route_mark(route)), key=str(index))
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
        self.query_one("#route-table", DataTable).focus()

    @on(DataTable.RowSelected, "#route-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = event.cursor_row
        if 0 <= index < len(self._shown):
            self.post_message(self.RouteChosen(self._shown[index]))

    def action_focus_filter(self) -> None:
        self.query_one("#route-filter", Input).focus()

    @property
    def shown_routes(self) -> list[RouteInfo]:
        return list(self._shown)


__all__ = ["RouteInspector", "route_cells", "route_matches"]
