"""The app pane builds its sections while events keep arriving."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from console.ui.state import AppView
from console.ui.widgets.app_pane import AppPane


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        yield AppPane("demo", id="pane")


def test_a_view_arriving_while_the_request_section_mounts_reaches_the_composer() -> None:
    """The app moved to a new port while the composer was mounting: its URL follows."""

    async def main() -> None:
        app = OnePane()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(AppPane)
            pane.show_view(AppView("demo", state="running", port=5001))
            building = asyncio.ensure_future(pane.ensure_section("request"))
            await asyncio.sleep(0)  # the mount has started and is awaiting its children
            pane.show_view(AppView("demo", state="running", port=5002))
            await building
            await pilot.pause()
            assert pane.composer is not None
            await pane.show_section("request")
            await pilot.pause()
            final_url = str(pane.composer.query_one("#final-url").render())
            assert "http://127.0.0.1:5002/" in final_url

    asyncio.run(main())
