"""Driving the real console in tests: real workers on 127.0.0.1, keys through the pilot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from textual import events
from textual.geometry import Region
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget

from console.ui.app import HookscopeConsole
from console.ui.engine import SupervisorEngine
from console.ui.state import AppView

DEMO_APPS = Path(__file__).resolve().parents[3] / "demo_apps"
SIZES = [pytest.param((160, 48), id="160x48"), pytest.param((80, 24), id="80x24")]
Scenario = Callable[[HookscopeConsole, Pilot[None]], Awaitable[None]]


def run_console(
    targets: str | Sequence[str],
    scenario: Scenario,
    size: tuple[int, int] = (160, 48),
    export_dir: Path | None = None,
) -> None:
    """Start the console on ``targets``, wait until every app runs, then play ``scenario``."""
    chosen = [targets] if isinstance(targets, str) else list(targets)

    async def main() -> None:
        app = HookscopeConsole(SupervisorEngine(chosen), export_dir=export_dir)
        async with app.run_test(size=size) as pilot:
            await until(
                pilot,
                lambda: (
                    all(v.state == "running" and v.routes for v in app.views.values())
                    and app.focused is not None
                ),  # the first pane has placed the focus: keys work
                "the apps to run",
                timeout=30,
            )
            await scenario(app, pilot)

    asyncio.run(main())


def only_view(app: HookscopeConsole) -> AppView:
    (view,) = app.views.values()
    return view


def current_view(app: HookscopeConsole) -> AppView:
    return app.views[app.current_app_id]


async def until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = 15
) -> None:
    """Wait for ``condition`` with a deadline (never a fixed sleep), then one more frame."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause(0.1)


def shown_text(widget: Widget) -> str:
    """What ``widget`` draws, line by line, as plain text."""
    return "\n".join(
        "".join(segment.text for segment in widget.render_line(y))
        for y in range(widget.size.height)
    )


def on_screen(app: HookscopeConsole, widget: Widget) -> bool:
    """Whether all of ``widget`` is drawn inside the terminal (and not clipped away)."""
    region = widget.region
    screen = Region(0, 0, app.size.width, app.size.height)
    return bool(region.area) and screen.contains_region(region) and widget.visible


async def wait_for_trace(app: HookscopeConsole, pilot: Pilot[None], seen_before: int) -> None:
    await until(pilot, lambda: current_view(app).traces_seen > seen_before, "the request's trace")


#: The character a terminal sends for the named keys used in tests.
_KEY_CHARACTERS = {"backspace": "\x7f", "ctrl+s": "\x13", "enter": "\r", "escape": "\x1b"}


def type_in_one_burst(app: HookscopeConsole, *keys: str) -> None:
    """Deliver ``keys`` as a terminal delivers fast typing: all queued at once.

    ``pilot.press`` waits for the app to go idle after each key, which hides any key
    handled out of order; a person typing quickly, or typing while the console is busy
    drawing, gives the app several keys before it has handled the first.
    """
    driver = app._driver
    assert driver is not None
    for key in keys:
        if len(key) == 1:
            event = events.Key(key if key.isalnum() else _character_to_key(key), key)
        else:
            event = events.Key(key, _KEY_CHARACTERS.get(key))
        event.set_sender(app)
        driver.send_message(event)
