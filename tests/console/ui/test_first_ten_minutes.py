"""What a newcomer meets in the console's first ten minutes, at 160x48 and at 80x24.

Each test drives the real console (real workers on 127.0.0.1, keys through the pilot) through
one thing a new user tripped over, and checks what is on screen.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Select, TabbedContent, TextArea

from console.ui.app import HookscopeConsole
from console.ui.exchange import OutgoingRequest
from console.ui.screens.export import ExportScreen
from console.ui.screens.replay import ReplayScreen
from console.ui.widgets.app_status import AppStatusBar, render_status
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.key_bar import KeyBar
from console.ui.widgets.load_error_banner import LoadErrorBanner, render_load_error
from console.ui.widgets.route_inspector import RouteInspector, RouteTable
from console.ui.widgets.session_panel import SessionPanel
from tests.console.ui.driving import (
    DEMO_APPS,
    SIZES,
    current_view,
    on_screen,
    only_view,
    run_console,
    shown_text,
    type_in_one_burst,
    until,
    wait_for_trace,
)

pytestmark = pytest.mark.parametrize("size", SIZES)


async def send(app: HookscopeConsole, path: str, method: str = "GET", body: str = "") -> None:
    """A request from outside the console (as curl would send it), waited for."""
    headers = (("Content-Type", "application/x-www-form-urlencoded"),) if body else ()
    request = OutgoingRequest(method, path, headers, body.encode() or None)
    await asyncio.to_thread(app.engine.send, app.current_app_id, request)


async def traces_from(app: HookscopeConsole, pilot: Pilot[None], *paths: str) -> None:
    seen = current_view(app).traces_seen
    for path in paths:
        await send(app, path)
    await until(pilot, lambda: current_view(app).traces_seen >= seen + len(paths), "the traces")


def palette_offers(app: HookscopeConsole, title: str) -> bool:
    options = app.screen.query_one(OptionList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return any(title in prompt for prompt in prompts)


def key_bar(app: HookscopeConsole) -> str:
    return shown_text(app.query_one(KeyBar))


# --- 1. the first screen -------------------------------------------------------------------


def test_the_first_screen_shows_the_routes_and_how_to_make_a_first_request(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        pane = app.current_pane
        assert pane.section == "routes"
        hint = shown_text(app.query_one("#route-hint"))
        assert f"curl {only_view(app).url}/" in hint.replace("\n", "")
        assert "enter" in hint and "ctrl+s" in hint
        table = app.query_one(RouteTable)
        assert app.focused is table
        assert table.get_row_at(table.cursor_row)[1].plain.strip() == "/"  # not /static
        sections = app.query_one("#sections", TabbedContent)
        labels = [str(sections.get_tab(s).label) for s in ("routes", "request", "traces", "logs")]
        assert labels == ["1 Routes", "2 Request", "3 Traces", "4 Logs"]
        app_tab = str(app.query_one("#apps", TabbedContent).get_tab("app-0").label)
        assert "hook_order" in app_tab and "running" not in app_tab
        status = shown_text(app.query_one(AppStatusBar))
        assert "0 requests" in status  # first, so 80 columns do not cut it
        await pilot.press("enter")
        await until(pilot, lambda: pane.section == "request", "the composer")
        await pilot.press("escape", "3")  # the focus was in the URL bar
        await until(pilot, lambda: pane.section == "traces", "the traces")
        empty = shown_text(pane.trace_list.table)
        assert "No requests yet" in empty and f"{only_view(app).url}/" in empty

    run_console(str(DEMO_APPS / "hook_order.py"), scenario, size)


# --- 2. the trace panes have keys, help and palette entries ----------------------------------


def test_timeline_session_and_detail_have_keys_listed_in_help_and_the_palette(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        pane = app.current_pane
        tabs = app.query_one("#trace-tabs", TabbedContent)
        for key, tab in (("s", "session"), ("d", "detail"), ("t", "timeline")):
            await pilot.press("1")  # from another section: the key goes there
            await pilot.press(key)
            await until(pilot, lambda: pane.section == "traces", "the traces")
            assert tabs.active == tab
        labels = [str(tabs.get_tab(t).label) for t in ("timeline", "session", "detail")]
        assert labels == ["t Timeline", "s Session", "d Detail"]
        await pilot.press("question_mark")
        help_text = shown_text(app.screen.query_one("#help-keys"))
        assert "session and flash messages" in help_text
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette")
        await pilot.press(*"sess")
        await until(pilot, lambda: palette_offers(app, "Show session and flashes"), "the command")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, CommandPalette), "the command")
        assert tabs.active == "session"

    run_console(str(DEMO_APPS / "hook_order.py"), scenario, size)


# --- 3. the trace filter --------------------------------------------------------------------


def test_the_trace_filter_matches_marks_statuses_and_paths_precisely(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await traces_from(app, pilot, "/", "/?stop=1", "/missing")
        await pilot.press("3", "slash")
        filter_box = app.query_one("#trace-filter", Input)
        assert app.focused is filter_box
        assert "S E R" in filter_box.placeholder and "4xx" in filter_box.placeholder
        table = app.current_pane.trace_list.table
        for text, paths in (("S", ["/?stop=1"]), ("4xx", ["/missing"]), ("E", [])):
            filter_box.value = ""
            await pilot.press(*text)
            await until(pilot, lambda p=paths: [r.path for r in table.rows] == p, f"filter {text}")

    run_console(str(DEMO_APPS / "hook_order.py"), scenario, size)


# --- 4. the composer sends what is on screen -------------------------------------------------


async def compose_route(app: HookscopeConsole, pilot: Pilot[None], rule: str) -> None:
    """Choose ``rule`` in the route table and press enter on it."""
    await pilot.press("1")
    inspector = app.query_one(RouteInspector)
    table = app.query_one(RouteTable)
    table.move_cursor(row=[r.rule for r in inspector.shown_routes].index(rule))
    table.focus()
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.focused, Input), "the composer's first field")


def test_a_value_replaced_just_before_ctrl_s_is_the_value_sent(size: tuple[int, int]) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await compose_route(app, pilot, "/post/<float:post_id>")
        field = app.focused
        assert isinstance(field, Input) and field.id == "arg-post_id"
        seen = only_view(app).traces_seen
        type_in_one_burst(app, *"abc", "backspace", "backspace", "backspace", *"4.2", "ctrl+s")
        await wait_for_trace(app, pilot, seen)
        assert only_view(app).traces[-1].path == "/post/4.2"
        assert field.value == "4.2"
        assert app.query_one("#url-bar", Input).value == "/post/4.2"

    run_console(str(DEMO_APPS / "converters.py"), scenario, size)


# --- 5. the composer's layout ----------------------------------------------------------------


def test_every_composer_field_is_on_screen_right_below_the_arguments(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await compose_route(app, pilot, "/user/<username>")
        await pilot.pause(0.2)
        composer = app.query_one("#composer")
        for selector in ("#method", "#url-bar", "#send", "#arg-username", "#query", "#headers"):
            assert on_screen(app, composer.query_one(selector)), selector
        for widget in (
            composer.query_one("#body-kind", Select),
            composer.query_one("#follow", Checkbox),
            composer.query_one("#body", TextArea),
        ):
            assert on_screen(app, widget), widget
        argument = composer.query_one("#arg-username").region
        assert composer.query_one("#query").region.y - argument.bottom <= 1
        jar, clear = app.query_one("#cookie-jar").region, app.query_one("#clear-cookies").region
        assert not jar.overlaps(clear) and on_screen(app, app.query_one("#clear-cookies"))
        label = str(app.query_one(".argument-label").render())
        assert "<string>" in label  # not <default>

    run_console(str(DEMO_APPS / "converters.py"), scenario, size)


# --- 6. no keyboard traps ----------------------------------------------------------------------


def test_esc_is_offered_in_a_text_field_and_every_key_works_after_it(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await traces_from(app, pilot, "/")
        await pilot.press("2")
        app.query_one("#body", TextArea).focus()
        await pilot.press("3")
        assert app.query_one("#body", TextArea).text == "3"
        await until(pilot, lambda: "esc" in key_bar(app), "the key bar to offer esc")
        await pilot.press("escape")
        assert "esc" not in key_bar(app)
        await pilot.press("3")
        await until(pilot, lambda: app.current_pane.section == "traces", "the traces")
        await pilot.press("slash", "escape")  # into the filter and out again
        assert not isinstance(app.focused, Input)
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ReplayScreen), "the replay")
        await pilot.press("escape")
        await pilot.press("slash", "escape", "e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("escape")
        await pilot.press("slash", "escape", "y")
        await until(pilot, lambda: bool(app._notifications), "the curl notification")
        assert "curl" in " ".join(n.message for n in app._notifications)

    run_console(str(DEMO_APPS / "hook_order.py"), scenario, size)


def test_keys_typed_in_one_burst_are_handled_in_the_order_typed(size: tuple[int, int]) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        assert isinstance(app.focused, RouteTable)
        # "/" is the app's key, "float" the filter's text, and its "t" must not be taken
        # for the Timeline key while the "/" is still on its way to the app
        type_in_one_burst(app, "/", *"float")
        field = app.query_one("#route-filter", Input)
        await until(pilot, lambda: field.value == "float", "the filter to hold 'float'")
        assert app.current_pane.section == "routes"

    run_console(str(DEMO_APPS / "converters.py"), scenario, size)


# --- 7. the route table ----------------------------------------------------------------------


def test_the_route_table_shows_what_a_person_looks_for_first(size: tuple[int, int]) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        table = app.query_one(RouteTable)
        titles = [str(column.label) for column in table.columns.values()]
        assert titles[:3] == ["methods", "rule", "endpoint"]
        assert "source" in titles
        assert "blueprint" not in titles and "redirect_to" not in titles  # empty: hidden
        rows = [
            [cell.plain.strip() for cell in table.get_row_at(r)] for r in range(table.row_count)
        ]
        static = next(row for row in rows if row[2] == "static")
        assert "static files" in static and rows[-1] == static
        user = next(row for row in rows if row[1] == "/user/<username>")
        assert "username:string" in user
        assert any("demo_apps/converters.py:" in cell or "converters.py:" in cell for cell in user)
        start = table.scroll_x
        await pilot.press("right")
        assert table.scroll_x - start > 1 or table.max_scroll_x == 0

    run_console(str(DEMO_APPS / "converters.py"), scenario, size)


# --- 8. no stale state ---------------------------------------------------------------------------


def test_restart_empties_the_session_pane_and_a_reload_that_changed_nothing_clears_the_marks(
    size: tuple[int, int], tmp_path: Path
) -> None:
    app_file = tmp_path / "auth_app.py"
    shutil.copy(DEMO_APPS / "auth_hooks.py", app_file)

    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await send(app, "/login", "POST", "user=admin&pwd=password")
        await until(pilot, lambda: only_view(app).traces_seen == 1, "the login's trace")
        await pilot.press("s")
        panel = app.query_one(SessionPanel)
        await until(pilot, lambda: "user_info" in shown_text(panel), "the session")
        await pilot.press("R")
        await until(pilot, lambda: "user_info" not in shown_text(panel), "the session to clear")
        assert "Select a request" in shown_text(panel)

        source = app_file.read_text()
        reloads = only_view(app).reloads
        app_file.write_text(source + '\n\n@app.route("/new")\ndef new() -> str:\n    return ""\n')
        await until(pilot, lambda: only_view(app).reloads > reloads, "the reload", timeout=30)
        new = next(r for r in only_view(app).routes if r.rule == "/new")
        assert only_view(app).route_mark(new) == "added"
        reloads = only_view(app).reloads
        await pilot.press("r")  # same code: nothing changed
        await until(pilot, lambda: only_view(app).reloads > reloads, "the reload", timeout=30)
        assert only_view(app).route_mark(new) == ""
        await pilot.press("1")
        table = app.query_one(RouteTable)
        assert not any(table.get_row_at(r)[1].plain.startswith("+") for r in range(table.row_count))

    run_console(str(app_file), scenario, size)


# --- 9. export asks where ------------------------------------------------------------------------


def test_export_asks_where_and_writes_nothing_unless_told(
    size: tuple[int, int], tmp_path: Path
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await traces_from(app, pilot, "/", "/?stop=1")
        await pilot.press("3", "e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        field = app.screen.query_one("#export-path", Input)
        assert field.value.startswith(str(tmp_path)) and field.value.endswith(".jsonl")
        assert on_screen(app, field) and on_screen(app, app.screen.query_one("#export-write"))
        await pilot.press("escape")
        assert not list(tmp_path.iterdir())  # cancelled: nothing written

        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        field = app.screen.query_one("#export-path", Input)
        field.value = str(tmp_path / "no-such-dir" / "x.jsonl")
        await pilot.press("enter")
        await until(
            pilot,
            lambda: "no directory" in str(app.screen.query_one("#export-error").render()),
            "the complaint",
        )
        field.value = str(tmp_path / "mine.jsonl")
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, ExportScreen), "the export")
        assert [p.name for p in tmp_path.iterdir()] == ["mine.jsonl"]
        assert len((tmp_path / "mine.jsonl").read_text().splitlines()) == 2
        (note,) = [n for n in app._notifications if n.title == "traces written to"]
        assert note.message == str(tmp_path / "mine.jsonl")  # the path alone, whole

    run_console(str(DEMO_APPS / "hook_order.py"), scenario, size, export_dir=tmp_path)


# --- 10. smaller things --------------------------------------------------------------------------


def test_the_session_shows_flashes_as_the_app_sees_them_and_package_steps_their_path(
    size: tuple[int, int],
) -> None:
    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        await traces_from(app, pilot, "/set?message=hello&category=info")
        await pilot.press("s")
        panel = app.query_one(SessionPanel)
        await until(pilot, lambda: "decoded" in shown_text(panel), "the decoded cookie")
        decoded = shown_text(panel)
        assert "[('info', '" in decoded and '" t"' not in decoded

        await pilot.press("right_square_bracket")
        await until(pilot, lambda: app.current_app_id == "login", "the login app")
        await traces_from(app, pilot, "/login")
        await pilot.press("t")
        timeline = app.pane("login").query_one(HookTimeline)
        await until(pilot, lambda: "login/__init__.py:" in shown_text(timeline), "the steps")

    run_console([str(DEMO_APPS / "flashing.py"), str(DEMO_APPS / "login")], scenario, size)


def test_a_load_error_says_its_message_once_and_the_header_keeps_the_request_count(
    size: tuple[int, int], tmp_path: Path
) -> None:
    app_file = tmp_path / "edited.py"
    shutil.copy(DEMO_APPS / "hook_order.py", app_file)

    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        app_file.write_text(app_file.read_text() + "\ndef broken(:\n")
        banner = app.query_one(LoadErrorBanner)
        await until(pilot, lambda: only_view(app).load_error is not None, "the load error", 30)
        await until(pilot, lambda: banner.display, "the banner")
        error = only_view(app).load_error
        assert error is not None
        shown = render_load_error(error, serving=True).plain
        shown += render_status(only_view(app)).plain
        assert shown.count(error.message) == 1
        assert "the last good version keeps serving" in shown_text(banner)
        assert "0 requests" in shown_text(app.query_one(AppStatusBar))

    run_console(str(app_file), scenario, size)
