from __future__ import annotations

import queue
import time

from click.testing import CliRunner

from console.cli import main
from console.protocol import Trace
from console.ui.command import DEFAULT_DEMOS, demo_names, demo_target
from console.ui.engine import SupervisorEngine
from console.ui.exchange import OutgoingRequest


def test_the_default_demos_exist() -> None:
    assert set(DEFAULT_DEMOS) <= set(demo_names())
    assert demo_target("hook_order").endswith("demo_apps/hook_order.py")
    assert demo_target("login").endswith("demo_apps/login")


def test_an_unknown_demo_is_refused_with_the_list_of_demos() -> None:
    result = CliRunner().invoke(main, ["console", "--demo", "nope"])
    assert result.exit_code == 2
    assert "no demo app named 'nope'; choose from:" in result.output
    assert "hook_order" in result.output


def test_console_is_a_hookscope_command() -> None:
    result = CliRunner().invoke(main, ["console", "--help"])
    assert result.exit_code == 0
    assert "--demo NAME" in result.output


def test_mask_secrets_reaches_the_workers_of_the_console() -> None:
    events: queue.SimpleQueue[object] = queue.SimpleQueue()
    engine = SupervisorEngine([demo_target("hook_order")], mask_secrets=True)
    engine.start(events.put)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                engine.send(
                    "hook_order", OutgoingRequest("GET", "/", (("Authorization", "s3cret"),))
                )
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        while True:
            event = events.get(timeout=max(deadline - time.monotonic(), 0.1))
            if isinstance(event, Trace) and event.trace["request"]["path"] == "/":
                break
    finally:
        engine.stop()

    headers = dict(event.trace["request"]["headers"])
    assert headers["Authorization"] == "••••••"


def test_console_help_offers_mask_secrets() -> None:
    result = CliRunner().invoke(main, ["console", "--help"])
    assert "--mask-secrets" in result.output
