"""The console's model: what the screen shows about each app, built from protocol events.

:func:`reduce` is a pure function ``(AppView, events, now) -> AppView``: the Textual app keeps
one :class:`AppView` per app, feeds it the supervisor's events in batches and renders the
result. Everything the screen knows about an app lives here, so every rule about it (how long
a route diff stays highlighted, how many traces are kept, when a load error disappears) is
tested with plain values, without a terminal or a process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from console.protocol import (
    AppStateName,
    Draining,
    Event,
    LoadError,
    Log,
    ProtocolProblem,
    Ready,
    RequestsCut,
    RouteDiff,
    RouteInfo,
    RoutesChanged,
    StateChanged,
    Trace,
    TracesDropped,
    Unavailable,
    WorkerExited,
    diff_routes,
)
from console.trace_reader import TraceRecord, read_trace

DEFAULT_TRACE_CAPACITY = 1_000
DEFAULT_LOG_CAPACITY = 2_000
#: How long removed routes stay listed under the route table after a reload, in seconds.
REMOVED_ROUTES_SHOWN_FOR = 30.0


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of an app's output as the log view shows it."""

    time: float
    stream: str
    level: str
    message: str
    logger: str | None = None


@dataclass(frozen=True)
class AppView:
    """Everything the screen shows about one app."""

    app: str
    target: str = ""
    state: AppStateName = "starting"
    detail: str = ""
    host: str = "127.0.0.1"
    port: int | None = None
    pid: int | None = None
    serving: bool = False
    app_name: str = ""
    last_reload: float | None = None
    reloads: int = 0
    routes: tuple[RouteInfo, ...] = ()
    route_diff: RouteDiff = RouteDiff()
    route_diff_at: float | None = None
    traces: tuple[TraceRecord, ...] = ()
    trace_capacity: int = DEFAULT_TRACE_CAPACITY
    traces_seen: int = 0
    traces_dropped: int = 0
    logs: tuple[LogLine, ...] = ()
    log_capacity: int = DEFAULT_LOG_CAPACITY
    load_error: LoadError | None = None
    last_exit: WorkerExited | None = None

    @property
    def url(self) -> str | None:
        return f"http://{self.host}:{self.port}" if self.port else None

    def removed_routes(self, now: float) -> tuple[RouteInfo, ...]:
        """Routes the last reload removed, for a short while after it."""
        if self.route_diff_at is None or now - self.route_diff_at > REMOVED_ROUTES_SHOWN_FOR:
            return ()
        return self.route_diff.removed

    def route_mark(self, route: RouteInfo) -> str:
        """ "added", "changed" or "" for a route: what the last reload did to it.

        A reload that changed no route clears the marks: they always describe the last one.
        """
        if any(route.key == other.key for other in self.route_diff.added):
            return "added"
        if any(route.key == other.key for other in self.route_diff.changed):
            return "changed"
        return ""

    def find_trace(self, trace_id: str) -> TraceRecord | None:
        return next((t for t in reversed(self.traces) if t.id == trace_id), None)


def reduce(view: AppView, events: Iterable[Event], now: float) -> AppView:
    """The view after ``events`` (in arrival order), with ``now`` as the arrival time.

    Traces and log lines are gathered and appended to their rings once per run of such
    events, so a batch of a thousand traces (and the five lines each request prints) costs
    one copy of each ring, not thousands.
    """
    traces: list[TraceRecord] = []
    logs: list[LogLine] = []
    for event in events:
        if event.app != view.app:
            continue
        if isinstance(event, Trace):
            traces.append(read_trace(event.trace))
        elif isinstance(event, Log):
            logs.append(
                LogLine(event.time or now, event.stream, event.level, event.message, event.logger)
            )
        else:
            view = _add_logs(_add_traces(view, traces), logs)
            traces, logs = [], []
            view = _apply(view, event, now)
    return _add_logs(_add_traces(view, traces), logs)


def clear_traces(view: AppView) -> AppView:
    return dataclasses.replace(view, traces=())


def clear_logs(view: AppView) -> AppView:
    return dataclasses.replace(view, logs=())


def _add_traces(view: AppView, records: list[TraceRecord]) -> AppView:
    if not records:
        return view
    capacity = max(view.trace_capacity, 1)
    traces = (view.traces + tuple(records[-capacity:]))[-capacity:]
    return dataclasses.replace(view, traces=traces, traces_seen=view.traces_seen + len(records))


def _add_logs(view: AppView, lines: list[LogLine]) -> AppView:
    if not lines:
        return view
    capacity = max(view.log_capacity, 1)
    logs = (view.logs + tuple(lines[-capacity:]))[-capacity:]
    return dataclasses.replace(view, logs=logs)


def _apply(view: AppView, event: Event, now: float) -> AppView:
    if isinstance(event, Ready):
        reloaded = view.last_reload is not None
        diff = diff_routes(view.routes, event.routes) if reloaded else RouteDiff()
        return dataclasses.replace(
            view,
            host=event.host,
            port=event.port,
            pid=event.pid,
            app_name=event.app_name,
            last_reload=now,
            reloads=view.reloads + (1 if view.last_reload is not None else 0),
            routes=event.routes,
            route_diff=diff,
            route_diff_at=now if diff else view.route_diff_at,
            load_error=None,
        )
    if isinstance(event, RoutesChanged):
        return dataclasses.replace(
            view,
            routes=event.routes,
            route_diff=RouteDiff(event.added, event.removed, event.changed),
            route_diff_at=now,
        )
    if isinstance(event, StateChanged):
        return dataclasses.replace(
            view,
            state=event.state,
            detail=event.detail,
            port=event.port if event.port is not None else view.port,
            pid=event.pid,  # None: no worker serves (a crash, a first load that failed)
            serving=event.serving,
        )
    if isinstance(event, LoadError):
        where = f" ({event.file}:{event.line})" if event.file else ""
        view = _add_logs(
            view, [LogLine(now, "hookscope", "ERROR", f"load error: {event.exc_type}{where}")]
        )
        return dataclasses.replace(view, load_error=event)
    if isinstance(event, TracesDropped):
        return dataclasses.replace(view, traces_dropped=event.total)
    if isinstance(event, WorkerExited):
        line = LogLine(now, "hookscope", "ERROR", f"worker {event.pid} {event.description}")
        return dataclasses.replace(_add_logs(view, [line]), last_exit=event)
    if isinstance(event, ProtocolProblem):
        line = LogLine(now, "hookscope", "WARNING", f"protocol: {event.problem}")
        return _add_logs(view, [line])
    if isinstance(event, Draining) and event.in_flight:
        waiting = ", ".join(f"{r.method} {r.target}" for r in event.in_flight)
        note = f"old version finishes {len(event.in_flight)} request(s), up to {event.grace:g} s"
        return _add_logs(view, [LogLine(now, "hookscope", "INFO", f"{note}: {waiting}")])
    if isinstance(event, RequestsCut):
        cut = ", ".join(f"{r.method} {r.target} ({r.where})" for r in event.requests)
        note = f"cut {len(event.requests)} request(s) after {event.grace:g} s"
        return _add_logs(view, [LogLine(now, "hookscope", "WARNING", f"{note}: {cut}")])
    if isinstance(event, Unavailable):
        note = f"port {event.port} answers 503: {event.reason}"
        return _add_logs(view, [LogLine(now, "hookscope", "ERROR", note)])
    return view


__all__ = [
    "DEFAULT_LOG_CAPACITY",
    "DEFAULT_TRACE_CAPACITY",
    "REMOVED_ROUTES_SHOWN_FOR",
    "AppView",
    "LogLine",
    "clear_logs",
    "clear_traces",
    "reduce",
]
