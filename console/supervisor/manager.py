"""The real supervisor: listening sockets, worker processes, file watching, one control loop.

Each target becomes a :class:`ManagedApp`: a listening socket bound once on 127.0.0.1 (the
port never changes), an :class:`AppLifecycle` that decides, and the workers it asked for.
All decisions run on one control thread, fed by a queue; the threads that read workers and
watch files only post to it. Traces and log lines are the exception: they go straight from
the reading thread to the listener, so a busy app does not queue behind a reload.

Everything a user may want to know arrives at the ``listener`` as protocol events — the
worker's own (ready, trace, log, load_error, ...) and the supervisor's (state, routes_changed,
worker_exited) — called from supervisor threads; the listener must be quick and thread-safe.
For one app, a reload reads: ``state reloading``, then ``ready`` (sent when the new worker
goes live, after the old one stopped accepting), ``routes_changed`` if the url_map differs,
``state running``; a failed one: ``load_error``, then ``state load_error``.

A reload switches cleanly: the new worker loads while the old one serves, then the old one
stops accepting, then the new one starts; connections arriving in between wait in the
listening socket's backlog, so no request is refused and none after the switch reaches the
old code.
"""

from __future__ import annotations

import errno
import functools
import importlib.machinery
import os
import queue
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from console.protocol import (
    Draining,
    Event,
    Load,
    LoadError,
    Log,
    ProtocolProblem,
    Ready,
    RouteInfo,
    RoutesChanged,
    Spare,
    StateChanged,
    Stopping,
    Trace,
    TracesDropped,
    WorkerExited,
    diff_routes,
)
from console.supervisor.process import SparePool, WorkerProcess, describe_exit
from console.supervisor.states import AppLifecycle, AppState, AppStatus, RestartPolicy
from console.supervisor.watcher import FileWatcher, WatchSet
from console.targets import TargetError, parse_target

HOST = "127.0.0.1"
#: A new worker starts accepting after this even if the old one never confirmed it stopped.
HANDOFF_TIMEOUT = 1.0
#: Warm spares wait for the apps that are loading, but no longer than this (an import may hang).
SPARES_WAIT_AT_MOST = 2.0
#: Connections the kernel holds while no worker accepts (start-up, a reload's handoff, a busy
#: worker). Past it, a client's SYN is dropped and retried a second later, so keep it well
#: above the connections a load test opens at once (the kernel caps it at somaxconn).
LISTEN_BACKLOG = 1024
MAX_PORT = 65_535
_STREAMED = (Trace, Log, TracesDropped, ProtocolProblem)


class SupervisorError(Exception):
    """The supervisor could not start; the message is one line for the user."""


@dataclass(frozen=True)
class AppInfo:
    """A snapshot of one managed app, for a UI to show."""

    app_id: str
    target: str
    host: str
    port: int
    status: AppStatus
    routes: tuple[RouteInfo, ...] | None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


def app_id_for(target: str) -> str:
    """A short name for a target: the module or file name (``hook_order``, ``login``)."""
    location = target.partition(":")[0].rstrip("/\\")
    path = Path(location)
    if location.endswith(".py") or "/" in location or os.sep in location:
        return path.parent.name if path.stem == "__init__" else path.stem
    return location.rpartition(".")[2] or location


def initial_watch_set(target: str, cwd: str) -> WatchSet:
    """What to watch before the app has ever loaded: its file's or package's directory."""
    try:
        spec = parse_target(target)
    except TargetError:
        return WatchSet(roots=())  # no edit can fix a target string; nothing to watch
    if spec.kind == "path":
        path = Path(cwd, spec.location).resolve()
        root = path if path.is_dir() else path.parent
        return WatchSet(roots=(str(root),), files=frozenset({str(path)}))
    top = spec.location.split(".")[0]
    found = importlib.machinery.PathFinder.find_spec(top, [cwd])
    if found is not None and found.submodule_search_locations:
        return WatchSet(roots=tuple(found.submodule_search_locations))
    if found is not None and found.origin:
        return WatchSet(roots=(cwd,), files=frozenset({found.origin}))
    return WatchSet(roots=(cwd,))


class ManagedApp:
    """One target: its socket, its lifecycle, its workers. Used on the control thread only."""

    def __init__(
        self, supervisor: Supervisor, app_id: str, target: str, listener: socket.socket
    ) -> None:
        self.app_id = app_id
        self.target = target
        self.listener = listener
        self.port: int = listener.getsockname()[1]
        self.routes: tuple[RouteInfo, ...] | None = None
        self._supervisor = supervisor
        self._workers: dict[int, WorkerProcess] = {}
        self._retiring: set[WorkerProcess] = set()
        self._handoffs: dict[WorkerProcess, tuple[WorkerProcess, Ready]] = {}
        self._load_error_reported = False
        self.lifecycle = AppLifecycle(self, time.monotonic, supervisor.policy)
        self.info = AppInfo(app_id, target, HOST, self.port, self.lifecycle.status, None)
        self.last_watch_set = initial_watch_set(target, supervisor.cwd)

    @property
    def workers(self) -> list[WorkerProcess]:
        """Every worker of this app still alive or on its way out."""
        return [*self._workers.values(), *self._retiring]

    # --- WorkerControl ---------------------------------------------------------------------

    def start_worker(self, generation: int) -> None:
        worker = self._supervisor.take_worker()
        worker.assign(self.app_id, generation)
        self._workers[generation] = worker
        sup = self._supervisor
        worker.load(
            Load(self.app_id, self.target, sup.tracing, sup.trace_queue_size, sup.mask_secrets),
            self.listener,
        )

    def stop_worker(self, generation: int, *, graceful: bool) -> None:
        worker = self._workers.pop(generation, None)
        if worker is None:
            return
        self._retiring.add(worker)
        if graceful:
            worker.stop(self._supervisor.drain_grace)
        else:
            worker.kill()

    def state_changed(self, status: AppStatus) -> None:
        if status.state is AppState.LOAD_ERROR and not self._load_error_reported:
            # a timeout or a worker dying mid-import: no worker said why, so say it here
            self._supervisor.emit(LoadError(self.app_id, "LoadFailed", status.detail))
            self._supervisor.watch(self, _any_source(self.last_watch_set))
        self._load_error_reported = False
        serving = self._workers.get(status.serving) if status.serving is not None else None
        self.info = AppInfo(self.app_id, self.target, HOST, self.port, status, self.routes)
        self._supervisor.emit(
            StateChanged(
                self.app_id,
                status.state.value,
                self.port,
                serving.pid if serving else None,
                serving is not None,
                status.detail,
            )
        )

    # --- what workers said -------------------------------------------------------------------

    def handle(self, worker: WorkerProcess, event: Event) -> None:
        if isinstance(event, Stopping | Draining):
            self._supervisor.emit(event)
            if isinstance(event, Draining):
                self._hand_over(worker)
            return
        if self._workers.get(worker.generation) is not worker:
            return
        if isinstance(event, Ready) and worker.generation == self.lifecycle.status.loading:
            self._loaded(worker, event)
        elif isinstance(event, LoadError):
            self._supervisor.emit(event)
            self._supervisor.watch(self, _any_source(self.last_watch_set))
            self._load_error_reported = True
            summary = event.message if event.message else event.exc_type
            self.lifecycle.load_failed(worker.generation, summary)
            self._supervisor.refill_spares()

    def _loaded(self, worker: WorkerProcess, ready: Ready) -> None:
        """New code is loaded; it goes live once the old worker has stopped accepting."""
        serving = self.lifecycle.status.serving
        previous = self._workers.get(serving) if serving is not None else None
        if previous is None or previous.stop_requested:
            self._go_live(worker, ready)
            return
        self._handoffs[previous] = (worker, ready)
        previous.stop(self._supervisor.drain_grace, hand_off=True)
        self._supervisor.later(HANDOFF_TIMEOUT, lambda: self._hand_over(previous))

    def _hand_over(self, previous: WorkerProcess) -> None:
        """The old worker stopped accepting (or took too long to): the new one may start."""
        successor = self._handoffs.pop(previous, None)
        if successor is not None:
            self._go_live(*successor)

    def _go_live(self, worker: WorkerProcess, ready: Ready) -> None:
        if self._workers.get(worker.generation) is not worker:
            return  # superseded by a newer edit while waiting for the handoff
        worker.serve()
        previous_routes, self.routes = self.routes, ready.routes
        self._supervisor.emit(ready)
        if previous_routes is not None:
            diff = diff_routes(previous_routes, ready.routes)
            if diff:
                self._supervisor.emit(
                    RoutesChanged(self.app_id, diff.added, diff.removed, diff.changed, ready.routes)
                )
        self._supervisor.watch(self, ready_watch_set(ready))
        self.lifecycle.worker_ready(worker.generation)
        self._supervisor.refill_spares()

    def pass_on(self, connection: socket.socket) -> None:
        """A retiring worker's kept-alive connection goes to the worker serving now."""
        serving = self.lifecycle.status.serving
        worker = self._workers.get(serving) if serving is not None else None
        if worker is None or worker.stop_requested:
            connection.close()  # the client reconnects, as after any server-side close
        else:
            worker.adopt(connection)

    def exited(self, worker: WorkerProcess, returncode: int) -> None:
        self._hand_over(worker)
        if worker in self._retiring:
            self._retiring.discard(worker)
            return
        if self._workers.get(worker.generation) is not worker:
            return
        del self._workers[worker.generation]
        description = describe_exit(returncode)
        if not worker.stop_requested:
            self._supervisor.emit(
                WorkerExited(self.app_id, worker.pid, returncode, description, worker.last_output)
            )
        self.lifecycle.worker_exited(worker.generation, description)
        self._supervisor.refill_spares()


def ready_watch_set(ready: Ready) -> WatchSet:
    roots = {ready.root_path}
    roots.update(
        str(Path(f).parent) for f in ready.watch_files if not f.startswith(ready.root_path)
    )
    return WatchSet(
        roots=tuple(sorted(roots)),
        files=frozenset(ready.watch_files),
        folders=ready.watch_dirs,
        any_source=False,
    )


def _any_source(watch_set: WatchSet) -> WatchSet:
    return WatchSet(watch_set.roots, watch_set.files, watch_set.folders, any_source=True)


class Supervisor:
    """Runs each target in worker processes on a stable port and keeps it current.

    Args:
        targets: What to run, in ``hookscope run``'s target syntax.
        listener: Receives every event; called from supervisor threads.
        port: The first app's port (the next apps take the following ones); None picks free
            ports.
        next_free_port: When a chosen port is taken, use the next free one instead of failing.
        tracing: Attach the framework's tracer in each worker.
        policy: Load timeout and crash backoff.
        spare_workers: How many warm workers to keep ready for the next reload.
        drain_grace: Seconds a retiring worker gets to finish its requests.
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
        drain_grace: float = 5.0,
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
        self._inbox: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._pool = SparePool(self._spawn, spare_workers)
        self._watcher = FileWatcher(self._files_changed) if watch else None
        self._thread = threading.Thread(target=self._control_loop, name="hookscope-control")
        self._started = False
        self._stopped = False
        self._spares_due = False
        self._apps: dict[str, ManagedApp] = {}
        self._bind_all(targets, port, next_free_port)

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
        self._thread.start()
        for app in self._apps.values():
            self._post(functools.partial(self._start_app, app))

    def reload(self, app_id: str) -> None:
        """Load the app's code again, as if a file had changed."""
        app = self._apps.get(app_id)
        if app is None:
            raise SupervisorError(f"no app named {app_id!r}")
        self._post(app.lifecycle.files_changed)

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
            self._post(stop_all)
            done.wait(timeout=5.0)
        else:
            stop_all()
        deadline = time.monotonic() + (timeout if timeout is not None else self.drain_grace + 2)
        for worker in workers:
            if not worker.wait(max(deadline - time.monotonic(), 0.05)):
                worker.kill()
                worker.wait(1.0)
        if self._started:
            self._inbox.put(None)
            self._thread.join(timeout=5.0)
        for app in self._apps.values():
            app.listener.close()

    # --- used by ManagedApp ----------------------------------------------------------------

    def emit(self, event: Event) -> None:
        try:
            self._listener(event)
        except Exception:  # a broken listener must not take the supervisor down with it
            traceback.print_exc(file=sys.stderr)

    def take_worker(self) -> WorkerProcess:
        return self._pool.take()

    def refill_spares(self) -> None:
        """Top up the warm spares, once no app is loading or after waiting a little.

        A spare's interpreter start-up competes for the cores with the loads the user is
        waiting for (three apps starting on two cores), so the last app to settle fills them.
        An app whose import hangs would hold them back until its load timeout, so they wait
        at most :data:`SPARES_WAIT_AT_MOST` seconds.
        """
        if self._stopped:
            return
        if all(app.lifecycle.status.loading is None for app in self._apps.values()):
            self._pool.refill()
        elif not self._spares_due:
            self._spares_due = True
            self.later(SPARES_WAIT_AT_MOST, self._refill_spares_now)

    def _refill_spares_now(self) -> None:
        self._spares_due = False
        if not self._stopped:
            self._pool.refill()

    def later(self, delay: float, task: Callable[[], None]) -> None:
        """Run ``task`` on the control thread after ``delay`` seconds."""
        timer = threading.Timer(delay, self._post, args=(task,))
        timer.daemon = True
        timer.start()

    def watch(self, app: ManagedApp, watch_set: WatchSet) -> None:
        app.last_watch_set = watch_set
        if self._watcher is not None and not self._stopped:
            self._watcher.watch(app.app_id, watch_set)

    # --- internals ---------------------------------------------------------------------------

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
                listener = _bind(wanted, next_free_port)
                self._apps[app_id] = ManagedApp(self, app_id, target, listener)
        except BaseException:
            for app in self._apps.values():
                app.listener.close()
            raise

    def _start_app(self, app: ManagedApp) -> None:
        self.watch(app, app.last_watch_set)
        app.lifecycle.start()

    def _spawn(self) -> WorkerProcess:
        return WorkerProcess(
            self._worker_event,
            self._worker_exit,
            cwd=self.cwd,
            mask_secrets=self.mask_secrets,
            on_connection=self._worker_connection,
        )

    def _post(self, task: Callable[[], None]) -> None:
        self._inbox.put(task)

    def _worker_event(self, worker: WorkerProcess, event: Event) -> None:
        """From a worker's reading thread: stream traces and logs, queue the rest."""
        if isinstance(event, _STREAMED):
            if worker.app_id:
                self.emit(event)
        elif isinstance(event, Spare):
            return
        else:
            self._post(lambda: self._route(worker, event))

    def _worker_connection(self, worker: WorkerProcess, connection: socket.socket) -> None:
        self._post(lambda: self._route_connection(worker, connection))

    def _route_connection(self, worker: WorkerProcess, connection: socket.socket) -> None:
        app = self._apps.get(worker.app_id)
        if app is None:
            connection.close()
        else:
            app.pass_on(connection)

    def _worker_exit(self, worker: WorkerProcess, returncode: int) -> None:
        self._post(lambda: self._route_exit(worker, returncode))

    def _route(self, worker: WorkerProcess, event: Event) -> None:
        app = self._apps.get(worker.app_id)
        if app is not None:
            app.handle(worker, event)

    def _route_exit(self, worker: WorkerProcess, returncode: int) -> None:
        app = self._apps.get(worker.app_id)
        if app is None:
            self._pool.discard(worker)
        else:
            app.exited(worker, returncode)

    def _files_changed(self, app_id: str) -> None:
        app = self._apps.get(app_id)
        if app is not None:
            self._post(app.lifecycle.files_changed)

    def _control_loop(self) -> None:
        while True:
            deadlines = [
                d for app in self._apps.values() if (d := app.lifecycle.next_deadline()) is not None
            ]
            wait = max(min(deadlines) - time.monotonic(), 0.0) if deadlines else None
            try:
                task = self._inbox.get(timeout=wait)
            except queue.Empty:
                task = _idle
            if task is None:
                return
            try:
                task()
                for app in self._apps.values():
                    deadline = app.lifecycle.next_deadline()
                    if deadline is not None and deadline <= time.monotonic():
                        app.lifecycle.tick()
            except Exception:  # a bug in one handler must not stop every app
                traceback.print_exc(file=sys.stderr)


def _idle() -> None:
    """Nothing arrived before the next deadline; the loop's tick does the work."""


def _bind(port: int, next_free_port: bool) -> socket.socket:
    """Bind a loopback listening socket, shared by every worker an app will ever have."""
    attempts = 100 if next_free_port and port else 1
    stop = min(port + attempts, MAX_PORT + 1)
    for candidate in range(port, stop):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, candidate))
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE and next_free_port:
                continue
            if error.errno == errno.EADDRINUSE:
                raise SupervisorError(
                    f"port {candidate} on {HOST} is already in use; choose another with "
                    "--port, or leave --port out to use free ports"
                ) from None
            raise SupervisorError(
                f"cannot listen on {HOST}:{candidate}: {error.strerror}"
            ) from None
        listener.listen(LISTEN_BACKLOG)
        listener.setblocking(False)
        return listener
    raise SupervisorError(f"no free port on {HOST} from {port} to {stop - 1}")


__all__ = [
    "AppInfo",
    "AppState",
    "ManagedApp",
    "Supervisor",
    "SupervisorError",
    "app_id_for",
    "initial_watch_set",
]
