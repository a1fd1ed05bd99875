"""Everything about one app: status line, load-error banner, and four sections.

Routes (the inspector), Request (composer and response viewer), Traces (live list with the
selected request's timeline, session/flash panel and raw detail) and Logs. The pane receives
a fresh :class:`AppView` from the app and hands each child the part it shows; children
report back with messages that bubble up to the app, which owns the engine.
"""

from __future__ import annotations

import time

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane

from console.protocol import RouteInfo
from console.ui.exchange import Exchange
from console.ui.state import AppView
from console.ui.traces import TraceRecord
from console.ui.widgets.app_status import AppStatusBar
from console.ui.widgets.composer import RequestComposer
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.load_error_banner import LoadErrorBanner
from console.ui.widgets.log_view import LogView
from console.ui.widgets.response_viewer import ResponseViewer
from console.ui.widgets.route_inspector import RouteInspector
from console.ui.widgets.session_panel import SessionPanel
from console.ui.widgets.trace_detail import TraceDetail
from console.ui.widgets.trace_list import TraceList

SECTIONS = ("routes", "request", "traces", "logs")
#: Seconds between two refreshes of the selected trace's details while the list follows.
DETAIL_INTERVAL = 0.25


class AppPane(Vertical):
    """The sections for the app named ``app_id``."""

    def __init__(self, app_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.app_id = app_id
        self.view: AppView | None = None
        self._selected_trace: str | None = None
        self._shown_trace: TraceRecord | None = None
        self._pending_trace: TraceRecord | None = None
        self._detail_shown_at = 0.0
        self._detail_timer_set = False
        self._drawn: dict[str, AppView] = {}

    def compose(self) -> ComposeResult:
        yield AppStatusBar(id="status")
        yield LoadErrorBanner(id="load-error")
        with TabbedContent(id="sections", initial="traces"):
            with TabPane("Routes", id="routes"):
                yield RouteInspector(id="inspector")
            with TabPane("Request", id="request"):
                with Horizontal(classes="split"):
                    yield RequestComposer(id="composer")
                    yield ResponseViewer(id="response")
            with TabPane("Traces", id="traces"):
                with Horizontal(classes="split"):
                    yield TraceList(id="trace-list")
                    with TabbedContent(id="trace-tabs", initial="timeline"):
                        with TabPane("Timeline", id="timeline"):
                            with VerticalScroll():
                                yield HookTimeline(id="hook-timeline")
                        with TabPane("Session", id="session"):
                            with VerticalScroll():
                                yield SessionPanel(id="session-panel")
                        with TabPane("Detail", id="detail"):
                            with VerticalScroll():
                                yield TraceDetail(id="trace-detail")
            with TabPane("Logs", id="logs"):
                yield LogView(id="log-view")

    @on(TabbedContent.TabActivated, "#sections")
    def _section_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self.refresh_section()
        if self._is_shown_app():
            self.call_after_refresh(self.focus_section)

    def _is_shown_app(self) -> bool:
        """Whether this pane's tab is the active one of the tabs that hold it."""
        holder = next((a for a in self.ancestors if isinstance(a, TabbedContent)), None)
        return holder is None or (self.parent is not None and holder.active == self.parent.id)

    def on_mount(self) -> None:
        self.query_one(HookTimeline).show_trace(None)
        self.query_one(SessionPanel).show_trace(None)
        self.query_one(TraceDetail).show_trace(None)

    def show_view(self, view: AppView) -> None:
        """Take a new view; only what is on screen is redrawn, the rest when it is shown.

        Under a flood of requests this keeps the cost of a frame to the one section the
        user is looking at, in the one app they are looking at.
        """
        previous, self.view = self.view, view
        if previous is None or _status_changed(previous, view):
            self.query_one(AppStatusBar).show_view(view)
            self.query_one(LoadErrorBanner).show_error(
                view.load_error, serving=view.pid is not None
            )
            for composer in self.query(RequestComposer).results(RequestComposer):
                composer.set_base_url(view.url)
        if self._is_shown_app():
            self.refresh_section()

    def refresh_section(self) -> None:
        """Bring the visible section up to date with the latest view."""
        view = self.view
        section = self.section
        if view is None or self._drawn.get(section) is view:
            return
        self._drawn[section] = view
        if section == "traces":
            self.query_one(TraceList).show_view(view)
        for inspector in self.query(RouteInspector).results(RouteInspector):
            if section == "routes":
                inspector.show_view(view)
        for log_view in self.query(LogView).results(LogView):
            if section == "logs":
                log_view.show_view(view)
        for composer in self.query(RequestComposer).results(RequestComposer):
            composer.set_base_url(view.url)

    def show_section(self, section: str) -> None:
        """Switch to a section and put the focus where its keys work."""
        self._switch_to(section)
        self.focus_section()

    def _switch_to(self, section: str) -> None:
        """Make ``section`` the visible one, taking the focus out of the one it hides.

        A focused widget that gets hidden hands the focus to a neighbour, which may sit in
        the same hidden section; its ``TabPane.Focused`` would then switch straight back.
        """
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.screen.set_focus(None)
        self.query_one("#sections", TabbedContent).active = section

    def focus_section(self) -> None:
        section = self.section
        if section == "request":
            for composer in self.query(RequestComposer).results(RequestComposer):
                composer.focus_first_field()
            return
        target = {"routes": "#route-table", "traces": "#trace-table", "logs": "#log-view"}
        if section in target:
            self.query_one(target[section]).focus()

    @property
    def section(self) -> str:
        return self.query_one("#sections", TabbedContent).active

    def show_exchange(self, exchange: Exchange) -> None:
        self.query_one(ResponseViewer).show_exchange(exchange)

    def show_cookies(self, cookies: tuple[tuple[str, str, str], ...]) -> None:
        for viewer in self.query(ResponseViewer).results(ResponseViewer):
            viewer.show_cookies(cookies)

    def compose_for(self, route: RouteInfo) -> None:
        self._switch_to("request")
        self.query_one(RequestComposer).prefill(route)

    def selected_trace(self) -> TraceRecord | None:
        return self.query_one(TraceList).selected()

    @on(TraceList.TraceHighlighted)
    def _trace_highlighted(self, event: TraceList.TraceHighlighted) -> None:
        """Show the highlighted trace's details, at most every DETAIL_INTERVAL seconds.

        While the list follows a flood of requests the highlight moves every frame; the
        details then refresh a few times a second instead of on every frame.
        """
        event.stop()
        if self.view is None:
            return
        self._pending_trace = self.view.find_trace(event.trace_id)
        wait = self._detail_shown_at + DETAIL_INTERVAL - time.monotonic()
        if wait <= 0:
            self._show_pending_trace()
        elif not self._detail_timer_set:
            self._detail_timer_set = True
            self.set_timer(wait, self._show_pending_trace)

    def _show_pending_trace(self) -> None:
        self._detail_timer_set = False
        record = self._pending_trace
        if record is None or record is self._shown_trace:
            return
        self._shown_trace = record
        self._detail_shown_at = time.monotonic()
        self.query_one(HookTimeline).show_trace(record.raw)
        self.query_one(SessionPanel).show_trace(record.raw)
        self.query_one(TraceDetail).show_trace(record.raw)

    @on(RouteInspector.RouteChosen)
    def _route_chosen(self, event: RouteInspector.RouteChosen) -> None:
        event.stop()
        self.compose_for(event.route)


def _status_changed(before: AppView, after: AppView) -> bool:
    return (
        before.state,
        before.detail,
        before.port,
        before.pid,
        before.last_reload,
        before.load_error,
        before.traces_seen,
        before.traces_dropped,
    ) != (
        after.state,
        after.detail,
        after.port,
        after.pid,
        after.last_reload,
        after.load_error,
        after.traces_seen,
        after.traces_dropped,
    )


__all__ = ["SECTIONS", "AppPane"]
