"""``hookscope watch TARGET...``: the supervisor without the TUI, one line per thing that happens.

It prints each app's URL and routes when it is ready, the route diff after each reload, state
changes, load errors with their traceback, the app's own output, and one line per request:

    hook_order  GET /?stop=1 200 1.4ms  before_req1 [short-circuit] → after_req2 → after_req1

With ``--json`` it prints the protocol's events as JSON lines instead, for other tools.
Everything that comes from an app (paths, output, messages) has its control characters
escaped, so an app cannot drive the user's terminal.
"""

from __future__ import annotations

import collections
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import FrameType

import click

from console.protocol import (
    Draining,
    Event,
    InFlightRequest,
    LoadError,
    Log,
    ProtocolProblem,
    Ready,
    RequestsCut,
    RouteInfo,
    RoutesChanged,
    StateChanged,
    Stopping,
    Trace,
    TracesDropped,
    Unavailable,
    WorkerExited,
    encode,
)
from console.run_options import grace_option
from console.supervisor import Supervisor, SupervisorError
from console.trace_format import format_route, format_trace, one_line, visible

#: Traces and output lines waiting to be printed, at most; past it they are dropped and counted.
PENDING_LIMIT = 1_000


def indented_lines(text: str, indent: str = "    ") -> list[str]:
    """Multi-line text from an app (a traceback, a log record) as escaped, indented lines."""
    return [indent + visible(line) for line in text.rstrip().splitlines()]


def format_routes(routes: Iterable[RouteInfo], cwd: str) -> list[str]:
    return [format_route(route, cwd) for route in routes]


def format_route_diff(event: RoutesChanged, cwd: str) -> list[str]:
    return [
        *(f"+ {format_route(route, cwd)}" for route in event.added),
        *(f"- {format_route(route, cwd)}" for route in event.removed),
        *(f"~ {format_route(route, cwd)}" for route in event.changed),
    ]


class WatchPrinter:
    """Turns events into the lines a person reads; knows which apps were already announced."""

    def __init__(
        self,
        echo: Callable[[str], None],
        cwd: str,
        width: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._echo = echo
        self._cwd = cwd
        self._width = width
        self._clock = clock
        self._announced: set[str] = set()
        self._load_errors: dict[str, str] = {}
        self._reload_started: dict[str, tuple[str, float]] = {}
        self._waiting: set[int] = set()

    def show(self, event: Event) -> None:
        prefix = f"{one_line(event.app):<{self._width}}  "
        for line in self._lines(event):
            self._echo(prefix + line)

    def _lines(self, event: Event) -> list[str]:
        if isinstance(event, Trace):
            return [format_trace(event.trace)]
        if isinstance(event, Log):
            mark = {"stdout": "|", "stderr": "!", "logger": event.level, "hookscope": "**"}
            first, *rest = event.message.rstrip("\n").split("\n") or [""]
            continued = " " * len(mark[event.stream])
            return [f"{mark[event.stream]} {visible(first)}"] + [
                f"{continued} {visible(line)}" for line in rest
            ]
        if isinstance(event, Ready):
            if event.app in self._announced:
                return []
            self._announced.add(event.app)
            url = f"http://{event.host}:{event.port}/"
            return [f"serving {event.app_name} at {url} (pid {event.pid})"] + [
                f"    {line}" for line in format_routes(event.routes, self._cwd)
            ]
        if isinstance(event, RoutesChanged):
            return ["routes changed:"] + [
                f"    {line}" for line in format_route_diff(event, self._cwd)
            ]
        if isinstance(event, StateChanged):
            return self._state_lines(event)
        if isinstance(event, LoadError):
            self._load_errors[event.app] = event.message
            where = f" at {event.file}:{event.line}" if event.file else ""
            return [one_line(f"load error{where}: {event.message}", 10_000)] + indented_lines(
                event.traceback
            )
        if isinstance(event, WorkerExited):
            lines = [f"worker {event.pid} ended: {event.description}"]
            lines += indented_lines("\n".join(event.last_output.splitlines()[-10:]))
            return lines
        if isinstance(event, TracesDropped):
            return [f"** {event.dropped} traces dropped ({event.total} in all): too many to show"]
        if isinstance(event, ProtocolProblem):
            return [one_line(f"** unreadable message from the worker: {event.problem}", 10_000)]
        return self._retiring_lines(event)

    def _retiring_lines(self, event: Event) -> list[str]:
        """What a retiring worker waits for and cuts, and a port answering 503."""
        if isinstance(event, Draining) and event.in_flight:
            self._waiting.add(event.pid)
            count = len(event.in_flight)
            head = f"old version (pid {event.pid}) finishes {count} request(s) in flight, "
            return [f"{head}up to {event.grace:g} s:"] + _in_flight_lines(event.in_flight)
        if isinstance(event, Stopping) and event.pid in self._waiting:
            self._waiting.discard(event.pid)
            return [one_line(f"old version (pid {event.pid}) is gone: {event.reason}", 10_000)]
        if isinstance(event, RequestsCut):
            head = f"cut {len(event.requests)} request(s) after the {event.grace:g} s grace period"
            return [f"{head} (traced as cut):"] + _in_flight_lines(event.requests)
        if isinstance(event, Unavailable):
            return [one_line(f"port {event.port} answers 503 at once: {event.reason}", 10_000)]
        return []

    def _state_lines(self, event: StateChanged) -> list[str]:
        began: tuple[str, float] | None = None
        if event.state in ("reloading", "starting"):
            verb = "reloaded" if event.state == "reloading" else "started"
            self._reload_started.setdefault(event.app, (verb, self._clock()))
        else:
            began = self._reload_started.pop(event.app, None)
        if event.state == "running":
            if event.app not in self._announced:
                return []
            took = ""
            if began is not None:
                took = f", {began[0]} in {(self._clock() - began[1]) * 1000:.0f} ms"
            return [f"running (pid {event.pid}){took}"]
        if event.state == "starting" and event.detail == "loading":
            return []  # the "starting ... on URL" line already said so
        if event.state == "load_error":
            serving = (
                "the previous version keeps serving"
                if event.serving
                else "nothing is serving until a file changes"
            )
            if self._load_errors.get(event.app) == event.detail:
                return [serving]  # the load error itself was just printed
            return [one_line(f"load error: {event.detail}; {serving}", 10_000)]
        detail = f" ({event.detail})" if event.detail else ""
        return [one_line(f"{event.state.replace('_', ' ')}{detail}", 10_000)]


def _in_flight_lines(requests: Iterable[InFlightRequest]) -> list[str]:
    lines = []
    for request in requests:
        where = f", in {request.where}" if request.where else ""
        text = f"    {request.method} {request.target} (running {request.running_s:.1f} s{where})"
        lines.append(one_line(text, 10_000))
    return lines


class PendingEvents:
    """The events waiting for the terminal (or the pipe) to take them, within a bound.

    A reader that stops reading (a paused terminal, a stalled pipe) must not make the
    console hoard every trace the apps send. Traces and output lines beyond ``limit`` are
    dropped, and each drop is reported: a ``traces_dropped`` event (its ``total`` counts
    this printer's drops for the app) and a note for output lines, ahead of what is still
    pending. Every other event (states, reloads, load errors) is always kept.
    """

    def __init__(self, limit: int = PENDING_LIMIT) -> None:
        self._limit = limit
        self._events: collections.deque[Event] = collections.deque()
        self._sheddable = 0
        self._arrived = threading.Condition()
        self._dropped_traces: collections.Counter[str] = collections.Counter()
        self._dropped_trace_totals: collections.Counter[str] = collections.Counter()
        self._dropped_logs: collections.Counter[str] = collections.Counter()

    def put(self, event: Event) -> None:
        """Called by the supervisor's threads; never blocks on the reader."""
        with self._arrived:
            if isinstance(event, Trace | Log):
                if self._sheddable >= self._limit:
                    dropped = (
                        self._dropped_traces if isinstance(event, Trace) else self._dropped_logs
                    )
                    dropped[event.app] += 1
                    return
                self._sheddable += 1
            self._events.append(event)
            self._arrived.notify()

    def get(self, timeout: float) -> Event | None:
        """The next event (drop reports first), or None when nothing came within ``timeout``."""
        with self._arrived:
            if not self._events and not self._has_drops():
                self._arrived.wait(timeout)
            report = self._drop_report()
            if report is not None:
                return report
            if not self._events:
                return None
            event = self._events.popleft()
            if isinstance(event, Trace | Log):
                self._sheddable -= 1
            return event

    def _has_drops(self) -> bool:
        return bool(self._dropped_traces or self._dropped_logs)

    def _drop_report(self) -> Event | None:
        if self._dropped_traces:
            app, count = self._dropped_traces.popitem()
            self._dropped_trace_totals[app] += count
            return TracesDropped(app, count, self._dropped_trace_totals[app])
        if self._dropped_logs:
            app, count = self._dropped_logs.popitem()
            note = f"{count} output lines dropped: they came faster than they could be printed"
            return Log(app, "hookscope", "WARNING", note, None, time.time())
        return None


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port of the first app; the next ones follow."
)
@click.option(
    "--next-free-port",
    is_flag=True,
    help="If a port is taken, use the next free one instead of failing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the protocol's events as JSON lines.")
@click.option(
    "--mask-secrets",
    is_flag=True,
    help="Show cookie values and Authorization headers as •••••• in traces and in the apps' "
    "output and log lines.",
)
@grace_option
def watch(
    targets: tuple[str, ...],
    port: int | None,
    next_free_port: bool,
    as_json: bool,
    mask_secrets: bool,
    grace: float,
) -> None:
    """Run apps with hot reload and print every request's hook trace.

    TARGET is a file (app.py), a package directory, a module (pkg.mod), pkg.mod:name or
    pkg.mod:create_app('arg'). Ctrl-C stops every app.
    """
    events = PendingEvents()
    try:
        supervisor = Supervisor(
            targets,
            events.put,
            port=port,
            next_free_port=next_free_port,
            mask_secrets=mask_secrets,
            drain_grace=grace,
        )
    except SupervisorError as error:
        raise click.ClickException(str(error)) from None
    width = max(len(app.app_id) for app in supervisor.apps)
    printer = WatchPrinter(lambda line: click.echo(line), os.getcwd(), width)
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    try:
        supervisor.start()
        if not as_json:
            for app in supervisor.apps:
                click.echo(f"{app.app_id:<{width}}  starting {app.target} on {app.url}")
        while True:
            event = events.get(timeout=0.5)
            if event is None:
                continue
            if as_json:
                click.echo(encode(event).decode("utf-8").rstrip("\n"))
            else:
                printer.show(event)
    except KeyboardInterrupt:
        pass
    except BrokenPipeError:
        _silence_stdout()  # the reader went away (`| head`); stop quietly
        as_json = True
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        supervisor.stop()
    if not as_json:
        click.echo("stopped every app")


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


__all__ = [
    "PendingEvents",
    "WatchPrinter",
    "format_route_diff",
    "format_routes",
    "indented_lines",
    "watch",
]
