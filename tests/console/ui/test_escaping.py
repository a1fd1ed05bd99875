"""Request data, response data and log lines are shown literally, never interpreted."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.console import Console
from rich.text import Text

from console.protocol import LoadError, Log, Trace
from console.ui.app import HookscopeConsole
from console.ui.engine import AppEntry
from console.ui.literal import literal, visible
from console.ui.widgets.hook_timeline import HookTimeline, render_timeline
from console.ui.widgets.load_error_banner import render_load_error
from console.ui.widgets.log_view import LogView
from console.ui.widgets.response_viewer import render_body, render_headers
from console.ui.widgets.session_panel import render_session
from console.ui.widgets.trace_detail import render_detail
from console.ui.widgets.trace_list import TraceList
from tests.console.ui.recorded import FIXED_TIME, RecordedEngine, ready_events

MARKUP = "[bold red]owned[/bold red][link=https://evil.example]click[/link]"
ESCAPES = "\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\x9b31m"


def hostile_trace() -> dict[str, Any]:
    return {
        "id": "hostile",
        "started_at": FIXED_TIME,
        "duration_us": 10,
        "request": {
            "method": "GET",
            "path": f"/{MARKUP}",
            "query_string": "",
            "headers": [["X-Evil", MARKUP + ESCAPES]],
            "body_preview": MARKUP,
        },
        "routing": {"outcome": "not_found", "rule": None, "endpoint": None, "view_args": {}},
        "steps": [
            {
                "kind": "before_request",
                "name": MARKUP,
                "file": f"/{MARKUP}.py",
                "line": 1,
                "duration_us": 5,
                "returned": MARKUP + ESCAPES,
                "short_circuit": True,
                "skipped": False,
                "raised": {"type": MARKUP, "message": ESCAPES},
            }
        ],
        "templates": [{"name": MARKUP, "duration_us": 1}],
        "response": {"status": 200, "headers": [["Set-Cookie", f"s={MARKUP}"]]},
        "session": {"before": {MARKUP: 1}, "after": {MARKUP: ESCAPES}, "cookie": "set"},
        "flashes": {"added": [[MARKUP, ESCAPES]], "consumed": []},
        "exception": {"type": MARKUP, "message": ESCAPES, "traceback": f'File "{MARKUP}"'},
    }


def rendered(renderable: Any) -> str:
    console = Console(width=400, force_terminal=True, color_system="truecolor")
    with console.capture() as capture:
        console.print(renderable)
    return capture.get()


def assert_literal(output: str) -> None:
    assert MARKUP in output
    assert "\\x1b[2J" in output
    assert "\x1b[2J" not in output
    assert "\x1b]8;;https://evil" not in output  # no terminal hyperlink was opened
    assert "\x9b" not in output and "\x07" not in output


def test_literal_shows_markup_and_control_characters_as_typed() -> None:
    text = literal(MARKUP + ESCAPES)
    assert isinstance(text, Text)
    assert text.plain == MARKUP + visible(ESCAPES)
    assert text.spans == []
    assert visible("tab\tand\nnewline stay") == "tab\tand\nnewline stay"


def test_every_trace_view_shows_hostile_data_literally() -> None:
    trace = hostile_trace()
    for renderable in (render_timeline(trace), render_session(trace), render_detail(trace)):
        assert_literal(rendered(renderable))


def test_response_and_load_error_views_show_hostile_data_literally() -> None:
    headers = (("X-Evil", MARKUP + ESCAPES), ("Content-Type", "text/plain"))
    assert_literal(rendered(render_headers(headers)))
    assert_literal(rendered(render_body(headers, (MARKUP + ESCAPES).encode())))
    json_body = f'{{"k": "{MARKUP}\\u001b[2J"}}'.encode()
    output = rendered(render_body((("Content-Type", "application/json"),), json_body))
    assert MARKUP in output and "\x1b[2J" not in output
    error = LoadError("demo", MARKUP, ESCAPES, f'File "{MARKUP}", line 1', f"/{MARKUP}", 1)
    assert_literal(rendered(render_load_error(error, serving=True)))


def test_the_running_console_shows_hostile_paths_and_logs_literally() -> None:
    asyncio.run(show_hostile_data())


async def show_hostile_data() -> None:
    events = [
        *ready_events("demo", "hook_order", 5000),
        Trace("demo", hostile_trace()),
        Log("demo", "stdout", "INFO", MARKUP + ESCAPES, time=FIXED_TIME),
    ]
    engine = RecordedEngine([AppEntry("demo", "demo.py")], events)
    app = HookscopeConsole(engine, clock=lambda: FIXED_TIME)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await pilot.pause(0.3)
        table = app.query_one(TraceList).table
        first_row = table.render_line(1)
        assert "/[bold red]owned[/bold" in first_row.text
        assert not any(
            segment.style and segment.style.color and segment.style.color.name == "red"
            for segment in first_row
        )
        timeline = app.query_one(HookTimeline)
        await pilot.pause(0.2)
        lines = "".join(
            "".join(segment.text for segment in timeline.render_line(y))
            for y in range(timeline.size.height)
        )
        assert MARKUP[:30] in lines
        await pilot.press("4")
        await pilot.pause(0.2)
        log_view = app.query_one(LogView)
        log_text = "".join(
            segment.text for y in range(log_view.size.height) for segment in log_view.render_line(y)
        )
        assert MARKUP in log_text and "\\x1b[2J" in log_text and "\x1b" not in log_text
