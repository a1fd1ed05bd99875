"""Faults survived, nothing left behind: broken apps next to a healthy one, workers killed
mid-request, files pulled away, a taken port, and the console itself killed.

Each test runs real worker processes on 127.0.0.1 and checks two things: the fault is
reported in words a user understands, and everything else keeps serving.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from pathlib import Path

import pytest
from click.testing import CliRunner

from console.http_client import AppClient, RequestFailed
from console.protocol import (
    LoadError,
    Log,
    ProtocolProblem,
    RequestsCut,
    StateChanged,
    Stopping,
    Trace,
    WorkerExited,
)
from console.supervisor import RestartPolicy, Supervisor, SupervisorError
from console.supervisor.manager import SPARES_WAIT_AT_MOST
from console.watch import watch
from tests.console.test_supervisor import (
    APPS,
    FAST,
    EventLog,
    get,
    is_state,
    process_is_gone,
    worker_children,
)
from tests.console.test_watch import WatchProcess, free_port

CRASHES_AT_IMPORT = "raise RuntimeError('boom at import')\n"
EXITS_AT_IMPORT = "import sys\nsys.exit(4)\n"
HANGS_AT_IMPORT = (
    "import os, time\n"
    "from pathlib import Path\n"
    "Path(__file__).with_name('hangs.pid').write_text(str(os.getpid()))\n"
    "time.sleep(3600)\n"
)
FLOODS_AT_IMPORT = (
    "import sys\n"
    "from framework import App\n"
    "sys.stdout.write('x' * 50_000_000 + '\\n')\n"
    "app = App(__name__)\n"
    "@app.route('/')\n"
    "def index():\n"
    "    return 'survived the flood'\n"
)


@pytest.fixture
def log() -> EventLog:
    return EventLog()


def count(client: AppClient) -> str:
    """The counter app's session counter: it rises only while the same app keeps serving."""
    return client.send("GET", "/count").body.decode()


def test_apps_that_cannot_load_are_reported_while_the_healthy_one_serves(
    tmp_path: Path, log: EventLog
) -> None:
    sources = {
        "crashes": CRASHES_AT_IMPORT,
        "exits": EXITS_AT_IMPORT,
        "hangs": HANGS_AT_IMPORT,
        "floods": FLOODS_AT_IMPORT,
    }
    for name, source in sources.items():
        (tmp_path / f"{name}.py").write_text(source)
    shutil.copy(APPS / "counter.py", tmp_path / "counter.py")
    targets = [str(tmp_path / f"{name}.py") for name in ("counter", *sources)]
    policy = RestartPolicy(load_timeout=3.0, backoff_initial=0.1, backoff_max=0.5)
    with Supervisor(targets, log, cwd=str(tmp_path), policy=policy, spare_workers=1) as sup:
        log.wait_for(is_state("counter", "running"))
        counter = AppClient(sup.app("counter").url)
        assert count(counter) == "1"

        crashed = log.wait_for(lambda e: isinstance(e, LoadError) and e.app == "crashes")
        assert isinstance(crashed, LoadError) and crashed.exc_type == "RuntimeError"
        assert "boom at import" in crashed.message and "\n" not in crashed.message
        assert crashed.file is not None and crashed.file.endswith("crashes.py")

        exited = log.wait_for(lambda e: isinstance(e, LoadError) and e.app == "exits")
        assert isinstance(exited, LoadError) and exited.exc_type == "SystemExit"

        log.wait_for(is_state("floods", "running"))
        cut = log.wait_for(
            lambda e: isinstance(e, Log) and e.app == "floods" and "not shown" in e.message
        )
        assert isinstance(cut, Log) and len(cut.message) < 10_000
        assert get(sup.app("floods").url) == "survived the flood"
        assert count(counter) == "2"

        hung = log.wait_for(is_state("hangs", "load_error"), timeout=20)
        assert isinstance(hung, StateChanged)
        assert hung.detail == "loading did not finish within 3 s" and not hung.serving
        hung_pid = int((tmp_path / "hangs.pid").read_text())
        deadline = time.monotonic() + 3
        while not process_is_gone(hung_pid):
            assert time.monotonic() < deadline, "the worker stuck in import was not ended"
            time.sleep(0.05)

        for broken, reason in (
            ("crashes", "boom at import"),
            ("exits", "SystemExit"),
            ("hangs", "loading did not finish within 3 s"),
        ):
            with pytest.raises(urllib.error.HTTPError) as answer:
                get(sup.app(broken).url, timeout=5)  # at once: nothing can serve a broken app
            assert answer.value.code == 503 and reason in answer.value.read().decode()
        assert count(counter) == "3"
        counter.close()
        assert [e.state for e in log.of(StateChanged, "counter")] == ["starting", "running"]


def test_a_hung_hook_and_a_deadlock_time_out_for_the_client_and_the_rest_serves(
    tmp_path: Path, log: EventLog
) -> None:
    for name in ("hangs_in_before_request.py", "deadlocks.py", "counter.py"):
        shutil.copy(APPS / name, tmp_path / name)
    targets = [str(tmp_path / name) for name in ("hangs_in_before_request.py", "deadlocks.py")]
    targets.append(str(tmp_path / "counter.py"))
    supervisor = Supervisor(targets, log, cwd=str(tmp_path), policy=FAST, drain_grace=1.0)
    with supervisor:
        for app in ("hangs_in_before_request", "deadlocks", "counter"):
            log.wait_for(is_state(app, "running"))
        hung_url = supervisor.app("hangs_in_before_request").url
        with AppClient(hung_url) as client:
            with pytest.raises(RequestFailed) as hung:
                client.send("GET", "/", timeout=1.0)
        assert str(hung.value) == f"no response from {hung_url} within 1 s"

        deadlocks_url = supervisor.app("deadlocks").url
        failures: list[str] = []

        def locked(path: str) -> None:
            with AppClient(deadlocks_url) as client:
                try:
                    client.send("GET", path, timeout=1.5)
                except RequestFailed as error:
                    failures.append(str(error))

        pair = [
            threading.Thread(target=locked, args=(path,))
            for path in ("/first-then-second", "/second-then-first")
        ]
        for thread in pair:
            thread.start()
        for thread in pair:
            thread.join(timeout=10)
        assert sorted(failures) == [
            f"no response from {deadlocks_url}first-then-second within 1.5 s",
            f"no response from {deadlocks_url}second-then-first within 1.5 s",
        ]
        assert get(deadlocks_url) == "alive", "the app's other routes still answer"
        with AppClient(supervisor.app("counter").url) as counter:
            assert count(counter) == "1", "the other apps are unaffected"
        pids = [e.pid for e in log.of(StateChanged) if e.pid is not None]
        stop_began = time.monotonic()
    assert time.monotonic() - stop_began < 6.0, "drain grace, then SIGTERM, then SIGKILL"
    assert all(process_is_gone(pid) for pid in pids)
    gave_up = [e for e in log.of(Stopping, "deadlocks")]
    assert [e.reason for e in gave_up] == ["cut 2 request(s) after the 1 s grace period"]
    cut = log.of(RequestsCut, "deadlocks")
    assert isinstance(cut[0], RequestsCut) and cut[0].grace == 1.0
    assert sorted(r.target for r in cut[0].requests) == ["/first-then-second", "/second-then-first"]
    assert all("deadlocks.py:" in r.where for r in cut[0].requests), "where each one was stuck"
    traces = [e.trace for e in log.of(Trace, "deadlocks") if e.trace.get("cut")]
    assert sorted(t["request"]["path"] for t in traces) == [
        "/first-then-second",
        "/second-then-first",
    ]
    assert {t["exception"]["type"] for t in traces} == {"RequestCut"}


def test_a_50_mb_log_record_arrives_cut_short_and_the_app_serves_on(
    tmp_path: Path, log: EventLog
) -> None:
    (tmp_path / "chatty.py").write_text(
        "from framework import App\n"
        "app = App(__name__)\n"
        "@app.route('/')\n"
        "def index():\n"
        "    app.logger.warning('y' * 50_000_000)\n"
        "    return 'logged'\n"
    )
    with Supervisor([str(tmp_path / "chatty.py")], log, cwd=str(tmp_path), policy=FAST) as sup:
        log.wait_for(is_state("chatty", "running"))
        assert get(sup.app("chatty").url, timeout=30) == "logged"
        record = log.wait_for(lambda e: isinstance(e, Log) and e.stream == "logger")
        assert isinstance(record, Log) and record.level == "WARNING"
        assert record.message.endswith(" … [49934464 more characters not shown]")
        assert len(record.message) < 70_000
        assert get(sup.app("chatty").url, timeout=30) == "logged"
    assert log.of(ProtocolProblem) == []


def test_a_worker_killed_mid_request_fails_that_request_clearly_and_is_replaced(
    tmp_path: Path, log: EventLog
) -> None:
    shutil.copy(APPS / "greeter.py", tmp_path / "greeter.py")
    with Supervisor([str(tmp_path / "greeter.py")], log, cwd=str(tmp_path), policy=FAST) as sup:
        running = log.wait_for(is_state("greeter", "running"))
        assert isinstance(running, StateChanged) and running.pid is not None
        base = sup.app("greeter").url
        failures: list[str] = []

        def slow_request() -> None:
            with AppClient(base) as client:
                try:
                    client.send("GET", "/slow", params={"seconds": "5"}, timeout=10)
                except RequestFailed as error:
                    failures.append(str(error))

        in_flight = threading.Thread(target=slow_request)
        in_flight.start()
        log.wait_for(lambda e: isinstance(e, Log) and e.message == "greeter: GET /slow")
        os.kill(running.pid, signal.SIGKILL)
        in_flight.join(timeout=10)
        assert len(failures) == 1 and failures[0].startswith(f"request to {base}slow")
        exited = log.wait_for(lambda e: isinstance(e, WorkerExited))
        assert isinstance(exited, WorkerExited)
        assert (exited.pid, exited.description) == (running.pid, "killed by SIGKILL")
        log.wait_for(lambda e: is_state("greeter", "running")(e) and e.pid != running.pid)
        with AppClient(base) as client:
            assert client.send("GET", "/").body == b"hello from v1"
        assert sup.app("greeter").url == base, "same port after the restart"


def test_a_renamed_app_file_is_a_load_error_until_it_is_back(tmp_path: Path, log: EventLog) -> None:
    source = tmp_path / "greeter.py"
    shutil.copy(APPS / "greeter.py", source)
    with Supervisor([str(source)], log, cwd=str(tmp_path), policy=FAST) as sup:
        running = log.wait_for(is_state("greeter", "running"))
        source.rename(tmp_path / "greeter_moved.py")
        error = log.wait_for(lambda e: isinstance(e, LoadError))
        assert isinstance(error, LoadError) and "no such file" in error.message
        state = log.wait_for(is_state("greeter", "load_error"))
        assert isinstance(state, StateChanged) and state.serving
        assert get(sup.app("greeter").url) == "hello from v1", "the old code keeps serving"
        (tmp_path / "greeter_moved.py").rename(source)
        log.wait_for(
            lambda e: (
                is_state("greeter", "running")(e)
                and isinstance(running, StateChanged)
                and e.pid != running.pid
            )
        )
        assert get(sup.app("greeter").url) == "hello from v1"


def test_watch_next_free_port_moves_past_a_taken_port(tmp_path: Path) -> None:
    shutil.copy(APPS / "greeter.py", tmp_path / "greeter.py")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        watching = WatchProcess(tmp_path, "greeter.py", "--port", str(port), "--next-free-port")
        try:
            line = watching.expect("serving greeter at http://127.0.0.1:")
            chosen = int(line.split("127.0.0.1:")[1].split("/")[0])
            assert chosen > port
            assert get(f"http://127.0.0.1:{chosen}/") == "hello from v1"
        finally:
            assert watching.stop() == 0


def test_ports_past_65535_are_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    for name in ("greeter.py", "counter.py"):
        shutil.copy(APPS / name, tmp_path / name)
    targets = [str(tmp_path / "greeter.py"), str(tmp_path / "counter.py")]
    with pytest.raises(SupervisorError) as past:
        Supervisor(targets, lambda event: None, port=65535)
    assert str(past.value) == (
        f"no port left for {targets[1]}: port 65535 + 1 is past 65535; choose a lower --port"
    )
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 65535))
        except OSError:
            pytest.skip("port 65535 is in use by something else")
        taken.listen()
        with pytest.raises(SupervisorError, match="no free port on 127.0.0.1 from 65535 to 65535"):
            Supervisor(targets[:1], lambda event: None, port=65535, next_free_port=True)
    result = CliRunner().invoke(watch, [*targets, "--port", "65535"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no port left for ") and "Traceback" not in result.output


def named_unix_sockets() -> set[str]:
    rows = Path("/proc/net/unix").read_text().splitlines()[1:]
    return {row.split()[7] for row in rows if len(row.split()) > 7}


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (on a busy machine, the port after a
    free one is often some connection's local port)."""
    for _ in range(100):
        first = free_port()
        probes = [socket.socket() for _ in range(count)]
        try:
            for offset, probe in enumerate(probes):
                probe.bind(("127.0.0.1", first + offset))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise AssertionError(f"no {count} consecutive free ports")


def test_killing_hookscope_watch_leaves_no_worker_socket_or_temp_file(tmp_path: Path) -> None:
    """Even workers that are stuck (in a hook, in an import) leave with the console."""
    app_dir, temp_dir = tmp_path / "app", tmp_path / "tmp"
    app_dir.mkdir()
    temp_dir.mkdir()
    shutil.copy(APPS / "greeter.py", app_dir / "greeter.py")
    shutil.copy(APPS / "hangs_in_before_request.py", app_dir / "stuck.py")
    (app_dir / "importing.py").write_text(HANGS_AT_IMPORT)
    port = free_ports(3)
    before = sorted(os.listdir(app_dir))
    watch = subprocess.Popen(
        [sys.executable, "-c", "from console.watch import watch; watch()"]
        + ["greeter.py", "stuck.py", "importing.py", "--port", str(port)],
        cwd=app_dir,
        env={**os.environ, "TMPDIR": str(temp_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    hung_requests: list[str] = []
    try:
        assert watch.stdout is not None
        running = 0
        for line in watch.stdout:
            running += "running (pid" in line
            if running == 2:
                break
        assert get(f"http://127.0.0.1:{port}/") == "hello from v1"

        def hang() -> None:
            try:
                get(f"http://127.0.0.1:{port + 1}/", timeout=10)
            except OSError as error:
                hung_requests.append(str(error))

        in_flight = threading.Thread(target=hang)
        in_flight.start()
        while not (app_dir / "hangs.pid").exists():
            time.sleep(0.05)
        # spares wait for the loads, but at most SPARES_WAIT_AT_MOST for one that hangs
        deadline = time.monotonic() + SPARES_WAIT_AT_MOST + 3
        while len(workers := worker_children(watch.pid)) < 4:
            assert time.monotonic() < deadline, "greeter, stuck, importing, and a spare"
            time.sleep(0.05)
    finally:
        watch.kill()
        watch.wait()
        if watch.stdout is not None:
            watch.stdout.close()
    killed_at = time.monotonic()
    while not all(process_is_gone(pid) for pid in workers):
        assert time.monotonic() - killed_at < 2.0, "workers outlived the console"
        time.sleep(0.05)
    in_flight.join(timeout=10)
    assert len(hung_requests) == 1, "the hung request ended with its worker"
    for app_port in (port, port + 1, port + 2):
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", app_port), timeout=5).close()
    assert os.listdir(temp_dir) == []
    leftovers = sorted(p for p in os.listdir(app_dir) if p not in ("__pycache__", "hangs.pid"))
    assert leftovers == before
    assert not [p for p in named_unix_sockets() if p.startswith(str(tmp_path))]
