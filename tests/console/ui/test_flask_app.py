"""The console on a genuine Flask app: its hook timeline, and its load error in the banner."""

from __future__ import annotations

from pathlib import Path

import httpx
from textual.pilot import Pilot

from console.ui.app import HookscopeConsole
from console.ui.widgets.hook_timeline import HookTimeline
from console.ui.widgets.load_error_banner import LoadErrorBanner
from tests.console.test_flask_apps import GOOD_FACTORY
from tests.console.ui.test_app import only_view, run_console, screen_text, until


def test_a_flask_apps_trace_and_load_error_show_as_a_framework_apps_do(tmp_path: Path) -> None:
    source = tmp_path / "shop.py"
    source.write_text(GOOD_FACTORY)

    async def scenario(app: HookscopeConsole, pilot: Pilot[None]) -> None:
        view = only_view(app)
        assert httpx.get(f"http://127.0.0.1:{view.port}/", timeout=10).text == "version one"
        await until(pilot, lambda: only_view(app).traces_seen >= 1, "the request's trace")
        (step,) = only_view(app).traces[-1].raw["steps"]
        assert (step["kind"], step["name"]) == ("view", "create_app.<locals>.index")
        await pilot.press("3")
        await until(
            pilot,
            lambda: "create_app.<locals>" in screen_text(app.query_one(HookTimeline)),
            "the view in the timeline",
        )

        source.write_text(
            GOOD_FACTORY.replace("    app = Flask(__name__)\n", "    raise KeyError('DATABASE')\n")
        )
        await until(pilot, lambda: only_view(app).load_error is not None, "the load error", 20)
        banner = app.query_one(LoadErrorBanner)
        await pilot.pause(0.2)
        shown = " ".join(screen_text(banner).split())  # as one line, however it wraps
        assert "factory create_app() raised KeyError: 'DATABASE'" in shown
        assert "shop.py:5" in shown and "raise KeyError('DATABASE')" in shown

    run_console(str(source), scenario)
