"""No process an app starts outlives its worker, whatever session it moved to, and
``ps`` says what each worker is."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from console.process_tree import descendants
from console.protocol import Spare, StateChanged, Stopping
from console.supervisor import Supervisor
from tests.console.test_supervisor import (
    FAST,
    EventLog,
    is_state,
    process_is_gone,
    rewrite,
    worker_children,
)

ESCAPER = """\
import os, subprocess, sys
from pathlib import Path
from framework import App

VERSION = 1
app = App(__name__)
here = Path(__file__).parent
sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
# a child in a session of its own: not in the worker's process group
session = subprocess.Popen(sleeper, start_new_session=True)
(here / f"session-{VERSION}.pid").write_text(str(session.pid))
# a daemon: started by a child that exits at once, so its parent is gone
starter = (
    "import subprocess, sys; "
    "p = subprocess.Popen(sys.argv[2:], start_new_session=True); "
    "open(sys.argv[1], 'w').write(str(p.pid))"
)
subprocess.run([sys.executable, "-c", starter, str(here / f"daemon-{VERSION}.pid"), *sleeper])
"""


@pytest.fixture
def log() -> EventLog:
    return EventLog()


def wait_until_gone(pids: list[int], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not all(process_is_gone(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still alive: {pids}"
        time.sleep(0.05)


def test_a_reload_ends_the_processes_the_old_version_started_in_other_sessions(
    tmp_path: Path, log: EventLog
) -> None:
    source = tmp_path / "escaper.py"
    source.write_text(ESCAPER)
    with Supervisor([str(source)], log, cwd=str(tmp_path), policy=FAST):
        running = log.wait_for(is_state("escaper", "running"))
        assert isinstance(running, StateChanged) and running.pid is not None
        escaped = [int((tmp_path / f"{kind}-1.pid").read_text()) for kind in ("session", "daemon")]
        assert set(escaped) <= set(descendants(running.pid)), "the worker keeps them below it"
        rewrite(source, "VERSION = 1", "VERSION = 2")
        log.wait_for(lambda e: isinstance(e, Stopping) and e.pid == running.pid)
        wait_until_gone(escaped)
        second = [int((tmp_path / f"{kind}-2.pid").read_text()) for kind in ("session", "daemon")]
        assert not any(process_is_gone(pid) for pid in second), "the new version's run on"
    wait_until_gone(second)


def test_ps_names_spares_and_workers(tmp_path: Path, log: EventLog) -> None:
    (tmp_path / "named.py").write_text("from framework import App\napp = App(__name__)\n")
    with Supervisor(["named.py"], log, cwd=str(tmp_path), spare_workers=1) as supervisor:
        running = log.wait_for(is_state("named", "running"))
        assert isinstance(running, StateChanged) and running.pid is not None
        port = supervisor.app("named").port
        command_line = Path(f"/proc/{running.pid}/cmdline").read_bytes().rstrip(b"\0")
        assert command_line == f"hookscope worker named.py :{port}".encode()
        assert Path(f"/proc/{running.pid}/comm").read_text() == "hookscope:named\n"
        deadline = time.monotonic() + 15
        while len(worker_children(os.getpid())) < 2:  # the spare starts once the app runs
            assert time.monotonic() < deadline, "no spare started"
            time.sleep(0.05)
        [spare] = [pid for pid in worker_children(os.getpid()) if pid != running.pid]
        deadline = time.monotonic() + 15
        while not Path(f"/proc/{spare}/cmdline").read_bytes().startswith(b"hookscope spare\0"):
            assert time.monotonic() < deadline, "the spare never named itself"
            time.sleep(0.05)
        assert Path(f"/proc/{spare}/comm").read_text() == "hookscope-spare\n"
    assert not log.of(Spare), "spares are the supervisor's business"
