"""The Textual app: a thin shell that feeds engine events to the model and the model to panes.

Events arrive on supervisor threads and go into an :class:`EventInbox`; a timer drains it
every frame, reduces each app's :class:`AppView` once per batch and hands the new views to
their panes. So a flood of traces costs one model update and one repaint per frame, and the
keyboard stays responsive. Actions (reload, send, replay, export...) are methods here; the
keys that run them, the key bar, the help screen and the command palette all come from
:mod:`console.ui.keys`.
"""

from __future__ import annotations

import collections
import gc
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Input, TabbedContent, TabPane, TextArea

from console.protocol import Event
from console.trace_reader import TraceRecord
from console.ui import keys
from console.ui.engine import Engine, EventInbox
from console.ui.exchange import Exchange, OutgoingRequest
from console.ui.key_order import takes_keys_itself
from console.ui.literal import visible
from console.ui.state import DEFAULT_TRACE_CAPACITY, AppView, clear_traces, reduce
from console.ui.traces import as_curl, export_jsonl
from console.ui.widgets.app_pane import AppPane
from console.ui.widgets.app_status import tab_label
from console.ui.widgets.key_bar import KeyBar
from console.ui.widgets.section_tabs import SectionTabs

if TYPE_CHECKING:
    from console.ui.widgets.composer import RequestComposer
    from console.ui.widgets.response_viewer import ResponseViewer

FRAME_SECONDS = 1 / 20


class HookscopeConsole(App[None]):
    """Runs the apps of ``engine`` and shows them, one tab each.

    Args:
        engine: Runs the apps; the app starts it unless ``inbox`` is given.
        inbox: The inbox an already started engine delivers its events to.
        trace_capacity: How many traces each app keeps.
        export_dir: Where the export dialog proposes to write trace lists (default: the
            user's home directory, never the project being worked on).
        clock: The time events are stamped with (fixed in snapshot tests).
    """

    CSS_PATH = [
        "console.tcss",
        *sorted(str(p) for p in (Path(__file__).parent / "widgets").glob("*.tcss")),
        *sorted(str(p) for p in (Path(__file__).parent / "screens").glob("*.tcss")),
    ]
    TITLE = "hookscope"
    AUTO_FOCUS = None  # the first pane focuses its route table, once it is shown
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = keys.bindings()

    def __init__(
        self,
        engine: Engine,
        *,
        inbox: EventInbox | None = None,
        trace_capacity: int = DEFAULT_TRACE_CAPACITY,
        export_dir: Path | None = None,
        clock: collections.abc.Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.engine = engine
        self._engine_started_by_caller = inbox is not None
        self.inbox = inbox or EventInbox()
        self.export_dir = export_dir or Path.home()
        self._clock = clock
        self.views: dict[str, AppView] = {
            entry.app_id: AppView(entry.app_id, target=entry.target, trace_capacity=trace_capacity)
            for entry in engine.apps
        }
        self._pane_ids = {app_id: f"app-{index}" for index, app_id in enumerate(self.views)}
        self._replays: dict[str, tuple[str, TraceRecord]] = {}
        self._panes: dict[str, AppPane] = {}
        self.frames = 0
        self._engine_error = ""

    # --- layout and the event loop ----------------------------------------------------------

    def compose(self) -> ComposeResult:
        with SectionTabs(id="apps", initial=next(iter(self._pane_ids.values()), "")):
            for index, (app_id, pane_id) in enumerate(self._pane_ids.items()):
                with TabPane(Content(visible(app_id)), id=pane_id):
                    if index == 0:  # the others are built when first shown: a faster start
                        yield self._new_pane(app_id)
        yield KeyBar(shows=self._key_bar_shows)

    def on_load(self) -> None:
        """Start the workers before the first paint, so they load while Textual sets up.

        A caller that started the engine itself (to overlap worker startup with importing
        Textual) passes the inbox it feeds instead.
        """
        if self._engine_started_by_caller:
            return
        try:
            self.engine.start(self.inbox.put)
        except Exception as error:  # a port in use, a bad target: tell the user, keep the UI
            self._engine_error = str(error)

    async def on_event(self, event: events.Event) -> None:
        """Run a key's bindings as it arrives when the focused widget takes no keys itself,
        so keys typed in a burst act in the order typed (see :mod:`console.ui.key_order`)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and not takes_keys_itself(self.focused)
            and (
                await self._check_bindings(event.key, priority=True)
                or await self._check_bindings(event.key)
            )
        ):
            self.app_focus = True
            return
        await super().on_event(event)

    def _new_pane(self, app_id: str) -> AppPane:
        pane = AppPane(app_id, id=f"{self._pane_ids[app_id]}-pane")
        self._panes[app_id] = pane
        return pane

    def on_mount(self) -> None:
        for app_id, view in self.views.items():
            self._label_tab(app_id, view)
            if app_id in self._panes:
                self._panes[app_id].show_view(view)
        self.set_interval(FRAME_SECONDS, self.drain_events)
        self.call_after_refresh(self._focus_first_app)
        # What start-up built (Textual, the widgets, the modules: some 90,000 objects) lives
        # as long as the app; the collector's full collections need not walk it each time.
        self.call_after_refresh(gc.freeze)
        if self._engine_error:
            self.notify(
                self._engine_error,
                title="could not start",
                severity="error",
                timeout=60,
                markup=False,
            )

    def _focus_first_app(self) -> None:
        """Start on the first app's trace list, whatever widget Textual focused first."""
        if self._pane_ids:
            self.query_one("#apps", TabbedContent).active = next(iter(self._pane_ids.values()))
            self.current_pane.focus_section()

    def drain_events(self) -> None:
        """Apply everything that arrived since the last frame, one reduce per app."""
        events = self.inbox.drain()
        if not events:
            return
        self.frames += 1
        now = self._clock()
        by_app: dict[str, list[Event]] = collections.defaultdict(list)
        for event in events:
            by_app[event.app].append(event)
        for app_id, app_events in by_app.items():
            view = self.views.get(app_id)
            if view is None:
                continue
            new_view = reduce(view, app_events, now)
            self.views[app_id] = new_view
            if app_id in self._panes:
                self._panes[app_id].show_view(new_view)
            if (view.state, view.load_error) != (new_view.state, new_view.load_error):
                self._label_tab(app_id, new_view)
        if self._replays:
            self._show_finished_replays()

    def pane(self, app_id: str) -> AppPane:
        """The pane of an app that has been shown (the current one always has)."""
        return self._panes[app_id]

    def _label_tab(self, app_id: str, view: AppView) -> None:
        tabs = self.query_one("#apps", TabbedContent)
        tabs.get_tab(self._pane_ids[app_id]).label = Content.from_rich_text(tab_label(view))

    @property
    def current_app_id(self) -> str:
        active = self.query_one("#apps", TabbedContent).active
        for app_id, pane_id in self._pane_ids.items():
            if pane_id == active:
                return app_id
        return next(iter(self._pane_ids))

    @property
    def current_pane(self) -> AppPane:
        return self.pane(self.current_app_id)

    # --- which keys apply ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Section keys work in their section; ``esc`` is offered only in a text field."""
        if action == "leave_field":
            return isinstance(self.focused, Input | TextArea)
        key = keys.key_for(action)
        section = self._current_section()
        return key is None or section is None or key.works_in(section)

    def _key_bar_shows(self, binding: Binding) -> bool:
        section = self._current_section()
        return section is None or keys.shown_in_key_bar(binding.action, section)

    def _current_section(self) -> str | None:
        """The section on screen; None before the first pane is shown."""
        try:
            pane = self._panes.get(self.current_app_id)
        except NoMatches:
            return None
        return pane.section if pane is not None else None

    # --- actions ---------------------------------------------------------------------------------

    def action_help(self) -> None:
        from console.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_reload(self) -> None:
        app_id = self.current_app_id
        self.engine.reload(app_id)
        self.notify(f"reloading {app_id}", timeout=2, markup=False)

    def action_restart(self) -> None:
        app_id = self.current_app_id
        self.engine.restart(app_id)
        self.views[app_id] = clear_traces(self.views[app_id])
        self.pane(app_id).show_view(self.views[app_id])
        self.pane(app_id).show_cookies(())
        self.notify(f"restarting {app_id} with an empty cookie jar", timeout=2, markup=False)

    async def action_next_app(self) -> None:
        await self._step_app(1)

    async def action_previous_app(self) -> None:
        await self._step_app(-1)

    async def _step_app(self, step: int) -> None:
        """Show the next app; its pane is built first, so the keys after this one find it."""
        app_ids = list(self._pane_ids)
        index = app_ids.index(self.current_app_id)
        app_id = app_ids[(index + step) % len(app_ids)]
        await self._ensure_pane(app_id)
        self.set_focus(None)  # or the hidden pane hands it to a neighbour, and switches back
        self.query_one("#apps", TabbedContent).active = self._pane_ids[app_id]

    async def _ensure_pane(self, app_id: str) -> AppPane:
        """The app's pane, built and mounted on first use (a faster start for the others)."""
        if app_id not in self._panes:
            holder = self.query_one(f"#{self._pane_ids[app_id]}", TabPane)
            pane = self._new_pane(app_id)
            await holder.mount(pane)
            pane.show_view(self.views[app_id])
        return self._panes[app_id]

    def action_leave_field(self) -> None:
        """Leave a text field for the section's own keys (the trace list, the route table)."""
        self.current_pane.leave_field()

    async def action_section(self, section: str) -> None:
        await self.current_pane.show_section(section)

    async def action_trace_pane(self, pane: str) -> None:
        await self.current_pane.show_trace_pane(pane)

    async def action_focus_filter(self) -> None:
        self.current_pane.focus_filter()

    async def action_focus_url(self) -> None:
        composer = await self.current_pane.show_composer()
        composer.action_focus_url()

    async def action_toggle_follow(self) -> None:
        composer = await self.current_pane.show_composer()
        composer.action_toggle_follow()

    def action_replay(self) -> None:
        """Send the selected request again to the current code; compare the two traces."""
        record = self.current_pane.selected_trace()
        if record is None:
            self.notify("select a request in the trace list first", severity="warning")
            return
        self._send(self.current_app_id, replay_request(record), replay_of=record)

    def action_copy_curl(self) -> None:
        record = self.current_pane.selected_trace()
        view = self.views[self.current_app_id]
        if record is None or view.url is None:
            self.notify("select a request in the trace list first", severity="warning")
            return
        command = as_curl(record.raw, view.url)
        self.copy_to_clipboard(command)
        self.notify(visible(command), title="copied as curl", timeout=6, markup=False)

    def action_export(self) -> None:
        """Ask where to write the trace list, then write it there (and nowhere else)."""
        from console.ui.screens.export import ExportScreen, default_export_path

        app_id = self.current_app_id
        traces = self.views[app_id].traces
        if not traces:
            self.notify("no traces to export yet", severity="warning")
            return
        path = default_export_path(self.export_dir, app_id)
        self.push_screen(ExportScreen(export_jsonl(traces), len(traces), path), self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(visible(str(path)), title="traces written to", timeout=8, markup=False)

    def action_clear_traces(self) -> None:
        app_id = self.current_app_id
        self.views[app_id] = clear_traces(self.views[app_id])
        self.pane(app_id).show_view(self.views[app_id])

    def action_clear_cookies(self) -> None:
        app_id = self.current_app_id
        self.engine.clear_cookies(app_id)
        self.pane(app_id).show_cookies(self.engine.cookies(app_id))
        self.notify(f"cookie jar of {app_id} cleared", timeout=2, markup=False)

    async def action_send_request(self) -> None:
        composer = await self.current_pane.show_composer()
        composer.action_send()

    def action_toggle_pause(self) -> None:
        self.current_pane.trace_list.action_toggle_pause()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key in keys.KEYS:
            if not key.in_palette or key.action in seen:
                continue
            seen.add(key.action)
            yield SystemCommand(
                key.title,
                f"{key.help[:1].upper()}{key.help[1:]} ({key.display})",
                _runner(self, key.action),
            )

    # --- messages from the panes -------------------------------------------------------------

    @on(TabbedContent.TabActivated, "#apps")
    async def _app_shown(self) -> None:
        pane = await self._ensure_pane(self.current_app_id)
        pane.refresh_section()
        self.refresh_bindings()
        self.call_after_refresh(self._focus_if_nothing_is, pane)

    def _focus_if_nothing_is(self, pane: AppPane) -> None:
        """Focus the shown section, unless a key pressed meanwhile has put the focus somewhere."""
        if self.focused is None:
            pane.focus_section()

    def on_request_composer_send_requested(self, event: RequestComposer.SendRequested) -> None:
        self._send(self.current_app_id, event.request)

    def on_response_viewer_cookies_cleared(self, event: ResponseViewer.CookiesCleared) -> None:
        self.action_clear_cookies()

    @work(thread=True, group="requests")
    def _send(
        self, app_id: str, request: OutgoingRequest, replay_of: TraceRecord | None = None
    ) -> None:
        exchange = self.engine.send(app_id, request)
        self.call_from_thread(self._request_done, app_id, exchange, replay_of)

    def _request_done(self, app_id: str, exchange: Exchange, replay_of: TraceRecord | None) -> None:
        if replay_of is not None:
            if exchange.error is not None:
                self.notify(
                    visible(exchange.error), title="replay failed", severity="error", markup=False
                )
                return
            self._replays[exchange.request_id] = (app_id, replay_of)
            self._show_finished_replays()
            return
        self.pane(app_id).show_exchange(exchange)

    def _show_finished_replays(self) -> None:
        from console.ui.screens.replay import ReplayScreen

        for request_id, (app_id, original) in list(self._replays.items()):
            replayed = self.views[app_id].find_trace(request_id)
            if replayed is not None:
                del self._replays[request_id]
                self.push_screen(ReplayScreen(original, replayed))

    async def action_quit(self) -> None:
        self.exit()

    def on_unmount(self) -> None:
        self.engine.stop()


def _runner(app: HookscopeConsole, action: str) -> collections.abc.Callable[[], object]:
    """A palette callback that runs ``action`` as its key would."""

    async def run() -> None:
        await app.run_action(action)

    return run


def replay_request(record: TraceRecord) -> OutgoingRequest:
    """The traced request as the composer would send it (body from the trace's preview)."""
    request = record.raw.get("request")
    request = request if isinstance(request, dict) else {}
    skipped = {"host", "content-length", "x-request-id", "cookie"}
    headers = tuple(
        (str(pair[0]), str(pair[1]))
        for pair in request.get("headers") or []
        if isinstance(pair, list) and len(pair) == 2 and str(pair[0]).lower() not in skipped
    )
    body = request.get("body_preview")
    return OutgoingRequest(
        method=record.method,
        path=record.path,
        headers=headers,
        body=body.encode() if isinstance(body, str) and body else None,
    )


__all__ = ["HookscopeConsole", "replay_request"]
