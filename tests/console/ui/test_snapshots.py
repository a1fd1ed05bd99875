"""What the main screens look like, at 80x24 and 160x48 (pytest-textual-snapshot).

The apps are recorded (fixed ports, pids, times), so the pictures are the same on every run.
Update them with ``pytest tests/console/ui/test_snapshots.py --snapshot-update`` and look at
the SVGs before committing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from console.ui.app import HookscopeConsole
from tests.console.ui.recorded import FIXED_TIME, RecordedEngine, broken_engine, demo_engine

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
Compare = Callable[..., bool]


def console(engine: RecordedEngine) -> HookscopeConsole:
    return HookscopeConsole(engine, clock=lambda: FIXED_TIME)


async def settle(pilot: Pilot[Any]) -> None:
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()
    # A blinking cursor is drawn or not by the time elapsed: a snapshot shows it steady.
    for field in pilot.app.screen.query("Input, TextArea"):
        field.cursor_blink = False  # type: ignore[attr-defined]
    await pilot.pause()


async def next_app(pilot: Pilot[Any], times: int = 1) -> None:
    for _ in range(times):
        await pilot.press("right_square_bracket")
        await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_first_screen_routes_and_how_to_make_a_request(
    snap_compare: Compare, size: tuple[int, int]
) -> None:
    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_trace_list_with_a_short_circuited_request(
    snap_compare: Compare, size: tuple[int, int]
) -> None:
    async def traces(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)

    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=traces)


@pytest.mark.parametrize("size", SIZES)
def test_route_inspector_after_a_reload_added_a_route(
    snap_compare: Compare, size: tuple[int, int]
) -> None:
    async def open_routes(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await next_app(pilot, 2)
        await pilot.press("1")
        await settle(pilot)

    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=open_routes)


@pytest.mark.parametrize("size", SIZES)
def test_composer_with_arguments(snap_compare: Compare, size: tuple[int, int]) -> None:
    async def compose(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await next_app(pilot, 2)
        await pilot.press("1", "slash", *"post/<int", "enter", "enter")
        await settle(pilot)
        await pilot.press(*"4x")
        await settle(pilot)

    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=compose)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", ["t", "s", "d"], ids=["timeline", "session", "detail"])
def test_trace_detail_panes_after_a_login(
    snap_compare: Compare, size: tuple[int, int], key: str
) -> None:
    async def pane(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await next_app(pilot)
        await pilot.press(key)
        await settle(pilot)

    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=pane)


@pytest.mark.parametrize("size", SIZES)
def test_load_error_banner_while_the_old_version_serves(
    snap_compare: Compare, size: tuple[int, int]
) -> None:
    assert snap_compare(console(broken_engine()), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare: Compare, size: tuple[int, int]) -> None:
    async def help_screen(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(console(demo_engine()), terminal_size=size, run_before=help_screen)
