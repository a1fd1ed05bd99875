"""Everything about one app: status line, load-error banner, and four sections.

Routes (the inspector), Request (composer and response viewer), Traces (live list with the
selected request's timeline, session/flash panel and raw detail) and Logs. The pane receives
a fresh :class:`AppView` from the app and hands each child the part it shows; children
report back with messages that bubble up to the app, which owns the engine.

The pane opens on the Routes section, which says how to make the first request; it and the
Traces section are built with the pane, the other two (and their modules imported) one per
frame once the first screen has been shown, or at once when the user asks for one first.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import TabbedContent, TabPane

from console.protocol import RouteInfo
from console.trace_reader import TraceRecord
from console.ui.exchange import Exchange
from console.ui.key_order import focus_now
from console.ui.keys import SECTIONS, key_for
from console.ui.state import AppView
from console.ui.widgets.app_status import AppStatusBar
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.load_error_banner import LoadErrorBanner
from console.ui.widgets.route_inspector import RouteInspector
from console.ui.widgets.section_tabs import SectionTabs
from console.ui.widgets.session_panel import SessionPanel
from console.ui.widgets.trace_detail import TraceDetail
from console.ui.widgets.trace_list import TraceList

if TYPE_CHECKING:
    from console.ui.widgets.composer import RequestComposer
    from console.ui.widgets.log_view import LogView
    from console.ui.widgets.response_viewer import ResponseViewer

_TITLES = {"routes": "Routes", "request": "Request", "traces": "Traces", "logs": "Logs"}
TRACE_PANES = {"timeline": "Timeline", "session": "Session", "detail": "Detail"}
#: The widget that takes the focus when a section is shown (the request section: its form).
_FOCUS_TARGETS = {"routes": "#route-table", "traces": "#trace-table", "logs": "#log-view"}
#: Seconds between two refreshes of the selected trace's details while the list follows.
DETAIL_INTERVAL = 0.25


class AppPane(Vertical):
    """The sections for the app named ``app_id``."""

    def __init__(self, app_id: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.app_id = app_id
        self.view: AppView | None = None
        self.trace_list = TraceList(id="trace-list")
        self.inspector = RouteInspector(id="inspector")
        self.composer: RequestComposer | None = None
        self.response: ResponseViewer | None = None
        self.log_view: LogView | None = None
        self._status = AppStatusBar(id="status")
        self._banner = LoadErrorBanner(id="load-error")
        self._sections = SectionTabs(id="sections", initial="routes")
        self._trace_tabs = SectionTabs(id="trace-tabs", initial="timeline")
        self._details: dict[str, HookTimeline | SessionPanel | TraceDetail] = {
            "timeline": HookTimeline(id="hook-timeline"),
            "session": SessionPanel(id="session-panel"),
            "detail": TraceDetail(id="trace-detail"),
        }
        self._built = {"routes", "traces"}
        self._shown_trace: TraceRecord | None = None
        self._pending_trace: TraceRecord | None = None
        self._drawn_details: dict[str, TraceRecord | None] = {}
        self._detail_shown_at = 0.0
        self._detail_timer_set = False
        self._drawn: dict[str, AppView] = {}

    def compose(self) -> ComposeResult:
        yield self._status
        yield self._banner
        with self._sections:
            for section in SECTIONS:
                with TabPane(_tab_title(f"section({section!r})", _TITLES[section]), id=section):
                    if section == "traces":
                        yield from self._compose_traces()
                    elif section == "routes":
                        yield self.inspector

    def _compose_traces(self) -> ComposeResult:
        with Horizontal(classes="split"):
            yield self.trace_list
            with self._trace_tabs:
                for tab, title in TRACE_PANES.items():
                    label = _tab_title(f"trace_pane({tab!r})", title)
                    with TabPane(label, id=tab), VerticalScroll():
                        yield self._details[tab]

    def on_mount(self) -> None:
        for panel in self._details.values():
            panel.show_trace(None)
        self.call_after_refresh(self._build_next_section)

    # --- sections built on demand -----------------------------------------------------------

    async def _build_next_section(self) -> None:
        """Build one section not built yet, then the next one after the following frame."""
        missing = [section for section in SECTIONS if section not in self._built]
        if missing and self.is_attached:
            await self.ensure_section(missing[0])
            self.call_after_refresh(self._build_next_section)

    async def ensure_section(self, section: str) -> None:
        """Build ``section`` if it has not been built yet (importing its widgets' modules)."""
        if section in self._built:
            return
        self._built.add(section)
        holder = self._sections.get_pane(section)
        # Each widget is published on the pane only once it is mounted: events drained while
        # the mount is awaited must not reach a widget whose children do not exist yet.
        if section == "request":
            from console.ui.widgets.composer import RequestComposer
            from console.ui.widgets.response_viewer import ResponseViewer

            composer = RequestComposer(base_url=self._view_url(), id="composer")
            response = ResponseViewer(id="response")
            await holder.mount(Horizontal(composer, response, classes="split"))
            composer.set_base_url(self._view_url())  # the app may have moved while mounting
            self.composer, self.response = composer, response
        elif section == "logs":
            from console.ui.widgets.log_view import LogView

            log_view = LogView(id="log-view")
            await holder.mount(log_view)
            self.log_view = log_view
        if section == self.section:
            self.refresh_section()

    @on(TabbedContent.TabActivated, "#sections")
    async def _section_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        await self.ensure_section(self.section)
        self.refresh_section()
        if self._is_shown_app():
            self.call_after_refresh(self._focus_section_unless_there)
            self.app.refresh_bindings()  # the key bar shows the section's keys

    def _view_url(self) -> str | None:
        return self.view.url if self.view is not None else None

    def _is_shown_app(self) -> bool:
        """Whether this pane's tab is the active one of the tabs that hold it."""
        holder = next((a for a in self.ancestors if isinstance(a, TabbedContent)), None)
        return holder is None or (self.parent is not None and holder.active == self.parent.id)

    # --- the model ---------------------------------------------------------------------------

    def show_view(self, view: AppView) -> None:
        """Take a new view; only what is on screen is redrawn, the rest when it is shown.

        Under a flood of requests this keeps the cost of a frame to the one section the
        user is looking at, in the one app they are looking at.
        """
        previous, self.view = self.view, view
        if not view.traces and (self._shown_trace or self._pending_trace) is not None:
            self._forget_trace()  # the list was cleared (c, R): so are its details
        if previous is None or _status_changed(previous, view):
            self._status.show_view(view)
            self._banner.show_error(view.load_error, serving=view.serving)
            if self.composer is not None:
                self.composer.set_base_url(view.url)
        if self._is_shown_app():
            self.refresh_section()

    def refresh_section(self) -> None:
        """Bring the visible section up to date with the latest view."""
        view = self.view
        section = self.section
        if view is None or self._drawn.get(section) is view:
            return
        if section == "traces":
            self.trace_list.show_view(view)
            self._draw_details()
        elif section == "routes":
            self.inspector.show_view(view)
        elif section == "logs" and self.log_view is not None:
            self.log_view.show_view(view)
        elif section not in self._built:
            return  # drawn once it is built
        self._drawn[section] = view

    @property
    def section(self) -> str:
        return self._sections.active

    # --- what the app asks for ---------------------------------------------------------------

    async def show_section(self, section: str) -> None:
        """Switch to a section; the focus goes where its keys work once it is shown."""
        await self.ensure_section(section)
        self._switch_to(section)
        self.focus_section()

    async def show_trace_pane(self, pane: str) -> None:
        """Show the traces and one of the selected trace's panes (timeline, session, detail)."""
        if self.section != "traces":
            await self.show_section("traces")
        self._trace_tabs.active = pane

    async def show_composer(self) -> RequestComposer:
        await self.ensure_section("request")
        if self.section != "request":
            await self.show_section("request")
        assert self.composer is not None  # built by ensure_section
        return self.composer

    def focus_filter(self) -> None:
        if self.section == "routes":
            self.inspector.action_focus_filter()
        elif self.section == "traces":
            self.trace_list.action_focus_filter()

    def leave_field(self) -> None:
        """From a text field to where the section's own keys work."""
        if self.section == "request" and self.composer is not None:
            self.composer.leave_field()
        else:
            self.focus_section()

    def _switch_to(self, section: str) -> None:
        """Make ``section`` the visible one, taking the focus out of the one it hides.

        A focused widget that gets hidden hands the focus to a neighbour, which may sit in
        the same hidden section; its ``TabPane.Focused`` would then switch straight back.
        """
        focused = self.screen.focused
        if focused is not None and self in focused.ancestors:
            self.screen.set_focus(None)
        self._sections.active = section

    def _focus_section_unless_there(self) -> None:
        """Focus the section, unless a key pressed meanwhile already focused a widget in it."""
        focused = self.screen.focused
        if focused is None or self._sections.get_pane(self.section) not in focused.ancestors:
            self.focus_section()

    def focus_section(self) -> None:
        section = self.section
        if section == "request":
            if self.composer is not None:
                self.composer.focus_first_field()
        elif section in _FOCUS_TARGETS and section in self._built:
            focus_now(self.query_one(_FOCUS_TARGETS[section]))

    async def compose_for_route(self, route: RouteInfo) -> None:
        """Show the composer, prefilled with ``route``."""
        await self.ensure_section("request")
        self._switch_to("request")
        if self.composer is not None:
            await self.composer.prefill(route)

    def show_exchange(self, exchange: Exchange) -> None:
        if self.response is not None:
            self.response.show_exchange(exchange)

    def show_cookies(self, cookies: tuple[tuple[str, str, str], ...]) -> None:
        if self.response is not None:
            self.response.show_cookies(cookies)

    def selected_trace(self) -> TraceRecord | None:
        return self.trace_list.selected()

    # --- the selected trace ------------------------------------------------------------------

    def _forget_trace(self) -> None:
        self._shown_trace = self._pending_trace = None
        self._draw_details()

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
        self._draw_details()

    @on(TabbedContent.TabActivated, "#trace-tabs")
    def _detail_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        self._draw_details()

    def _draw_details(self) -> None:
        """Draw the selected trace in the detail tab on screen; the others when shown."""
        if self.section != "traces":
            return  # drawn when the traces are shown again (a hidden panel has no width)
        tab = self._trace_tabs.active
        record = self._shown_trace
        if tab in self._details and self._drawn_details.get(tab) is not record:
            self._drawn_details[tab] = record
            self._details[tab].show_trace(record.raw if record is not None else None)

    async def on_route_inspector_route_chosen(self, event: RouteInspector.RouteChosen) -> None:
        event.stop()
        await self.compose_for_route(event.route)


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


def _tab_title(action: str, title: str) -> str:
    """A tab's title with the key that shows it: ``1 Routes``."""
    key = key_for(action)
    return f"{key.display} {title}" if key is not None else title


__all__ = ["TRACE_PANES", "AppPane"]
