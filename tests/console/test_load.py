"""Under load nothing is lost silently and memory stays put.

``hookscope watch --json`` serves demo_apps/hook_order.py (traced) while a load generator
in its own process (bench/load_generator.py) keeps 200 keep-alive connections busy. Every
answered request must then be accounted for by its ``X-Request-Id``: its trace printed, or
counted in a ``traces_dropped`` event. The duration is HOOKSCOPE_LOAD_SECONDS (3 s here; the
bench runs 10 s).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.console_load import TraceTally
from bench.load_generator import LoadReport, generate_load
from console.protocol import Event, Log, StateChanged, Trace, TracesDropped
from console.supervisor import Supervisor
from console.watch import PendingEvents
from tests.console.test_watch import free_port

REPOSITORY = Path(__file__).resolve().parents[2]
APPS = Path(__file__).parent / "apps"
LOAD_SECONDS = float(os.environ.get("HOOKSCOPE_LOAD_SECONDS", "3"))
#: How much the console's resident memory may grow over a load run.
RSS_GROWTH_LIMIT_KB = 40 * 1024


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


class JsonWatch:
    """``hookscope watch --json`` in a process, its trace ids and drop counts tallied."""

    def __init__(self, port: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from console.watch import watch; watch()"]
            + ["demo_apps/hook_order.py", "--port", str(port), "--json"],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.trace_ids: Counter[str] = Counter()
        self.dropped = 0
        self.running: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self.reading = threading.Event()
        self.reading.set()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.reading.wait()  # cleared: the pipe fills up, as with a paused terminal
            event = json.loads(line)
            with self._lock:
                if event["type"] == "trace":
                    self.trace_ids[event["trace"]["id"]] += 1
                elif event["type"] == "traces_dropped":
                    self.dropped += event["dropped"]
            if event["type"] == "state" and event["state"] == "running":
                self.running.put(True)

    def accounted(self) -> int:
        with self._lock:
            return sum(self.trace_ids.values()) + self.dropped

    def drops(self) -> int:
        with self._lock:
            return self.dropped

    def stop(self) -> None:
        self.reading.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._reader.join(timeout=5)
            if self.process.stdout is not None:
                self.process.stdout.close()


def test_every_request_under_200_connections_has_its_trace_or_is_counted_as_dropped() -> None:
    port = free_port()
    watch = JsonWatch(port)
    try:
        assert watch.running.get(timeout=30)
        warm_up = generate_load(port, 20, 0.5, prefix="warm")
        assert warm_up.errors == 0, warm_up.error_samples
        deadline = time.monotonic() + 15
        while watch.accounted() < warm_up.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        rss_before = resident_kb(watch.process.pid)
        already, dropped_before = watch.accounted(), watch.drops()

        load = generate_load(port, 200, LOAD_SECONDS)
        assert load.errors == 0, load.error_samples
        assert load.requests > 200, "the app was served all along"
        deadline = time.monotonic() + 20
        while watch.accounted() - already < load.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        rss_after = resident_kb(watch.process.pid)
    finally:
        watch.stop()

    traced = {key: n for key, n in watch.trace_ids.items() if not key.startswith("warm-")}
    assert [key for key, n in traced.items() if n > 1] == [], "a trace delivered twice"
    assert set(traced) <= set(load.ids), "a trace for a request never sent"
    dropped = watch.drops() - dropped_before
    assert len(traced) + dropped == load.requests, "every missing trace is a reported drop"
    assert rss_after - rss_before < RSS_GROWTH_LIMIT_KB, (rss_before, rss_after)


def test_a_reader_that_stops_reading_costs_drops_not_memory() -> None:
    port = free_port()
    watch = JsonWatch(port)
    try:
        assert watch.running.get(timeout=30)
        generate_load(port, 20, 0.5, prefix="warm")
        time.sleep(0.5)
        rss_before = resident_kb(watch.process.pid)
        already = watch.accounted()
        watch.reading.clear()
        load = generate_load(port, 50, LOAD_SECONDS)
        rss_after = resident_kb(watch.process.pid)
        watch.reading.set()
        assert load.errors == 0, load.error_samples
        deadline = time.monotonic() + 20
        while watch.accounted() - already < load.requests and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        watch.stop()
    traced = [key for key in watch.trace_ids if not key.startswith("warm-")]
    assert len(traced) < load.requests, "the stalled reader did cost traces"
    assert watch.accounted() - already == load.requests, "and every one is counted as dropped"
    assert rss_after - rss_before < RSS_GROWTH_LIMIT_KB, (rss_before, rss_after)


def test_reloads_under_load_fail_no_request_and_lose_no_trace(tmp_path: Path) -> None:
    source = tmp_path / "greeter.py"
    shutil.copy(APPS / "greeter.py", source)
    tally = TraceTally()
    reloads: list[int | None] = []

    def listener(event: Event) -> None:
        tally(event)
        if isinstance(event, StateChanged) and event.state == "running":
            reloads.append(event.pid)

    with Supervisor([str(source)], listener, cwd=str(tmp_path), watch=True) as supervisor:
        while supervisor.app("greeter").status.state.value != "running":
            time.sleep(0.05)
        port = supervisor.app("greeter").port
        result: list[LoadReport] = []
        load_thread = threading.Thread(
            target=lambda: result.append(generate_load(port, 50, LOAD_SECONDS))
        )
        load_thread.start()
        for version in (2, 3):
            time.sleep(LOAD_SECONDS / 3)
            text = source.read_text()
            source.write_text(text.replace(f'"v{version - 1}"', f'"v{version}"'))
        load_thread.join(timeout=LOAD_SECONDS + 60)
        [load] = result
        tally.wait_for(load.requests, timeout=20)
    assert load.errors == 0, load.error_samples
    assert load.reconnects == 0, "kept-alive connections were handed over, not closed"
    assert len(set(reloads)) == 3, f"started, then two reloads, each a new worker: {reloads}"
    assert len(tally.ids) == len(set(tally.ids)) and set(tally.ids) <= set(load.ids)
    assert len(tally.ids) + tally.dropped == load.requests, "each request traced or counted"


def test_pending_events_beyond_the_limit_are_dropped_and_reported_first() -> None:
    pending = PendingEvents(limit=2)
    for number in range(5):
        pending.put(Trace("demo", {"id": str(number)}))
    pending.put(Log("demo", "stdout", "INFO", "one line too many"))
    pending.put(StateChanged("demo", "reloading"))
    assert pending.get(timeout=0) == TracesDropped("demo", 3, 3)
    note = pending.get(timeout=0)
    assert isinstance(note, Log) and note.stream == "hookscope"
    assert note.message == "1 output lines dropped: they came faster than they could be printed"
    assert [pending.get(timeout=0) for _ in range(4)] == [
        Trace("demo", {"id": "0"}),
        Trace("demo", {"id": "1"}),
        StateChanged("demo", "reloading"),
        None,
    ]
    pending.put(Trace("demo", {"id": "5"}))
    assert pending.get(timeout=0) == Trace("demo", {"id": "5"}), "room again once taken"


def test_connections_wait_in_the_backlog_while_no_worker_accepts(tmp_path: Path) -> None:
    """Before a worker accepts (start-up, a reload's handoff), the kernel holds connections;
    a backlog smaller than the clients would drop their SYNs, a one-second stall each."""
    (tmp_path / "app.py").write_text("from framework import App\napp = App(__name__)\n")
    supervisor = Supervisor([str(tmp_path / "app.py")], lambda event: None, cwd=str(tmp_path))
    clients: list[socket.socket] = []
    try:
        port = supervisor.app("app").port
        for _ in range(300):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=0.5))
    finally:
        for client in clients:
            client.close()
        supervisor.stop()
    assert len(clients) == 300
