"""The real supervisor: one :class:`ManagedApp` per target, the warm spares, the file
watcher, the 503 responder, and the control loop they all report to.

All decisions run on the control loop's thread; the threads that read workers and watch
files only post to it. Traces and log lines are the exception: they go straight from the
reading thread to the listener, so a busy app does not queue behind a reload.

Everything a user may want to know arrives at the ``listener`` as protocol events — the
worker's own (ready, trace, log, load_error, draining, requests_cut, ...) and the
supervisor's (state, routes_changed, unavailable, worker_exited) — called from supervisor
threads; the listener must be quick and thread-safe. For one app, a reload reads:
``state reloading``, then ``ready`` (sent when the new worker goes live, after the old one
stopped accepting), ``routes_changed`` if the url_map differs, ``state running``, and the
old worker's ``draining`` (with the requests it still runs) and ``stopping``; a failed one:
``load_error``, then ``state load_error`` (and ``unavailable`` if nothing else serves).
"""

from __future__ import annotations

import functools
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from console.protocol import (
    DEFAULT_GRACE,
    Event,
    Load,
    Log,
    ProtocolProblem,
    Spare,
    Trace,
    TracesDropped,
)
from console.supervisor.control_loop import ControlLoop
from console.supervisor.managed_app import AppInfo, ManagedApp
from console.supervisor.ports import MAX_PORT, PortError, bind
from console.supervisor.process import WorkerProcess
from console.supervisor.spares import SparePool
from console.supervisor.states import RestartPolicy
from console.supervisor.unavailable import UnavailableResponder
from console.supervisor.watch_sets import WatchSet
from console.supervisor.watcher import FileWatcher

#: While an app is starting up, warm spares wait for it, but no longer than this.
SPARES_WAIT_AT_MOST = 2.0
#: When every app stops (the console quits), requests in flight get at most this long.
QUIT_GRACE = 3.0
_STREAMED = (Trace, Log, TracesDropped, ProtocolProblem)


class SupervisorError(Exception):
    """The supervisor could not start; the message is one line for the user."""


def app_id_for(target: str) -> str:
    """A short name for a target: the module or file name (``hook_order``, ``login``)."""
    location = target.partition(":")[0].rstrip("/\\")
    path = Path(location)
    if location.endswith(".py") or "/" in location or os.sep in location:
        return path.parent.name if path.stem == "__init__" else path.stem
    return location.rpartition(".")[2] or location


class Supervisor:
    """Runs each target in worker processes on a stable port and keeps it current.

    Args:
        targets: What to run, in ``hookscope run``'s target syntax.
        listener: Receives every event; called from supervisor threads.
        port: The first app's port (the next apps take the following ones); None picks free
            ports.
        next_free_port: When a chosen port is taken, use the next free one instead of failing.
        tracing: Attach the framework's tracer in each worker.
        policy: Load timeout, crash backoff, how long connections wait for a first load.
        spare_workers: How many warm workers to keep ready for the next reload.
        drain_grace: Seconds a retiring worker gets to finish its requests before it cuts
            them.
        watch: Reload apps when their files change.
        mask_secrets: Hide cookie values and ``Authorization`` headers in traces and in the
            apps' output and log lines, so neither the screen nor an export shows them.
        cwd: The directory workers run in and relative targets are read from.
    """

    def __init__(
        self,
        targets: Sequence[str],
        listener: Callable[[Event], None],
        *,
        port: int | None = None,
        next_free_port: bool = False,
        tracing: bool = True,
        policy: RestartPolicy | None = None,
        spare_workers: int = 2,
        drain_grace: float = DEFAULT_GRACE,
        trace_queue_size: int = 2_000,
        watch: bool = True,
        mask_secrets: bool = False,
        cwd: str | None = None,
    ) -> None:
        if not targets:
            raise SupervisorError("no target given; name at least one app to run")
        self.cwd = os.path.abspath(cwd or os.getcwd())
        self.policy = policy or RestartPolicy()
        self.tracing = tracing
        self.drain_grace = drain_grace
        self.trace_queue_size = trace_queue_size
        self.mask_secrets = mask_secrets
        self._listener = listener
        self._loop = ControlLoop(self._tick)
        self._pool = SparePool(self._spawn, spare_workers)
        self._watcher = FileWatcher(self._files_changed) if watch else None
        self._started = False
        self._stopped = False
        self._spares_due = False
        self._apps: dict[str, ManagedApp] = {}
        self._bind_all(targets, port, next_free_port)
        self.responder = UnavailableResponder()

    def __enter__(self) -> Supervisor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- public --------------------------------------------------------------------------

    @property
    def apps(self) -> list[AppInfo]:
        return [app.info for app in self._apps.values()]

    def app(self, app_id: str) -> AppInfo:
        try:
            return self._apps[app_id].info
        except KeyError:
            raise SupervisorError(f"no app named {app_id!r}") from None

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if self._watcher is not None:
            self._watcher.start()
        self._loop.start()
        for app in self._apps.values():
            self._loop.post(functools.partial(self._start_app, app))

    def reload(self, app_id: str) -> None:
        """Load the app's code again, as if a file had changed."""
        app = self._apps.get(app_id)
        if app is None:
            raise SupervisorError(f"no app named {app_id!r}")
        self._loop.post(app.lifecycle.files_changed)

    def stop(self, timeout: float | None = None) -> None:
        """Stop every worker (drain, then SIGTERM, then SIGKILL) and release every resource."""
        if self._stopped:
            return
        self._stopped = True
        if self._watcher is not None and self._started:
            self._watcher.stop()
        done = threading.Event()
        workers: list[WorkerProcess] = []

        def stop_all() -> None:
            for app in self._apps.values():
                app.lifecycle.stop()
                workers.extend(app.workers)
            workers.extend(self._pool.close())
            done.set()

        if self._started:
            self._loop.post(stop_all)
            done.wait(timeout=5.0)
        else:
            stop_all()
        wait = timeout if timeout is not None else self.retiring_grace() + 3
        deadline = time.monotonic() + wait
        for worker in workers:
            if not worker.wait(max(deadline - time.monotonic(), 0.05)):
                worker.kill()
                worker.wait(1.0)
        self._loop.stop()
        self.responder.close()
        for app in self._apps.values():
            app.listener.close()

    # --- used by ManagedApp ----------------------------------------------------------------

    def emit(self, event: Event) -> None:
        try:
            self._listener(event)
        except Exception:  # a broken listener must not take the supervisor down with it
            traceback.print_exc(file=sys.stderr)

    def retiring_grace(self) -> float:
        """How long a worker asked to leave may finish its requests: the grace period, or
        less when everything stops (someone quitting does not wait for a slow request)."""
        return min(self.drain_grace, QUIT_GRACE) if self._stopped else self.drain_grace

    def take_worker(self) -> WorkerProcess:
        return self._pool.take()

    def load_command(self, app_id: str, target: str, title: str) -> Load:
        return Load(app_id, target, self.tracing, self.trace_queue_size, self.mask_secrets, title)

    def refill_spares(self) -> None:
        """Top up the warm spares, once no app is starting up, or after waiting a little.

        A spare's interpreter start-up competes for the cores with the first loads the user
        is waiting for (three apps starting on two cores), so the last app to start fills
        them. An app whose first import hangs would hold them back until its load timeout,
        so they wait at most :data:`SPARES_WAIT_AT_MOST` seconds. A reload never holds them
        back: the next save should find a warm spare.
        """
        if self._stopped:
            return
        if not any(app.lifecycle.starting_up for app in self._apps.values()):
            self._pool.refill()
        elif not self._spares_due:
            self._spares_due = True
            self._loop.later(SPARES_WAIT_AT_MOST, self._refill_spares_now)

    def watch(self, app_id: str, watch_set: WatchSet) -> None:
        if self._watcher is not None and not self._stopped:
            self._watcher.watch(app_id, watch_set)

    # --- internals ---------------------------------------------------------------------------

    def _refill_spares_now(self) -> None:
        self._spares_due = False
        if not self._stopped:
            self._pool.refill()

    def _bind_all(self, targets: Sequence[str], port: int | None, next_free_port: bool) -> None:
        used: set[str] = set()
        try:
            for index, target in enumerate(targets):
                app_id = base = app_id_for(target)
                suffix = 2
                while app_id in used:
                    app_id, suffix = f"{base}-{suffix}", suffix + 1
                used.add(app_id)
                wanted = 0 if port is None else port + index
                if wanted > MAX_PORT:
                    raise SupervisorError(
                        f"no port left for {target}: port {port} + {index} is past {MAX_PORT}; "
                        "choose a lower --port"
                    )
                try:
                    listener = bind(wanted, next_free_port)
                except PortError as error:
                    raise SupervisorError(str(error)) from None
                self._apps[app_id] = ManagedApp(self, app_id, target, listener)
        except BaseException:
            for app in self._apps.values():
                app.listener.close()
            raise

    def _start_app(self, app: ManagedApp) -> None:
        self.watch(app.app_id, app.last_watch_set)
        app.lifecycle.start()

    def _spawn(self) -> WorkerProcess:
        return WorkerProcess(
            self._worker_event,
            self._worker_exit,
            cwd=self.cwd,
            mask_secrets=self.mask_secrets,
            on_connection=self._worker_connection,
        )

    def _worker_event(self, worker: WorkerProcess, event: Event) -> None:
        """From a worker's reading thread: stream traces and logs, queue the rest."""
        if isinstance(event, _STREAMED):
            if worker.app_id:
                self.emit(event)
        elif not isinstance(event, Spare):
            self._loop.post(lambda: self._with_app(worker, lambda app: app.handle(worker, event)))

    def _worker_connection(self, worker: WorkerProcess, connection: socket.socket) -> None:
        def pass_on() -> None:
            app = self._apps.get(worker.app_id)
            if app is None:
                connection.close()
            else:
                app.pass_on(connection)

        self._loop.post(pass_on)

    def _worker_exit(self, worker: WorkerProcess, returncode: int) -> None:
        def route() -> None:
            app = self._apps.get(worker.app_id)
            if app is None:
                self._pool.discard(worker)
            else:
                app.exited(worker, returncode)

        self._loop.post(route)

    def _with_app(self, worker: WorkerProcess, action: Callable[[ManagedApp], None]) -> None:
        app = self._apps.get(worker.app_id)
        if app is not None:
            action(app)

    def _files_changed(self, app_id: str) -> None:
        app = self._apps.get(app_id)
        if app is not None:
            self._loop.post(app.lifecycle.files_changed)

    def _tick(self, now: float) -> float | None:
        """Run each app's due deadline; the earliest one still ahead, if any."""
        ahead = []
        for app in self._apps.values():
            deadline = app.lifecycle.next_deadline()
            if deadline is not None and deadline <= now:
                app.lifecycle.tick()
                deadline = app.lifecycle.next_deadline()
            if deadline is not None:
                ahead.append(deadline)
        return min(ahead) if ahead else None


__all__ = ["QUIT_GRACE", "SPARES_WAIT_AT_MOST", "Supervisor", "SupervisorError", "app_id_for"]
