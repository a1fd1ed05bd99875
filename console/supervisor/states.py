"""The life of one managed app, as a state machine with no I/O.

The machine decides *what* should happen (start a worker, retire one, let one serve, answer
503 on the port, wait, give up) and leaves *how* to a :class:`WorkerControl` it is given;
time comes from an injected clock. So every rule here is tested with a fake clock and a fake
control, and the real manager only wires processes to it:

* the zero-downtime switch: new code loads while the old serves; once loaded, the old
  worker is asked to stop accepting (handing its kept-alive connections over) and the new
  one goes live when the old confirms, or after ``handoff_timeout``;
* a load error keeps the old version serving;
* crashes restart with a growing backoff, and a crash loop waits for a file change;
* loading past ``load_timeout`` is a load error;
* a port never goes dark: whenever no version can serve (nothing serving and nothing
  loading, or a first load taking longer than ``hold_while_loading``), the port answers
  503 with the reason; it stops just before a worker goes live, so nothing waits in the
  listening socket's backlog to be replayed later.

Workers are named by a generation number, increasing per app: the one serving is
``serving``, the one loading new code is ``loading``, a loaded one waiting for the old to
stop accepting is ``switching``. A worker that answers after being superseded is ignored,
so late messages from old generations cannot confuse the state.

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
    """What the UI shows about an app.

    ``serving`` is the generation answering requests; ``unavailable`` is the reason the
    port answers 503, while it does.
    """

    state: AppState
    serving: int | None
    loading: int | None
    detail: str = ""
    switching: int | None = None
    unavailable: str | None = None


@dataclass(frozen=True)
class RestartPolicy:
    """Timing rules; the defaults suit a developer's machine.

    ``hold_while_loading``: how long connections wait in the backlog for an app that has no
    version serving yet (its first load, a fix after a load error) before the port answers
    503 "still loading" instead. ``handoff_timeout``: how long new code waits for the old
    worker to confirm it stopped accepting before it goes live anyway.
    """

    load_timeout: float = 10.0
    backoff_initial: float = 0.25
    backoff_max: float = 8.0
    crash_loop_limit: int = 5
    stable_after: float = 10.0
    hold_while_loading: float = 2.0
    handoff_timeout: float = 1.0

    def backoff(self, consecutive_crashes: int) -> float:
        delay = self.backoff_initial * 2 ** max(consecutive_crashes - 1, 0)
        return float(min(delay, self.backoff_max))


STILL_LOADING = "the app is still loading (its code has not finished importing)"


class WorkerControl(Protocol):
    """What the machine asks of the outside world."""

    def start_worker(self, generation: int) -> None:
        """Start a worker that loads the app's current code; it reports back by generation."""

    def stop_worker(self, generation: int, *, graceful: bool, hand_off: bool = False) -> None:
        """Graceful: stop accepting, finish in-flight requests, exit; with ``hand_off``, give
        kept-alive connections to the successor. Otherwise kill it."""

    def go_live(self, generation: int) -> None:
        """Let a loaded worker accept connections: it now serves the app."""

    def answer_unavailable(self, reason: str | None) -> None:
        """Answer every connection on the port with 503 and ``reason``; None: stop, at once
        (before returning), so a worker going live next is the only one accepting."""

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
        self._load_started = 0.0
        self._load_deadline: float | None = None
        self._switching: int | None = None
        self._switch_deadline: float | None = None
        self._restart_at: float | None = None
        self._unavailable: str | None = None
        self._last_generation = 0
        self._consecutive_crashes = 0
        self._has_served = False
        self._shown: tuple[AppState, str, int | None] | None = None

    @property
    def status(self) -> AppStatus:
        return AppStatus(
            self._state,
            self._serving,
            self._loading,
            self._detail,
            self._switching,
            self._unavailable,
        )

    @property
    def starting_up(self) -> bool:
        """Loading, and no version has served yet: the user is waiting for this one."""
        return self._loading is not None and not self._has_served

    def next_deadline(self) -> float | None:
        """When :meth:`tick` next has work to do, if ever."""
        deadlines = [
            t
            for t in (
                self._load_deadline,
                self._restart_at,
                self._switch_deadline,
                self._hold_deadline(),
            )
            if t is not None
        ]
        return min(deadlines) if deadlines else None

    # --- inputs -----------------------------------------------------------------------------

    def start(self) -> None:
        if self._state is AppState.STOPPED and self._last_generation == 0:
            self._launch("loading")

    def files_changed(self) -> None:
        """A watched file changed (or the user asked for a reload): load the code again.

        A change also ends a crash loop: the new code deserves a fresh start. A worker
        still loading older code is dropped; one already loaded and switching in is not
        (it is newer than what serves, and the next load replaces it in turn).
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
        """The worker loaded the code and waits to be let in."""
        if generation != self._loading:
            return
        self._loading = None
        self._load_deadline = None
        if self._switching is not None:  # superseded before it ever served
            self._control.stop_worker(self._switching, graceful=False)
            self._switching = generation
        elif self._serving is None:
            self._go_live(generation)
        else:
            self._switching = generation
            self._switch_deadline = self._clock() + self._policy.handoff_timeout
            self._control.stop_worker(self._serving, graceful=True, hand_off=True)

    def stopped_accepting(self, generation: int) -> None:
        """A retiring worker confirmed that no new connection can reach it."""
        if generation != self._serving:
            return
        if self._switching is not None:
            self._go_live(self._switching)
        elif self._state is not AppState.STOPPED:
            self._serving = None  # its successor died before it could serve
            self._update_port()

    def load_failed(self, generation: int, message: str) -> None:
        """The new code did not load; whatever served before keeps serving."""
        if generation == self._switching:
            self._switching = self._switch_deadline = None
        elif generation == self._loading:
            self._loading = self._load_deadline = None
        else:
            return
        self._control.stop_worker(generation, graceful=False)
        self._transition(AppState.LOAD_ERROR, message)

    def worker_exited(self, generation: int, description: str) -> None:
        """A worker ended without being asked to (asked-for exits are never reported here)."""
        if generation in (self._loading, self._switching):
            self.load_failed(generation, f"worker exited while loading: {description}")
        elif generation == self._serving:
            self._serving = None
            if self._switching is not None:
                self._go_live(self._switching)
            else:
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
        switch = self._switch_deadline
        if switch is not None and now >= switch and self._switching is not None:
            self._go_live(self._switching)
        self._update_port()

    def stop(self) -> None:
        if self._state is AppState.STOPPED:
            return
        self._load_deadline = self._restart_at = self._switch_deadline = None
        for generation in (self._loading, self._switching):
            if generation is not None:
                self._control.stop_worker(generation, graceful=False)
        if self._serving is not None:
            self._control.stop_worker(self._serving, graceful=True)
        self._serving = self._loading = self._switching = None
        self._transition(AppState.STOPPED, "")

    # --- internals ----------------------------------------------------------------------------

    def _launch(self, why: str) -> None:
        self._last_generation += 1
        self._loading = self._last_generation
        self._load_started = self._clock()
        self._load_deadline = self._load_started + self._policy.load_timeout
        live = self._serving is not None or self._switching is not None
        self._transition(AppState.RELOADING if live else AppState.STARTING, why)
        self._control.start_worker(self._loading)

    def _go_live(self, generation: int) -> None:
        self._switching = self._switch_deadline = None
        self._serving = generation
        self._serving_since = self._clock()
        self._has_served = True
        self._update_port()  # the port stops answering 503 before the worker accepts
        self._control.go_live(generation)
        if self._loading is not None:
            self._transition(AppState.RELOADING, "files changed")
        else:
            self._transition(AppState.RUNNING, "")

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

    def _hold_deadline(self) -> float | None:
        """When a load with nothing else serving stops holding connections in the backlog."""
        if self._loading is None or self._serving is not None or self._switching is not None:
            return None
        if self._unavailable is not None:
            return None
        return self._load_started + self._policy.hold_while_loading

    def _update_port(self) -> None:
        """Answer 503 on the port exactly while no version can serve."""
        reason: str | None = None
        nothing_serves = self._serving is None and self._switching is None
        if self._state is not AppState.STOPPED and nothing_serves:
            if self._loading is None:
                reason = self._detail or self._state.value
            elif self._clock() >= self._load_started + self._policy.hold_while_loading:
                reason = STILL_LOADING
        if reason != self._unavailable:
            self._unavailable = reason
            self._control.answer_unavailable(reason)

    def _transition(self, state: AppState, detail: str) -> None:
        self._state, self._detail = state, detail
        self._update_port()
        shown = (state, detail, self._serving)
        if shown != self._shown:  # a second load during a reload changes nothing to show
            self._shown = shown
            self._control.state_changed(self.status)


__all__ = [
    "STILL_LOADING",
    "AppLifecycle",
    "AppState",
    "AppStatus",
    "RestartPolicy",
    "WorkerControl",
]
