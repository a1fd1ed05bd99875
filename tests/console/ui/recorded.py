"""Recorded engine events for tests that need a fixed picture rather than live processes.

Snapshots must look the same on every run, so they cannot show real pids, ports and times.
:class:`RecordedEngine` plays a fixed list of protocol events built from the real demo apps:
routes described by the real worker code and traces recorded by the real framework tracer.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Sequence
from typing import Any

from console.protocol import Event, LoadError, Log, Ready, StateChanged, Trace
from console.ui.engine import AppEntry
from console.ui.exchange import Exchange, OutgoingRequest
from console.worker import describe_routes

FIXED_TIME = 1_764_000_000.0


def recorded_trace(module: str, path: str, *, method: str = "GET", **kwargs: Any) -> dict[str, Any]:
    """A real trace of ``method path`` on a demo app, with fixed id, time and durations."""
    app = importlib.import_module(f"demo_apps.{module}").app
    traces: list[dict[str, Any]] = []
    app.add_tracer(traces.append)
    try:
        app.test_client().open(path, method=method, **kwargs)
    finally:
        app.remove_tracer(traces.append)
    trace = traces[-1]
    trace["response"]["headers"] = [
        [name, _without_timestamp(value) if name.lower() == "set-cookie" else value]
        for name, value in trace["response"]["headers"]
    ]
    trace["started_at"] = FIXED_TIME
    trace["duration_us"] = 1_500
    for index, step in enumerate(trace["steps"]):
        step["start_us"] = index * 100
        step["duration_us"] = 0 if step["skipped"] else 50 * (index + 1)
    return trace


def _without_timestamp(set_cookie: str) -> str:
    """A signed session cookie with its time and signature fixed, so snapshots stay equal."""
    cookie, _, attributes = set_cookie.partition(";")
    name, _, value = cookie.partition("=")
    payload = value.split(".")[0] if not value.startswith(".") else "." + value.split(".")[1]
    return f"{name}={payload}.aW1Fxg.fixed-signature-for-snapshots;{attributes}"


def ready_events(app_id: str, module: str, port: int) -> list[Event]:
    app = importlib.import_module(f"demo_apps.{module}").app
    return [
        StateChanged(app_id, "starting", port=port),
        Ready(
            app_id,
            4242,
            "127.0.0.1",
            port,
            app.name,
            app.import_name,
            app.root_path,
            describe_routes(app),
        ),
        StateChanged(app_id, "running", port=port, pid=4242, serving=True),
    ]


@dataclasses.dataclass
class RecordedEngine:
    """Plays ``events`` on start and remembers what the UI asked of it."""

    entries: Sequence[AppEntry]
    events: Sequence[Event]
    calls: list[str] = dataclasses.field(default_factory=list)
    deliver: Callable[[Event], None] | None = None

    @property
    def apps(self) -> Sequence[AppEntry]:
        return self.entries

    def start(self, deliver: Callable[[Event], None]) -> None:
        self.deliver = deliver
        for event in self.events:
            deliver(event)

    def reload(self, app_id: str) -> None:
        self.calls.append(f"reload {app_id}")

    def restart(self, app_id: str) -> None:
        self.calls.append(f"restart {app_id}")

    def send(self, app_id: str, request: OutgoingRequest) -> Exchange:
        self.calls.append(f"send {app_id} {request.method} {request.path}")
        return Exchange(request.method, request.path, error="recorded engine sends nothing")

    def cookies(self, app_id: str) -> tuple[tuple[str, str, str], ...]:
        return ()

    def clear_cookies(self, app_id: str) -> None:
        self.calls.append(f"clear_cookies {app_id}")

    def stop(self) -> None:
        self.calls.append("stop")


def demo_engine() -> RecordedEngine:
    """Three demo apps with recorded traffic: hook order, a login, converters after an edit."""
    login = recorded_trace(
        "auth_hooks", "/login", method="POST", data={"user": "admin", "pwd": "password"}
    )
    converters = importlib.import_module("demo_apps.converters").app
    routes = describe_routes(converters)
    trimmed = tuple(route for route in routes if route.endpoint != "by_uuid")
    events: list[Event] = [
        *ready_events("hook_order", "hook_order", 5101),
        *ready_events("auth_hooks", "auth_hooks", 5102),
        StateChanged("converters", "starting", port=5103),
        Ready(
            "converters",
            4243,
            "127.0.0.1",
            5103,
            converters.name,
            converters.import_name,
            converters.root_path,
            trimmed,
        ),
        Ready(
            "converters",
            4244,
            "127.0.0.1",
            5103,
            converters.name,
            converters.import_name,
            converters.root_path,
            routes,
        ),
        StateChanged("converters", "running", port=5103, pid=4244, serving=True),
        Trace("hook_order", recorded_trace("hook_order", "/")),
        Trace("hook_order", recorded_trace("hook_order", "/missing")),
        Trace("hook_order", recorded_trace("hook_order", "/?stop=1")),
        Trace("auth_hooks", recorded_trace("auth_hooks", "/profile")),
        Trace("auth_hooks", login),
        Log("hook_order", "stdout", "INFO", "hook_order: before_req1", time=FIXED_TIME),
        Log("hook_order", "logger", "WARNING", "slow request", "demo", time=FIXED_TIME),
    ]
    entries = [
        AppEntry(name, f"demo_apps/{name}.py")
        for name in ("hook_order", "auth_hooks", "converters")
    ]
    return RecordedEngine(entries, events)


def broken_engine() -> RecordedEngine:
    """hook_order serving its last good version after a save with a syntax error."""
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/work/demo_apps/hook_order.py", line 81\n'
        "    def broken(:\n"
        "               ^\n"
        "SyntaxError: invalid syntax\n"
    )
    events: list[Event] = [
        *ready_events("hook_order", "hook_order", 5101),
        Trace("hook_order", recorded_trace("hook_order", "/")),
        LoadError(
            "hook_order",
            "SyntaxError",
            "invalid syntax",
            traceback,
            "/work/demo_apps/hook_order.py",
            81,
        ),
        StateChanged(
            "hook_order",
            "load_error",
            port=5101,
            pid=4242,
            serving=True,
            detail="SyntaxError: invalid syntax",
        ),
    ]
    return RecordedEngine([AppEntry("hook_order", "demo_apps/hook_order.py")], events)
