"""One target as the supervisor runs it: its port, its lifecycle, its workers.

A :class:`ManagedApp` is the :class:`WorkerControl` of its :class:`AppLifecycle`: the state
machine decides, and this carries the decisions out on real workers, the listening socket
and the 503 responder, and turns what happened into events for the listener. It keeps no
state of its own beyond which process is which generation; every rule lives in states.py.
Used on the supervisor's control thread only.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from console.masking import mask_secrets_in_text
from console.protocol import (
    Draining,
    Event,
    LoadError,
    Ready,
    RequestsCut,
    RouteInfo,
    RoutesChanged,
    StateChanged,
    Stopping,
    Unavailable,
    WorkerExited,
    diff_routes,
)
from console.supervisor.ports import HOST
from console.supervisor.process import WorkerProcess, describe_exit
from console.supervisor.states import AppLifecycle, AppState, AppStatus
from console.supervisor.unavailable import UnavailablePage
from console.supervisor.watch_sets import (
    WatchSet,
    after_load_error,
    initial_watch_set,
    ready_watch_set,
)

if TYPE_CHECKING:
    from console.supervisor.manager import Supervisor

#: Events from a retiring worker that listeners see as they come.
_PASSED_ON = (Draining, RequestsCut, Stopping)


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


class ManagedApp:
    """One target: its socket, its lifecycle, its workers."""

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
        self._last_problem: LoadError | WorkerExited | None = None
        self.lifecycle = AppLifecycle(self, time.monotonic, supervisor.policy)
        self.info = AppInfo(app_id, target, HOST, self.port, self.lifecycle.status, None)
        self.last_watch_set = initial_watch_set(target, supervisor.cwd)

    @property
    def workers(self) -> list[WorkerProcess]:
        """Every worker of this app still alive or on its way out."""
        return [*self._workers.values(), *self._retiring]

    @property
    def title(self) -> str:
        """What its workers are called in ``ps``."""
        return f"hookscope worker {self.target} :{self.port}"

    # --- WorkerControl ---------------------------------------------------------------------

    def start_worker(self, generation: int) -> None:
        worker = self._supervisor.take_worker()
        worker.assign(self.app_id, generation)
        self._workers[generation] = worker
        self._last_problem = None  # the new code has its own fate
        command = self._supervisor.load_command(self.app_id, self.target, self.title)
        worker.load(command, self.listener)

    def stop_worker(self, generation: int, *, graceful: bool, hand_off: bool = False) -> None:
        worker = self._workers.pop(generation, None)
        if worker is None:
            return
        self._retiring.add(worker)
        if graceful:
            worker.stop(self._supervisor.retiring_grace(), hand_off=hand_off)
        else:
            worker.kill()

    def go_live(self, generation: int) -> None:
        worker = self._workers[generation]
        worker.serve()
        ready = worker.ready
        if ready is None:
            return
        previous_routes, self.routes = self.routes, ready.routes
        self._supervisor.emit(ready)
        if previous_routes is not None:
            diff = diff_routes(previous_routes, ready.routes)
            if diff:
                self._supervisor.emit(
                    RoutesChanged(self.app_id, diff.added, diff.removed, diff.changed, ready.routes)
                )
        self._watch(ready_watch_set(ready))
        self._supervisor.refill_spares()

    def answer_unavailable(self, reason: str | None) -> None:
        responder = self._supervisor.responder
        if reason is None:
            responder.release(self.listener)
            return
        responder.answer(self.listener, UnavailablePage(self.app_id, reason, self._details()))
        self._supervisor.emit(Unavailable(self.app_id, self.port, reason))

    def state_changed(self, status: AppStatus) -> None:
        if status.state is AppState.LOAD_ERROR and not isinstance(self._last_problem, LoadError):
            # a timeout or a worker dying mid-import: no worker said why, so say it here
            self._last_problem = LoadError(self.app_id, "LoadFailed", status.detail)
            self._supervisor.emit(self._last_problem)
            self._watch(after_load_error(self.last_watch_set))
        serving = self._worker(status.serving)
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
        if isinstance(event, _PASSED_ON):
            self._supervisor.emit(event)
            if isinstance(event, Draining):
                self.lifecycle.stopped_accepting(worker.generation)
            return
        if self._workers.get(worker.generation) is not worker:
            return
        if isinstance(event, Ready):
            worker.ready = event
            self.lifecycle.worker_ready(worker.generation)
        elif isinstance(event, LoadError):
            self._supervisor.emit(event)
            self._watch(after_load_error(self.last_watch_set, event))
            self._last_problem = event
            self.lifecycle.load_failed(worker.generation, event.message or event.exc_type)
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
        if worker in self._retiring:
            self._retiring.discard(worker)
            return
        if self._workers.get(worker.generation) is not worker:
            return
        del self._workers[worker.generation]
        description = describe_exit(returncode)
        if not worker.stop_requested:
            exit_event = WorkerExited(
                self.app_id, worker.pid, returncode, description, worker.last_output
            )
            self._last_problem = exit_event
            self._supervisor.emit(exit_event)
        self.lifecycle.worker_exited(worker.generation, description)
        self._supervisor.refill_spares()

    # --- internals ---------------------------------------------------------------------------

    def _worker(self, generation: int | None) -> WorkerProcess | None:
        """The worker of ``generation``, even one retiring (the old one serves until the
        switch is done)."""
        for worker in self.workers:
            if worker.generation == generation:
                return worker
        return None

    def _watch(self, watch_set: WatchSet) -> None:
        self.last_watch_set = watch_set
        self._supervisor.watch(self.app_id, watch_set)

    def _details(self) -> str:
        """What the 503 page shows under the reason: the traceback, or the last output."""
        problem = self._last_problem
        if isinstance(problem, LoadError):
            text = problem.traceback
        elif isinstance(problem, WorkerExited):
            text = problem.last_output
        else:
            text = ""
        return mask_secrets_in_text(text) if self._supervisor.mask_secrets else text


__all__ = ["AppInfo", "ManagedApp"]
