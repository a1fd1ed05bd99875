"""Every key is written once: the bindings, the help screen and the palette agree."""

from __future__ import annotations

import asyncio

from console.ui import keys
from console.ui.app import HookscopeConsole
from console.ui.screens.help import render_help
from tests.console.ui.recorded import demo_engine


def test_every_binding_is_in_the_help_and_every_action_in_the_palette() -> None:
    listed = {key for _, rows in keys.help_places() for key, _ in rows}
    assert {key.display for key in keys.KEYS} <= listed
    app = HookscopeConsole(demo_engine())

    async def palette_titles() -> set[str]:
        async with app.run_test():
            return {command.title for command in app.get_system_commands(app.screen)}

    titles = asyncio.run(palette_titles())
    for key in keys.KEYS:
        assert (key.title in titles) == key.in_palette, key
    bound = {binding.key for binding in app.BINDINGS}  # type: ignore[union-attr]
    assert bound == {key.key for key in keys.KEYS}


def test_the_help_lists_keys_by_where_they_work() -> None:
    places = dict(keys.help_places())
    assert ("x", "send the selected request again and compare the two traces") in places["Traces"]
    assert ("s", "the session and flash messages before → after the request") in places["Anywhere"]
    assert render_help(80).row_count > render_help(160).row_count  # two columns when wide


def test_section_keys_show_only_in_their_section() -> None:
    assert keys.shown_in_key_bar("replay", "traces")
    assert not keys.shown_in_key_bar("replay", "routes")
    assert keys.shown_in_key_bar("send_request", "request")
    assert keys.key_for("replay") is not None and not keys.key_for("replay").works_in("routes")  # type: ignore[union-attr]
