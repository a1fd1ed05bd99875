"""The console driven like a user would, against real worker processes on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent

from console.ui.app import HookscopeConsole
from console.ui.engine import SupervisorEngine
from console.ui.screens.export import ExportScreen
from console.ui.screens.replay import ReplayScreen
from console.ui.state import AppView
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.load_error_banner import LoadErrorBanner
from console.ui.widgets.response_viewer import ResponseViewer
from console.ui.widgets.route_inspector import RouteInspector
from console.ui.widgets.session_panel import SessionPanel

DEMO_APPS = Path(__file__).resolve().parents[3] / "demo_apps"


def run_console(
    target: str, scenario: Callable[[HookscopeConsole, Pilot[None]], Awaitable[None]]
) -> None:
    async def main() -> None:
        app = HookscopeConsole(SupervisorEngine([target]))
        async with app.run_test(size=(160, 48)) as pilot:
            await until(pilot, lambda: only_view(app).state == "running", "the app to run")
            await scenario(app, pilot)

    asyncio.run(main())


def only_view(app: HookscopeConsole) -> AppView:
    (view,) = app.views.values()
    return view


async def until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = 15
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause(0.1)


def screen_text(widget: HookTimeline | SessionPanel | LoadErrorBanner) -> str:
    return "\n".join(
        "".join(segment.text for segment in widget.render_line(y))
        for y in range(widget.size.height)
    )


async def choose_route(app: HookscopeConsole, pilot: Pilot[None], rule: str) -> None:
    """Open the route inspector, type the rule in the filter, and press Enter on it."""
    await pilot.press("1")
    await pilot.press("slash")
    await pilot.press(*rule)
    await pilot.press("enter")  # from the filter to the table
    inspector = app.query_one(RouteInspector)
    index = [route.rule for route in inspector.shown_routes].index(rule)
    inspector.query_one(DataTable).move_cursor(row=index)
    await pilot.press("enter")
    await until(
        pilot,
        lambda: app.current_pane.section == "request" and isinstance(app.focused, Input),
        "the composer's first field to take the focus",
    )


async def send_and_wait(app: HookscopeConsole, pilot: Pilot[None]) -> None:
    seen = only_view(app).traces_seen
    await pilot.press("ctrl+s")
    await until(pilot, lambda: only_view(app).traces_seen > seen, "the request's trace")
    await pilot.press("escape", "3")
    await pilot.pause(0.3)


def test_a_request_from_the_composer_shows_its_hooks_in_order() -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await choose_route(app, pilot, "/")
        assert app.query_one("#url-bar", Input).value == "/"
        await send_and_wait(app, pilot)
        trace = only_view(app).traces[-1]
        assert [s["name"] for s in trace.raw["steps"]][:5] == [
            "before_req1",
            "before_req2",
            "index",
            "after_req2",
            "after_req1",
        ]
        shown = screen_text(app.query_one(HookTimeline))
        positions = [
            shown.index(name)
            for name in ("before_req1", "before_req2", "index", "after_req2", "after_req1")
        ]
        assert positions == sorted(positions)
        assert "short-circuit" not in shown

    run_console(str(DEMO_APPS / "hook_order.py"), scenario)


def test_a_short_circuiting_before_request_is_marked_and_later_steps_skipped() -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await choose_route(app, pilot, "/")
        await pilot.click("#query")
        await pilot.press(*"stop=1")
        assert app.query_one("#url-bar", Input).value == "/?stop=1"
        await send_and_wait(app, pilot)
        trace = only_view(app).traces[-1]
        assert trace.short_circuit and trace.marks == "S"
        steps = {s["name"]: s for s in trace.raw["steps"]}
        assert steps["before_req1"]["short_circuit"]
        assert steps["before_req2"]["skipped"] and steps["index"]["skipped"]
        assert not steps["after_req2"]["skipped"] and not steps["after_req1"]["skipped"]
        shown = screen_text(app.query_one(HookTimeline))
        assert "short-circuit: returned a response" in shown
        assert shown.count("skipped") == 2

    run_console(str(DEMO_APPS / "hook_order.py"), scenario)


def test_logging_in_through_the_composer_shows_the_session_diff_and_keeps_the_cookie() -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await choose_route(app, pilot, "/login")
        await pilot.click("#method")
        await pilot.press("down", "enter")  # GET -> POST
        await pilot.click("#body")
        await pilot.press(*"user=admin", "enter", *"pwd=password")
        await send_and_wait(app, pilot)
        trace = only_view(app).traces[-1]
        assert (trace.method, trace.status) == ("POST", 302)
        app.query_one("#trace-tabs", TabbedContent).active = "session"
        await pilot.pause(0.3)
        shown = screen_text(app.query_one(SessionPanel))
        assert "+ user_info: 'admin'" in shown
        assert "cookie set" in shown
        assert "decoded session" in shown
        cookies = app.engine.cookies(only_view(app).app)
        assert [name for name, _, _ in cookies] == ["session"]
        # the jar carries the login to the next request, as a browser would
        await choose_route(app, pilot, "/profile")
        await send_and_wait(app, pilot)
        assert only_view(app).traces[-1].status == 200
        await pilot.press("2")
        await pilot.press("ctrl+o")
        await pilot.pause(0.2)
        assert app.engine.cookies(only_view(app).app) == ()
        await send_and_wait(app, pilot)
        assert only_view(app).traces[-1].status == 302

    run_console(str(DEMO_APPS / "auth_hooks.py"), scenario)


def test_an_edit_highlights_the_routes_it_added_and_a_syntax_error_shows_the_banner(
    tmp_path: Path,
) -> None:
    app_file = tmp_path / "edited_app.py"
    shutil.copy(DEMO_APPS / "hook_order.py", app_file)

    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        first_pid = only_view(app).pid
        await pilot.press("1")
        source = app_file.read_text()
        app_file.write_text(
            source.replace(
                'if __name__ == "__main__":',
                '@app.route("/added/<int:n>")\ndef added(n: int) -> str:\n'
                '    return str(n)\n\n\nif __name__ == "__main__":',
            )
        )
        await until(pilot, lambda: only_view(app).reloads >= 1, "the reload", timeout=20)
        assert only_view(app).pid != first_pid
        table = app.query_one(RouteInspector).query_one(DataTable)
        rules = [table.get_row_at(row)[1].plain for row in range(table.row_count)]
        assert "+ /added/<int:n>" in rules

        serving_pid = only_view(app).pid
        app_file.write_text(source + "\ndef broken(:\n")
        await until(pilot, lambda: only_view(app).load_error is not None, "the load error", 20)
        banner = app.query_one(LoadErrorBanner)
        await pilot.pause(0.2)
        assert banner.display
        shown = screen_text(banner)
        assert "SyntaxError" in shown
        assert f"edited_app.py:{len(source.splitlines()) + 2}" in shown
        assert "the last good version keeps serving" in shown
        assert only_view(app).pid == serving_pid
        await choose_route(app, pilot, "/added/<int:n>")
        await pilot.press(*"abc")
        complaint = app.query_one("#complaint-n")
        assert "does not match <int:n>" in str(complaint.render()), (
            app.focused,
            app.query_one("#url-bar", Input).value,
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: only_view(app).traces_seen >= 1, "the 404's trace")
        assert only_view(app).traces[-1].status == 404  # sent on purpose, served by the old code
        response = app.query_one(ResponseViewer)
        assert "404" in str(response.query_one("#response-summary").render())

    run_console(str(app_file), scenario)


def test_replay_compares_two_traces_and_the_list_exports_as_json_lines(tmp_path: Path) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        app.export_dir = tmp_path
        await choose_route(app, pilot, "/")
        await send_and_wait(app, pilot)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay screen")
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        assert screen.original.id != screen.replayed.id
        assert [s["name"] for s in screen.replayed.raw["steps"]][:2] == [
            "before_req1",
            "before_req2",
        ]
        await pilot.press("escape")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        assert not list(tmp_path.glob("*"))  # nothing written before the user says where
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        (exported,) = tmp_path.glob("hookscope-*.jsonl")
        lines = [json.loads(line) for line in exported.read_text().splitlines()]
        assert [trace["id"] for trace in lines] == [t.id for t in only_view(app).traces]
        assert len(lines) == 2

    run_console(str(DEMO_APPS / "hook_order.py"), scenario)
