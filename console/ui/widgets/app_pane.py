"""Everything about one app: status line, load-error banner, and four sections.

Routes (the inspector), Request (composer and response viewer), Traces (live list with the
selected request's timeline, session/flash panel and raw detail) and Logs. The pane receives
a fresh :class:`AppView` from the app and hands each child the part it shows; children
report back with messages that bubble up to the app, which owns the engine.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane

from console.protocol import RouteInfo
from console.ui.state import AppView
from console.ui.traces import TraceRecord
from console.ui.widgets.app_status import AppStatusBar
from console.ui.widgets.composer import RequestComposer
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.load_error_banner import LoadErrorBanner
from console.ui.widgets.log_view import LogView
from console.ui.widgets.response_viewer import Exchange, ResponseViewer
from console.ui.widgets.route_inspector import RouteInspector
from console.ui.widgets.session_panel import SessionPanel
from console.ui.widgets.trace_detail import TraceDetail
from console.ui.widgets.trace_list import TraceList

SECTIONS = ("routes", "request", "traces", "logs")


class AppPane(Vertical):
    """The sections for the app named ``app_id``."""

    def __init__(self, app_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.app_id = app_id
        self.view: AppView | None = None
        self._selected_trace: str | None = None
        self._shown_trace: object = None

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
        """Bring every section up to date with ``view``; cheap when little changed."""
        previous, self.view = self.view, view
        if previous is None or _status_changed(previous, view):
            self.query_one(AppStatusBar).show_view(view)
            self.query_one(LoadErrorBanner).show_error(
                view.load_error, serving=view.pid is not None
            )
            self.query_one(RequestComposer).set_base_url(view.url)
        if (
            previous is None
            or previous.routes is not view.routes
            or (previous.route_diff is not view.route_diff)
        ):
            self.query_one(RouteInspector).show_view(view)
        if (
            previous is None
            or previous.traces is not view.traces
            or _counts_changed(previous, view)
        ):
            self.query_one(TraceList).show_view(view)
        if previous is None or previous.logs is not view.logs:
            self.query_one(LogView).show_view(view)

    def show_section(self, section: str) -> None:
        """Switch to a section and put the focus where its keys work."""
        self.query_one("#sections", TabbedContent).active = section
        self.focus_section()

    def focus_section(self) -> None:
        section = self.section
        if section == "request":
            self.query_one(RequestComposer).focus_first_field()
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
        self.query_one(ResponseViewer).show_cookies(cookies)

    def compose_for(self, route: RouteInfo) -> None:
        self.query_one("#sections", TabbedContent).active = "request"
        self.query_one(RequestComposer).prefill(route)

    def selected_trace(self) -> TraceRecord | None:
        return self.query_one(TraceList).selected()

    @on(TraceList.TraceHighlighted)
    def _trace_highlighted(self, event: TraceList.TraceHighlighted) -> None:
        event.stop()
        if self.view is None:
            return
        record = self.view.find_trace(event.trace_id)
        if record is None or record is self._shown_trace:
            return
        self._shown_trace = record
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


def _counts_changed(before: AppView, after: AppView) -> bool:
    return (before.traces_seen, before.traces_dropped) != (after.traces_seen, after.traces_dropped)


__all__ = ["SECTIONS", "AppPane"]
