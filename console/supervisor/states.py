"""The life of one managed app, as a state machine with no I/O.

The machine decides *what* should happen (start a worker, retire one, wait, give up) and
leaves *how* to a :class:`WorkerControl` it is given; time comes from an injected clock.
So every rule here — zero-downtime switch, load errors that keep the old version serving,
crash backoff, crash loops that wait for a file change, load timeouts — is tested with a
fake clock and a fake control, and the real manager only wires processes to it.

Workers are named by a generation number, increasing per app: the one serving is
``serving``, the one loading new code is ``loading``. A worker that answers after being
superseded is ignored, so late messages from old generations cannot confuse the state.

Not thread-safe: the manager calls it from one thread.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class AppState(enum.StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RELOADING = "reloading"
    LOAD_ERROR = "load_error"
    CRASHED = "crashed"
    STOPPED = "stopped"


@dataclass(frozen=True)
class AppStatus:
    """What the UI shows about an app; ``serving`` is the generation answering requests."""

    state: AppState
    serving: int | None
    loading: int | None
    detail: str = ""


@dataclass(frozen=True)
class RestartPolicy:
    """Timing rules; the defaults suit a developer's machine."""

    load_timeout: float = 10.0
    backoff_initial: float = 0.25
    backoff_max: float = 8.0
    crash_loop_limit: int = 5
    stable_after: float = 10.0

    def backoff(self, consecutive_crashes: int) -> float:
        delay = self.backoff_initial * 2 ** max(consecutive_crashes - 1, 0)
        return float(min(delay, self.backoff_max))


class WorkerControl(Protocol):
    """What the machine asks of the outside world."""

    def start_worker(self, generation: int) -> None:
        """Start a worker that loads the app's current code; it reports back by generation."""

    def stop_worker(self, generation: int, *, graceful: bool) -> None:
        """Graceful: stop accepting, finish in-flight requests, exit. Otherwise kill it."""

    def state_changed(self, status: AppStatus) -> None:
        """The status changed; called after every transition."""


class AppLifecycle:
    """starting → running → reloading → running, and load_error / crashed, for one app."""

    def __init__(
        self,
        control: WorkerControl,
        clock: Callable[[], float],
        policy: RestartPolicy | None = None,
    ) -> None:
        self._control = control
        self._clock = clock
        self._policy = policy or RestartPolicy()
        self._state = AppState.STOPPED
        self._detail = ""
        self._serving: int | None = None
        self._serving_since = 0.0
        self._loading: int | None = None
        self._load_deadline: float | None = None
        self._restart_at: float | None = None
        self._last_generation = 0
        self._consecutive_crashes = 0

    @property
    def status(self) -> AppStatus:
        return AppStatus(self._state, self._serving, self._loading, self._detail)

    def next_deadline(self) -> float | None:
        """When :meth:`tick` next has work to do, if ever."""
        deadlines = [t for t in (self._load_deadline, self._restart_at) if t is not None]
        return min(deadlines) if deadlines else None

    # --- inputs -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._state is AppState.STOPPED and self._last_generation == 0:
            self._launch("loading")

    def files_changed(self) -> None:
        """A watched file changed (or the user asked for a reload): load the code again.

        A change also ends a crash loop: the new code deserves a fresh start.
        """
        if self._state is AppState.STOPPED:
            return
        self._consecutive_crashes = 0
        self._restart_at = None
        if self._loading is not None:
            self._control.stop_worker(self._loading, graceful=False)
            self._loading = None
        self._launch("files changed")

    def worker_ready(self, generation: int) -> None:
        if generation != self._loading:
            return
        previous = self._serving
        self._serving, self._loading = generation, None
        self._serving_since = self._clock()
        self._load_deadline = None
        self._transition(AppState.RUNNING, "")
        if previous is not None:
            self._control.stop_worker(previous, graceful=True)

    def load_failed(self, generation: int, message: str) -> None:
        """The new code did not load; whatever served before keeps serving."""
        if generation != self._loading:
            return
        self._loading = None
        self._load_deadline = None
        self._control.stop_worker(generation, graceful=False)
        self._transition(AppState.LOAD_ERROR, message)

    def worker_exited(self, generation: int, description: str) -> None:
        """A worker ended without being asked to (asked-for exits are never reported here)."""
        if generation == self._loading:
            self.load_failed(generation, f"worker exited while loading: {description}")
        elif generation == self._serving:
            self._serving = None
            self._crashed(description)

    def tick(self) -> None:
        now = self._clock()
        deadline = self._load_deadline
        if deadline is not None and now >= deadline and self._loading is not None:
            timeout = self._policy.load_timeout
            self.load_failed(self._loading, f"loading did not finish within {timeout:g} s")
        if self._restart_at is not None and now >= self._restart_at:
            self._restart_at = None
            self._launch("restarting after a crash")

    def stop(self) -> None:
        if self._state is AppState.STOPPED:
            return
        self._load_deadline = self._restart_at = None
        if self._loading is not None:
            self._control.stop_worker(self._loading, graceful=False)
        if self._serving is not None:
            self._control.stop_worker(self._serving, graceful=True)
        self._serving = self._loading = None
        self._transition(AppState.STOPPED, "")

    # --- internals ----------------------------------------------------------------------------

    def _launch(self, why: str) -> None:
        self._last_generation += 1
        self._loading = self._last_generation
        self._load_deadline = self._clock() + self._policy.load_timeout
        state = AppState.RELOADING if self._serving is not None else AppState.STARTING
        self._transition(state, why)
        self._control.start_worker(self._loading)

    def _crashed(self, description: str) -> None:
        if self._clock() - self._serving_since >= self._policy.stable_after:
            self._consecutive_crashes = 0
        self._consecutive_crashes += 1
        if self._loading is not None:
            self._transition(AppState.STARTING, f"crashed ({description}); new code is loading")
            return
        crashes = self._consecutive_crashes
        if crashes >= self._policy.crash_loop_limit:
            self._transition(
                AppState.CRASHED,
                f"{description}; crashed {crashes} times in a row, "
                "not restarting until a file changes",
            )
            return
        delay = self._policy.backoff(crashes)
        self._restart_at = self._clock() + delay
        self._transition(AppState.CRASHED, f"{description}; restarting in {delay:g} s")

    def _transition(self, state: AppState, detail: str) -> None:
        self._state, self._detail = state, detail
        self._control.state_changed(self.status)


__all__ = ["AppLifecycle", "AppState", "AppStatus", "RestartPolicy", "WorkerControl"]
