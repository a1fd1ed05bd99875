"""The app lifecycle as a pure state machine: a fake clock, and a control that records."""

from __future__ import annotations

import pytest

from console.supervisor.states import (
    STILL_LOADING,
    AppLifecycle,
    AppState,
    AppStatus,
    RestartPolicy,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingControl:
    """Stands in for real processes and the port: remembers what the machine asked for."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.stopped: list[tuple[int, bool]] = []
        self.handed_off: list[int] = []
        self.live: list[int] = []
        self.port: list[str | None] = []
        self.statuses: list[AppStatus] = []
        self.calls: list[str] = []

    def start_worker(self, generation: int) -> None:
        self.started.append(generation)

    def stop_worker(self, generation: int, *, graceful: bool, hand_off: bool = False) -> None:
        self.stopped.append((generation, graceful))
        if hand_off:
            self.handed_off.append(generation)

    def go_live(self, generation: int) -> None:
        self.live.append(generation)
        self.calls.append(f"go_live {generation}")

    def answer_unavailable(self, reason: str | None) -> None:
        self.port.append(reason)
        self.calls.append("503" if reason else "release")

    def state_changed(self, status: AppStatus) -> None:
        self.statuses.append(status)

    @property
    def states(self) -> list[AppState]:
        return [status.state for status in self.statuses]

    @property
    def answering(self) -> str | None:
        """What the port answers now: a 503 reason, or None while a worker may accept."""
        return self.port[-1] if self.port else None


POLICY = RestartPolicy(
    load_timeout=5.0,
    backoff_initial=0.5,
    backoff_max=4.0,
    crash_loop_limit=3,
    stable_after=10,
    hold_while_loading=1.0,
    handoff_timeout=0.5,
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def control() -> RecordingControl:
    return RecordingControl()


@pytest.fixture
def app(clock: FakeClock, control: RecordingControl) -> AppLifecycle:
    return AppLifecycle(control, clock, POLICY)


def running(app: AppLifecycle) -> AppLifecycle:
    app.start()
    app.worker_ready(1)
    return app


def reloaded(app: AppLifecycle, generation: int) -> None:
    """The new code loaded, and the old worker confirmed it stopped accepting."""
    serving = app.status.serving
    app.worker_ready(generation)
    assert serving is not None
    app.stopped_accepting(serving)


def test_start_then_ready_is_running(app: AppLifecycle, control: RecordingControl) -> None:
    app.start()
    assert control.started == [1]
    assert app.status == AppStatus(AppState.STARTING, serving=None, loading=1, detail="loading")
    app.worker_ready(1)
    assert app.status.state is AppState.RUNNING
    assert app.status.serving == 1
    assert control.live == [1]
    assert control.states == [AppState.STARTING, AppState.RUNNING]
    assert control.port == [], "the port never answered 503"


def test_a_reload_goes_live_once_the_old_worker_stopped_accepting(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    assert app.status.state is AppState.RELOADING
    assert app.status.serving == 1 and app.status.loading == 2
    assert control.stopped == []
    app.worker_ready(2)
    assert control.stopped == [(1, True)] and control.handed_off == [1]
    assert app.status.switching == 2 and app.status.serving == 1
    assert control.live == [1], "not before the old worker stopped accepting"
    app.stopped_accepting(1)
    assert app.status.state is AppState.RUNNING and app.status.serving == 2
    assert control.live == [1, 2]


def test_a_reload_goes_live_after_the_handoff_timeout_if_the_old_worker_never_confirms(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.worker_ready(2)
    assert app.next_deadline() == clock.now + 0.5
    clock.advance(0.5)
    app.tick()
    assert control.live == [1, 2] and app.status.state is AppState.RUNNING
    app.stopped_accepting(1)
    assert control.live == [1, 2], "a late confirmation changes nothing"


def test_new_code_loaded_during_a_switch_replaces_the_code_switching_in(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.worker_ready(2)
    app.files_changed()
    assert control.stopped == [(1, True)], "what switches in is newer than what serves: kept"
    app.worker_ready(3)
    assert control.stopped == [(1, True), (2, False)]
    app.stopped_accepting(1)
    assert control.live == [1, 3] and app.status.serving == 3


def test_a_change_while_switching_in_goes_live_and_keeps_reloading(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.worker_ready(2)
    app.files_changed()
    app.stopped_accepting(1)
    assert control.live == [1, 2]
    assert app.status.state is AppState.RELOADING and app.status.loading == 3
    reloaded(app, 3)
    assert control.live == [1, 2, 3] and app.status.state is AppState.RUNNING


def test_load_error_keeps_the_old_worker_serving(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.load_failed(2, "SyntaxError: invalid syntax")
    assert app.status == AppStatus(AppState.LOAD_ERROR, 1, None, "SyntaxError: invalid syntax")
    assert control.stopped == [(2, False)]
    assert control.port == [], "the old version serves: no 503"
    app.files_changed()
    reloaded(app, 3)
    assert app.status.state is AppState.RUNNING and app.status.serving == 3
    assert control.stopped[-1] == (1, True)


def test_load_error_at_first_start_answers_503_and_waits_for_a_change(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    app.start()
    app.load_failed(1, "ImportError: no module named nope")
    assert app.status.state is AppState.LOAD_ERROR and app.status.serving is None
    assert control.answering == "ImportError: no module named nope"
    assert app.status.unavailable == control.answering
    clock.advance(60)
    app.tick()
    assert control.started == [1]
    assert app.next_deadline() is None


def test_the_503_stops_before_the_fixed_code_goes_live(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    app.start()
    app.load_failed(1, "SyntaxError: invalid syntax")
    app.files_changed()
    assert control.answering is None, "connections wait for the fix while it loads"
    app.worker_ready(2)
    assert control.calls == ["503", "release", "go_live 2"]


def test_a_first_load_that_takes_long_answers_503_until_it_is_done(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    app.start()
    assert app.next_deadline() == clock.now + 1.0, "connections wait this long"
    clock.advance(1.0)
    app.tick()
    assert control.answering == STILL_LOADING
    clock.advance(4.0)
    app.tick()
    assert app.status.state is AppState.LOAD_ERROR
    assert control.answering == "loading did not finish within 5 s"


def test_a_change_while_loading_supersedes_the_loading_worker(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.files_changed()
    assert control.started == [1, 2, 3]
    assert control.stopped == [(2, False)]
    app.worker_ready(2)
    assert app.status.serving == 1, "a superseded worker's late ready is ignored"
    reloaded(app, 3)
    assert app.status.serving == 3


def test_loading_past_the_timeout_is_a_load_error(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    running(app).files_changed()
    assert app.next_deadline() == clock.now + 5.0
    clock.advance(4.9)
    app.tick()
    assert app.status.state is AppState.RELOADING
    clock.advance(0.2)
    app.tick()
    assert app.status.state is AppState.LOAD_ERROR
    assert app.status.detail == "loading did not finish within 5 s"
    assert app.status.serving == 1
    assert control.stopped == [(2, False)]


def test_a_worker_dying_while_loading_is_a_load_error(app: AppLifecycle) -> None:
    app.start()
    app.worker_exited(1, "exit status 3")
    assert app.status.state is AppState.LOAD_ERROR
    assert app.status.detail == "worker exited while loading: exit status 3"


def test_crash_restarts_with_growing_backoff_then_stops_in_a_loop(
    app: AppLifecycle, clock: FakeClock, control: RecordingControl
) -> None:
    running(app)
    delays = []
    for generation in (1, 2):
        app.worker_exited(generation, "killed by SIGKILL")
        assert app.status.state is AppState.CRASHED
        assert control.answering == app.status.detail, "503 while waiting to restart"
        deadline = app.next_deadline()
        assert deadline is not None
        delays.append(deadline - clock.now)
        clock.advance(delays[-1] - 0.01)
        app.tick()
        assert control.started[-1] == generation, "no restart before the backoff"
        clock.advance(0.01)
        app.tick()
        assert control.started[-1] == generation + 1
        app.worker_ready(generation + 1)
        assert control.answering is None
    assert delays == [0.5, 1.0]
    app.worker_exited(3, "killed by SIGKILL")
    assert app.status.state is AppState.CRASHED
    assert "not restarting until a file changes" in app.status.detail
    assert control.answering == app.status.detail
    assert app.next_deadline() is None
    app.files_changed()
    assert control.started[-1] == 4
    assert app.status.state is AppState.STARTING


def test_a_crash_after_a_stable_run_starts_the_backoff_over(
    app: AppLifecycle, clock: FakeClock
) -> None:
    running(app)
    app.worker_exited(1, "boom")
    clock.advance(0.5)
    app.tick()
    app.worker_ready(2)
    clock.advance(30)
    app.worker_exited(2, "boom")
    assert app.next_deadline() == clock.now + 0.5


def test_exits_of_retired_or_unknown_workers_are_ignored(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    reloaded(app, 2)
    app.worker_exited(1, "exit status 0")
    app.worker_exited(99, "exit status 0")
    assert app.status.state is AppState.RUNNING and app.status.serving == 2


def test_the_serving_worker_crashing_during_a_reload_waits_for_the_new_code(
    app: AppLifecycle,
) -> None:
    running(app).files_changed()
    app.worker_exited(1, "killed by SIGSEGV")
    assert app.status.state is AppState.STARTING
    app.worker_ready(2)
    assert app.status.state is AppState.RUNNING


def test_the_old_worker_crashing_during_the_switch_lets_the_new_one_in(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.worker_ready(2)
    app.worker_exited(1, "killed by SIGSEGV")
    assert control.live == [1, 2] and app.status.state is AppState.RUNNING


def test_stop_kills_the_loader_and_drains_the_server(
    app: AppLifecycle, control: RecordingControl
) -> None:
    running(app).files_changed()
    app.stop()
    assert sorted(control.stopped) == [(1, True), (2, False)]
    assert app.status == AppStatus(AppState.STOPPED, None, None, "")
    app.files_changed()
    app.worker_ready(2)
    assert app.status.state is AppState.STOPPED
    assert control.started == [1, 2]


def test_stop_releases_a_port_answering_503(app: AppLifecycle, control: RecordingControl) -> None:
    app.start()
    app.load_failed(1, "boom")
    app.stop()
    assert control.port == ["boom", None]
