"""The supervisor with real worker processes on 127.0.0.1.

Every test copies the fixture apps from tests/console/apps into its own temporary directory
and edits only the copies.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from console.protocol import (
    Event,
    LoadError,
    Log,
    Ready,
    RoutesChanged,
    StateChanged,
    Trace,
    Unavailable,
    WorkerExited,
)
from console.supervisor import RestartPolicy, Supervisor, SupervisorError
from console.supervisor.manager import app_id_for
from console.supervisor.output import OutputCapture

APPS = Path(__file__).parent / "apps"
FAST = RestartPolicy(load_timeout=5.0, backoff_initial=0.1, backoff_max=0.5)


class EventLog:
    """Collects the supervisor's events and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = threading.Condition()

    def __call__(self, event: Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 15.0) -> Event:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = "\n".join(repr(e)[:300] for e in self.events[-15:])
                    raise AssertionError(f"no matching event within {timeout} s; last:\n{recent}")
                self._changed.wait(remaining)

    def of(self, kind: type[Event], app: str | None = None) -> list[Event]:
        with self._changed:
            return [e for e in self.events if isinstance(e, kind) and app in (None, e.app)]

    def forget(self) -> None:
        with self._changed:
            self.events.clear()


def is_state(app: str, state: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, StateChanged) and e.app == app and e.state == state


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> str:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return str(response.read().decode())


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def process_is_gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def worker_children(parent: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rpartition(")")[2].split()[1])
        named = cmdline.startswith(b"hookscope ")  # or not yet named
        if ppid == parent and (named or b"console.worker" in cmdline):
            children.append(int(entry.name))
    return children


@pytest.fixture
def apps(tmp_path: Path) -> Path:
    for name in ("greeter.py", "counter.py"):
        shutil.copy(APPS / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def supervisor(apps: Path, log: EventLog) -> Iterator[Supervisor]:
    with Supervisor(
        [str(apps / "greeter.py"), str(apps / "counter.py")],
        log,
        cwd=str(apps),
        policy=FAST,
        drain_grace=3.0,
    ) as running:
        log.wait_for(is_state("greeter", "running"))
        log.wait_for(is_state("counter", "running"))
        yield running


def url(supervisor: Supervisor, app: str, path: str = "/") -> str:
    return supervisor.app(app).url.rstrip("/") + path


def test_two_apps_serve_and_their_traces_carry_the_request_ids(
    supervisor: Supervisor, log: EventLog
) -> None:
    assert get(url(supervisor, "greeter", "/user/7"), {"X-Request-Id": "req-greeter"}) == "user 7"
    assert get(url(supervisor, "counter", "/count"), {"X-Request-Id": "req-counter"}) == "1"
    greeter = log.wait_for(lambda e: isinstance(e, Trace) and e.request_id == "req-greeter")
    counter = log.wait_for(lambda e: isinstance(e, Trace) and e.request_id == "req-counter")
    assert isinstance(greeter, Trace) and isinstance(counter, Trace)
    assert (greeter.app, counter.app) == ("greeter", "counter")
    assert greeter.trace["routing"]["endpoint"] == "user"
    assert [s["name"] for s in greeter.trace["steps"] if s["kind"] != "teardown_appcontext"][
        :3
    ] == ["announce", "user", "stamp"]
    printed = log.wait_for(lambda e: isinstance(e, Log) and e.stream == "stdout")
    assert isinstance(printed, Log) and printed.message == "greeter: GET /user/7"


def test_ready_describes_the_url_map(supervisor: Supervisor, log: EventLog) -> None:
    ready = log.wait_for(lambda e: isinstance(e, Ready) and e.app == "greeter")
    assert isinstance(ready, Ready)
    assert ready.host == "127.0.0.1" and ready.port == supervisor.app("greeter").port
    user = next(route for route in ready.routes if route.endpoint == "user")
    assert user.rule == "/user/<int:user_id>"
    assert user.converters[0].name == "user_id" and user.converters[0].converter == "int"
    assert user.view == "user" and user.file is not None and user.file.endswith("greeter.py")
    assert user.line == 30


def test_an_edit_is_served_on_the_same_port_with_no_failed_request(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    port = supervisor.app("greeter").port
    failures: list[str] = []
    answers: list[str] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            try:
                answers.append(get(url(supervisor, "greeter"), timeout=10))
            except (urllib.error.URLError, OSError) as error:
                failures.append(repr(error))

    in_flight: list[str] = []
    slow = threading.Thread(
        target=lambda: in_flight.append(get(url(supervisor, "greeter", "/slow?seconds=1.0")))
    )
    slow.start()
    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    rewrite(apps / "greeter.py", 'VERSION = "v1"', 'VERSION = "v2"')
    deadline = time.monotonic() + 15
    while not (answers and answers[-1] == "hello from v2") and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    stop.set()
    for thread in (*threads, slow):
        thread.join(timeout=15)
    assert failures == []
    assert answers[-1] == "hello from v2"
    assert in_flight == ["slow from v1"], "the old worker finished its request"
    assert supervisor.app("greeter").port == port
    assert log.of(StateChanged, "counter")[-1].state == "running", "the other app did not reload"
    assert len([e for e in log.of(StateChanged, "counter") if e.state == "reloading"]) == 0


def test_a_syntax_error_keeps_the_old_code_serving_until_fixed(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    source = apps / "greeter.py"
    good = source.read_text()
    source.write_text(good.replace('VERSION = "v1"', 'VERSION = "v1" +'))
    error = log.wait_for(lambda e: isinstance(e, LoadError))
    assert isinstance(error, LoadError)
    assert error.exc_type == "SyntaxError"
    assert error.file is not None and error.file.endswith("greeter.py") and error.line == 9
    assert "SyntaxError" in error.traceback
    state = log.wait_for(is_state("greeter", "load_error"))
    assert isinstance(state, StateChanged) and state.serving
    assert get(url(supervisor, "greeter")) == "hello from v1"

    source.write_text(good.replace('VERSION = "v1"', 'VERSION = "v3"'))
    log.wait_for(lambda e: is_state("greeter", "running")(e) and e.pid != state.pid)
    assert get(url(supervisor, "greeter")) == "hello from v3"


def test_a_reload_reports_the_route_diff(supervisor: Supervisor, log: EventLog, apps: Path) -> None:
    source = apps / "greeter.py"
    rewrite(source, '@app.route("/slow")', '@app.route("/slowly")')
    changed = log.wait_for(lambda e: isinstance(e, RoutesChanged))
    assert isinstance(changed, RoutesChanged)
    assert [r.rule for r in changed.added] == ["/slowly"]
    assert [r.rule for r in changed.removed] == ["/slow"]


def test_a_killed_worker_is_reported_and_restarted(supervisor: Supervisor, log: EventLog) -> None:
    running = log.of(StateChanged, "greeter")[-1]
    assert isinstance(running, StateChanged) and running.pid is not None
    os.kill(running.pid, signal.SIGKILL)
    exited = log.wait_for(lambda e: isinstance(e, WorkerExited))
    assert isinstance(exited, WorkerExited) and exited.description == "killed by SIGKILL"
    log.wait_for(is_state("greeter", "crashed"))
    log.wait_for(lambda e: is_state("greeter", "running")(e) and e.pid != running.pid)
    assert get(url(supervisor, "greeter")) == "hello from v1"


@pytest.mark.parametrize(("saves", "within", "most_reloads"), [(30, 1.0, 2), (100, 2.0, 3)])
def test_a_burst_of_saves_gives_few_reloads_and_the_last_save_wins(
    supervisor: Supervisor, log: EventLog, apps: Path, saves: int, within: float, most_reloads: int
) -> None:
    source = apps / "greeter.py"
    text = source.read_text()
    log.forget()
    started = time.monotonic()
    for version in range(1, saves + 1):
        source.write_text(text.replace('VERSION = "v1"', f'VERSION = "burst{version}"'))
        time.sleep(within / saves * 0.6)
    assert time.monotonic() - started < within
    deadline = time.monotonic() + 15
    while get(url(supervisor, "greeter")) != f"hello from burst{saves}":
        assert time.monotonic() < deadline, "the final content was never served"
        time.sleep(0.05)
    versions_served = log.of(Ready, "greeter")
    assert 1 <= len(versions_served) <= most_reloads


def test_a_flood_of_output_does_not_stall_the_app(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    source = apps / "greeter.py"
    source.write_text(
        source.read_text()
        + textwrap.dedent(
            """
            @app.route("/flood")
            def flood() -> str:
                print("x" * 50_000_000)
                for number in range(200_000):
                    print(number)
                return "flooded"
            """
        )
    )
    log.wait_for(lambda e: isinstance(e, RoutesChanged))
    started = time.monotonic()
    assert get(url(supervisor, "greeter", "/flood"), timeout=30) == "flooded"
    assert time.monotonic() - started < 10
    cut = log.wait_for(lambda e: isinstance(e, Log) and "more bytes not shown" in e.message)
    assert isinstance(cut, Log) and len(cut.message) < 10_000
    log.wait_for(lambda e: isinstance(e, Log) and e.stream == "hookscope")
    assert get(url(supervisor, "counter", "/count")) == "1"


def test_an_import_that_hangs_times_out_as_a_load_error(tmp_path: Path, log: EventLog) -> None:
    app = tmp_path / "hangs.py"
    app.write_text("import time\ntime.sleep(60)\n")
    policy = RestartPolicy(load_timeout=1.0)
    with Supervisor([str(app)], log, cwd=str(tmp_path), policy=policy):
        state = log.wait_for(is_state("hangs", "load_error"))
        assert isinstance(state, StateChanged)
        assert state.detail == "loading did not finish within 1 s"
        error = log.wait_for(lambda e: isinstance(e, LoadError))
        assert isinstance(error, LoadError)
        assert (error.exc_type, error.message) == ("LoadFailed", state.detail)


@pytest.mark.parametrize(
    ("source", "exc_type", "message"),
    [
        ("raise RuntimeError('boom at import')\n", "RuntimeError", "boom at import"),
        ("import sys\nsys.exit(3)\n", "SystemExit", "SystemExit"),
        ("import no_such_module_here\n", "ModuleNotFoundError", "no_such_module_here"),
        ("x = 1\n", "TargetError", "no app found"),
    ],
)
def test_an_app_that_cannot_load_is_reported_and_its_port_answers_503_at_once(
    tmp_path: Path, log: EventLog, source: str, exc_type: str, message: str
) -> None:
    app = tmp_path / "broken.py"
    app.write_text(source)
    with Supervisor([str(app)], log, cwd=str(tmp_path), policy=FAST) as supervisor:
        error = log.wait_for(lambda e: isinstance(e, LoadError))
        assert isinstance(error, LoadError)
        assert error.exc_type == exc_type
        assert message in error.message and "\n" not in error.message
        state = log.wait_for(is_state("broken", "load_error"))
        assert isinstance(state, StateChanged) and not state.serving
        unavailable = log.wait_for(lambda e: isinstance(e, Unavailable))
        assert isinstance(unavailable, Unavailable) and message in unavailable.reason
        status, body = answer(url(supervisor, "broken"))
        assert status == 503 and message in body
        assert all(line in body for line in error.traceback.splitlines()), "and the traceback"


def answer(address: str, timeout: float = 5.0) -> tuple[int, str]:
    """Status and body of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(address, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_a_missing_target_and_a_hanging_import_answer_503_instead_of_hanging(
    tmp_path: Path, log: EventLog
) -> None:
    (tmp_path / "hangs.py").write_text("import time\ntime.sleep(3600)\n")
    policy = RestartPolicy(load_timeout=4.0, hold_while_loading=0.5)
    targets = [str(tmp_path / "missing.py"), str(tmp_path / "hangs.py")]
    with Supervisor(targets, log, cwd=str(tmp_path), policy=policy) as supervisor:
        log.wait_for(is_state("missing", "load_error"))
        status, body = answer(url(supervisor, "missing"))
        assert status == 503 and "no such file or directory" in body
        log.wait_for(lambda e: isinstance(e, Unavailable) and e.app == "hangs")
        status, body = answer(url(supervisor, "hangs"))
        assert status == 503 and "still loading" in body
        log.wait_for(is_state("hangs", "load_error"))
        status, body = answer(url(supervisor, "hangs"))
        assert status == 503 and "loading did not finish within 4 s" in body


def test_a_crash_loop_answers_503_and_no_queued_request_reaches_the_fixed_code(
    tmp_path: Path, log: EventLog
) -> None:
    source = tmp_path / "doomed.py"
    source.write_text(
        "import os, threading\n"
        "from framework import App\n"
        "app = App(__name__)\n"
        "@app.route('/<path:anything>')\n"
        "def anything(anything):\n"
        "    return anything\n"
        "print('about to die')\n"
        "threading.Timer(0.4, os._exit, args=(7,)).start()  # dies soon after it starts\n"
    )
    policy = RestartPolicy(backoff_initial=0.05, backoff_max=0.2, crash_loop_limit=3)
    with Supervisor([str(source)], log, cwd=str(tmp_path), policy=policy) as supervisor:
        log.wait_for(lambda e: is_state("doomed", "crashed")(e) and "until" in e.detail)
        status, body = answer(url(supervisor, "doomed", "/given-up"))
        assert status == 503 and "crashed 3 times in a row" in body
        assert "about to die" in body, "the worker's last output"
        with socket.create_connection(("127.0.0.1", supervisor.app("doomed").port)) as gone:
            gone.sendall(b"GET /given-up-too HTTP/1.1\r\nHost: doomed\r\n\r\n")
        log.forget()
        source.write_text(source.read_text().replace("threading.Timer", "# threading.Timer"))
        log.wait_for(is_state("doomed", "running"))
        assert answer(url(supervisor, "doomed", "/fixed")) == (200, "fixed")
        log.wait_for(lambda e: isinstance(e, Trace) and e.trace["request"]["path"] == "/fixed")
    served = [e.trace["request"]["path"] for e in log.of(Trace, "doomed")]
    assert served == ["/fixed"], "what came while nothing could serve was answered then"
    assert not log.of(WorkerExited, "doomed"), "the fixed code never saw the old requests"


def test_stop_leaves_no_worker_behind(apps: Path, log: EventLog) -> None:
    with Supervisor([str(apps / "greeter.py")], log, cwd=str(apps)):
        log.wait_for(is_state("greeter", "running"))
        time.sleep(0.5)  # let the warm spare start too
        workers = worker_children(os.getpid())
        assert len(workers) >= 2
    assert worker_children(os.getpid()) == []
    assert all(process_is_gone(pid) for pid in workers)


SPAWNER = """\
import subprocess, sys
from pathlib import Path
from framework import App
app = App(__name__)
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
Path(__file__).with_name("child.pid").write_text(str(child.pid))
"""


def test_workers_leave_within_two_seconds_when_the_supervisor_is_killed(apps: Path) -> None:
    (apps / "spawner.py").write_text(SPAWNER)
    script = textwrap.dedent(
        f"""
        import sys, time
        from console.supervisor import Supervisor
        from console.protocol import StateChanged
        def listener(event):
            if isinstance(event, StateChanged) and event.state == "running":
                print("running", flush=True)
        with Supervisor([{str(apps / "spawner.py")!r}], listener):
            time.sleep(60)
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], cwd=apps, stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "running\n"
            time.sleep(0.5)
            workers = worker_children(child.pid)
            assert len(workers) >= 2, "the serving worker and the warm spare"
            workers.append(int((apps / "child.pid").read_text()))
        finally:
            child.kill()
            child.wait()
    killed_at = time.monotonic()
    while not all(process_is_gone(pid) for pid in workers):
        assert time.monotonic() - killed_at < 2.0, "workers outlived their supervisor"
        time.sleep(0.05)


def test_a_taken_port_is_a_clear_error_or_the_next_free_one(apps: Path, log: EventLog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SupervisorError, match=f"port {port} on 127.0.0.1 is already in use"):
            Supervisor([str(apps / "greeter.py")], log, port=port)
        chosen = Supervisor([str(apps / "greeter.py")], log, port=port, next_free_port=True)
        try:
            assert chosen.app("greeter").port > port
        finally:
            chosen.stop()


def test_bad_arguments_are_one_line_errors(apps: Path, log: EventLog) -> None:
    with pytest.raises(SupervisorError, match="no target given"):
        Supervisor([], log)
    supervisor = Supervisor([str(apps / "greeter.py")], log)
    try:
        with pytest.raises(SupervisorError, match="no app named 'nope'"):
            supervisor.reload("nope")
    finally:
        supervisor.stop()


@pytest.mark.parametrize(
    ("target", "app_id"),
    [
        ("demo_apps/hook_order.py", "hook_order"),
        ("demo_apps/login/", "login"),
        ("demo_apps/login/__init__.py", "login"),
        ("pkg.module:create_app('dev')", "module"),
        ("app", "app"),
    ],
)
def test_app_ids_come_from_the_target(target: str, app_id: str) -> None:
    assert app_id_for(target) == app_id


def test_a_deleted_or_replaced_app_file_is_a_load_error_and_the_old_code_serves(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    source = apps / "greeter.py"
    source.unlink()
    error = log.wait_for(lambda e: isinstance(e, LoadError))
    assert isinstance(error, LoadError) and "no such file" in error.message
    assert get(url(supervisor, "greeter")) == "hello from v1"
    log.forget()
    source.mkdir()
    error = log.wait_for(lambda e: isinstance(e, LoadError))
    assert isinstance(error, LoadError) and "not a package" in error.message
    assert get(url(supervisor, "greeter")) == "hello from v1"
    source.rmdir()
    shutil.copy(APPS / "greeter.py", source)
    rewrite(source, 'VERSION = "v1"', 'VERSION = "back"')
    log.wait_for(
        lambda e: is_state("greeter", "running")(e) and "back" in get(url(supervisor, "greeter"))
    )


def test_workers_listen_on_loopback_only(supervisor: Supervisor) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks a route
        except OSError:
            pytest.skip("no network interface besides loopback")
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.skip("no network interface besides loopback")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, supervisor.app("greeter").port), timeout=5).close()


# --- printed output -----------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_output_becomes_lines_and_a_flood_is_cut_and_summarised() -> None:
    clock = FakeClock()
    lines: list[Log] = []
    capture = OutputCapture("stdout", lines.append, clock=clock, app=lambda: "demo")
    capture.feed(b"hello\nwor")
    capture.feed(b"ld\n")
    assert [line.message for line in lines] == ["hello", "world"]
    capture.feed(b"y" * 100_000 + b"\n")
    assert lines[-1].message.endswith("… [91808 more bytes not shown]")
    lines.clear()
    capture.feed(b"spam\n" * 100_000)
    notes = [line.message for line in lines if line.stream == "hookscope"]
    assert notes == ["stdout is arriving too fast; dropping lines until it slows"]
    shown = len(lines) - 1
    clock.now += 10
    capture.feed(b"calm again\n")
    dropped = 100_000 - shown
    assert lines[-2].message == f"{dropped} lines ({dropped * 4} bytes) of stdout were not shown"
    assert lines[-1].message == "calm again"
    assert list(capture.tail)[-1] == "calm again"


def test_a_crash_loop_stops_restarting_until_a_file_changes(tmp_path: Path, log: EventLog) -> None:
    source = tmp_path / "doomed.py"
    source.write_text(
        "import os, threading\n"
        "from framework import App\n"
        "app = App(__name__)\n"
        "threading.Timer(0.4, os._exit, args=(7,)).start()  # dies soon after it starts\n"
    )
    policy = RestartPolicy(backoff_initial=0.05, backoff_max=0.2, crash_loop_limit=3)
    with Supervisor([str(source)], log, cwd=str(tmp_path), policy=policy):
        given_up = log.wait_for(
            lambda e: is_state("doomed", "crashed")(e) and "until a file changes" in e.detail
        )
        assert isinstance(given_up, StateChanged)
        assert given_up.detail.startswith("exit status 7; crashed 3 times in a row")
        exits = log.of(WorkerExited, "doomed")
        assert len(exits) == 3 and all(e.returncode == 7 for e in exits)
        time.sleep(1.0)
        assert len(log.of(WorkerExited, "doomed")) == 3, "no restart while the loop lasts"
        source.write_text(source.read_text().replace("threading.Timer", "# threading.Timer"))
        log.wait_for(lambda e: is_state("doomed", "running")(e) and e.pid != given_up.pid)


def test_a_hung_request_times_out_for_its_client_and_stop_still_ends_the_worker(
    tmp_path: Path, log: EventLog
) -> None:
    source = tmp_path / "stuck.py"
    source.write_text(
        "import time\n"
        "from framework import App\n"
        "app = App(__name__)\n"
        "@app.before_request\n"
        "def hang():\n"
        "    time.sleep(3600)\n"
    )
    shutil.copy(APPS / "counter.py", tmp_path / "counter.py")
    targets = [str(source), str(tmp_path / "counter.py")]
    supervisor = Supervisor(targets, log, cwd=str(tmp_path), drain_grace=1.0)
    with supervisor:
        log.wait_for(is_state("stuck", "running"))
        log.wait_for(is_state("counter", "running"))
        with pytest.raises(OSError, match="timed out"):
            get(url(supervisor, "stuck"), timeout=1.0)
        assert get(url(supervisor, "counter", "/count")) == "1", "the other app is unaffected"
        pid = next(e.pid for e in log.of(StateChanged, "stuck") if e.pid is not None)
        started = time.monotonic()
    assert time.monotonic() - started < 6.0, "drain grace, then SIGTERM"
    assert process_is_gone(pid)


def test_processes_the_app_started_end_with_its_worker(tmp_path: Path, log: EventLog) -> None:
    source = tmp_path / "spawner.py"
    source.write_text(SPAWNER)
    with Supervisor([str(source)], log, cwd=str(tmp_path), drain_grace=1.0):
        log.wait_for(is_state("spawner", "running"))
        child = int((tmp_path / "child.pid").read_text())
        assert not process_is_gone(child)
    deadline = time.monotonic() + 5
    while not process_is_gone(child):
        assert time.monotonic() < deadline, "the app's child outlived the console"
        time.sleep(0.05)


def client_address(response: httpx.Response) -> tuple[str, int]:
    """The client side of the TCP connection a response came over."""
    address: tuple[str, int] = response.extensions["network_stream"].get_extra_info("client_addr")
    return address


def test_a_keep_alive_client_sending_across_reloads_keeps_its_connection(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    """httpx (what console/http_client.py uses) reuses its connection; across two reloads
    every request is answered, over that same connection, by whichever version is live:
    the retiring worker hands the connection over instead of closing it."""
    answers: list[str] = []
    addresses: set[tuple[str, int]] = set()
    failures: list[str] = []
    stop = threading.Event()

    def keep_sending(client: httpx.Client) -> None:
        while not stop.is_set():
            try:
                response = client.get(url(supervisor, "greeter"))
            except httpx.HTTPError as error:
                failures.append(repr(error))
                continue
            answers.append(response.text)
            addresses.add(client_address(response))

    def wait_for_answer(text: str) -> None:
        deadline = time.monotonic() + 15
        while text not in answers[-1:] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert answers[-1] == text

    with httpx.Client(timeout=10) as client:
        sender = threading.Thread(target=keep_sending, args=(client,))
        sender.start()
        try:
            wait_for_answer("hello from v1")
            rewrite(apps / "greeter.py", 'VERSION = "v1"', 'VERSION = "v2"')
            wait_for_answer("hello from v2")
            rewrite(apps / "greeter.py", 'VERSION = "v2"', 'VERSION = "v3"')
            wait_for_answer("hello from v3")
        finally:
            stop.set()
            sender.join(timeout=15)
    assert failures == []
    assert len(addresses) == 1, "one connection all along: no reconnect"
    versions = list(dict.fromkeys(answers))
    assert versions == ["hello from v1", "hello from v2", "hello from v3"], "never back"


def test_an_idle_keep_alive_connection_is_served_by_the_new_code_after_a_reload(
    supervisor: Supervisor, log: EventLog, apps: Path
) -> None:
    with httpx.Client(timeout=10) as client:
        before = client.get(url(supervisor, "greeter"))
        address_before = client_address(before)
        old_pid = log.of(StateChanged, "greeter")[-1].pid
        log.forget()
        rewrite(apps / "greeter.py", 'VERSION = "v1"', 'VERSION = "v2"')
        log.wait_for(is_state("greeter", "running"))
        assert old_pid is not None
        deadline = time.monotonic() + 5
        while not process_is_gone(old_pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert process_is_gone(old_pid), "the old worker left; the idle connection did not keep it"
        after = client.get(url(supervisor, "greeter"))
        assert client_address(after) == address_before, "the same connection"
    assert (before.text, after.text) == ("hello from v1", "hello from v2")


def test_stop_closes_idle_keep_alive_connections_instead_of_waiting_for_them(
    apps: Path, log: EventLog
) -> None:
    supervisor = Supervisor(
        [str(apps / "greeter.py")], log, cwd=str(apps), policy=FAST, drain_grace=5.0
    )
    with supervisor, httpx.Client(timeout=10) as client:
        log.wait_for(is_state("greeter", "running"))
        assert client.get(url(supervisor, "greeter")).text == "hello from v1"
        started = time.monotonic()
        supervisor.stop()
        took = time.monotonic() - started
    assert took < 2.0, f"stop waited {took:.1f} s for an idle connection (grace is 5 s)"


SLOW_TO_LOAD = """\
import time
from framework import App
time.sleep(1.5)
app = App(__name__)
"""


def test_warm_spares_wait_until_no_app_is_loading(apps: Path, log: EventLog) -> None:
    """A spare's start-up would slow the loads the user is waiting for, so it comes after."""
    (apps / "slow.py").write_text(SLOW_TO_LOAD)
    targets = [str(apps / "greeter.py"), str(apps / "slow.py")]
    with Supervisor(targets, log, cwd=str(apps), spare_workers=1):
        log.wait_for(is_state("greeter", "running"))
        time.sleep(0.3)
        assert len(worker_children(os.getpid())) == 2, "one worker per app, no spare yet"
        log.wait_for(is_state("slow", "running"))
        deadline = time.monotonic() + 5
        while len(worker_children(os.getpid())) < 3:
            assert time.monotonic() < deadline, "no spare started once every app ran"
            time.sleep(0.05)
