"""``hookscope watch``: its line formats, and the command run as a user runs it."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from console.protocol import (
    ConverterInfo,
    Draining,
    InFlightRequest,
    LoadError,
    Log,
    Ready,
    RequestsCut,
    RouteInfo,
    RoutesChanged,
    StateChanged,
    Stopping,
    Unavailable,
)
from console.trace_format import format_route, format_trace
from console.watch import WatchPrinter, watch

APPS = Path(__file__).parent / "apps"


def step(kind: str, name: str, **extra: object) -> dict[str, object]:
    return {
        "kind": kind,
        "name": name,
        "skipped": False,
        "short_circuit": False,
        "raised": None,
        **extra,
    }


def trace(steps: list[dict[str, object]], **extra: object) -> dict[str, object]:
    return {
        "request": {"method": "GET", "path": "/index", "query_string": "v=1"},
        "response": {"status": 302},
        "duration_us": 1400,
        "steps": steps,
        "exception": None,
        **extra,
    }


def test_a_trace_is_one_line_with_the_hooks_in_order() -> None:
    steps = [
        step("before_request", "before_req1"),
        step("before_request", "before_req2"),
        step("view", "view"),
        step("after_request", "after_req2"),
        step("after_request", "after_req1"),
        step("teardown_request", "close_db"),
    ]
    assert format_trace(trace(steps)) == (
        "GET /index?v=1 302 1.4ms  before_req1 → before_req2 → view → after_req2 → after_req1"
    )


def test_short_circuits_skips_and_exceptions_are_marked() -> None:
    steps = [
        step("before_request", "before_req1", short_circuit=True),
        step("before_request", "before_req2", skipped=True),
        step("view", "index", skipped=True),
        step("after_request", "after_req1"),
    ]
    assert format_trace(trace(steps)).endswith("before_req1 [short-circuit] → after_req1")
    failing = [
        step("view", "divide", raised={"type": "ZeroDivisionError", "message": "division by zero"}),
        step("errorhandler", "handle_500"),
    ]
    line = format_trace(
        trace(failing, exception={"type": "ZeroDivisionError", "message": "division by zero"})
    )
    assert line.endswith(
        "divide [raised ZeroDivisionError] → errorhandler handle_500"
        "  !! ZeroDivisionError: division by zero"
    )


def test_text_from_the_app_cannot_drive_the_terminal() -> None:
    hostile = trace([], request={"method": "GET", "path": "/\x1b]0;pwned\x07", "query_string": ""})
    assert "\x1b" not in format_trace(hostile)
    lines: list[str] = []
    printer = WatchPrinter(lines.append, "/", 4)
    printer.show(Log("demo", "stdout", "INFO", "\x1b[2Jgone"))
    printer.show(Log("demo", "stdout", "INFO", "right\u202eleft and\u2028on"))
    assert lines == ["demo  | \\x1b[2Jgone", "demo  | right\\u202eleft and\\u2028on"]


def test_a_log_record_with_a_traceback_prints_as_lines() -> None:
    lines: list[str] = []
    message = 'boom\nTraceback (most recent call last):\n  File "app.py", line 3\nValueError: x\n'
    WatchPrinter(lines.append, "/", 4).show(Log("demo", "logger", "ERROR", message, "app"))
    assert lines == [
        "demo  ERROR boom",
        "demo        Traceback (most recent call last):",
        'demo          File "app.py", line 3',
        "demo        ValueError: x",
    ]


def test_a_malformed_trace_prints_as_question_marks_instead_of_ending_watch() -> None:
    malformed = {"request": ["not", "a", "dict"], "response": {"status": "200"}, "steps": [7]}
    assert format_trace(malformed) == "? ? --- 0µs"
    assert format_trace({"duration_us": "slow", "steps": "none"}) == "? ? --- 0µs"


def test_routes_print_with_methods_source_and_extras() -> None:
    route = RouteInfo(
        rule="/user/<int:user_id>",
        endpoint="user",
        methods=("GET", "HEAD", "OPTIONS", "POST"),
        converters=(ConverterInfo("user_id", "int"),),
        redirect_to="/people/<user_id>",
        file="/srv/app/views.py",
        line=12,
    )
    text = format_route(route, "/srv")
    assert text.split() == [
        "GET,POST",
        "/user/<int:user_id>",
        "user",
        "app/views.py:12",
        "→",
        "/people/<user_id>",
    ]


def test_the_printer_shows_reloads_diffs_and_state_changes() -> None:
    lines: list[str] = []
    printer = WatchPrinter(lines.append, "/", 4)
    added = RouteInfo(rule="/new", endpoint="new", methods=("GET",))
    printer.show(RoutesChanged("demo", (added,), (), (), (added,)))
    printer.show(StateChanged("demo", "load_error", 5000, 42, True, "SyntaxError: bad"))
    printer.show(StateChanged("demo", "starting", 5000, None, False, "loading"))
    printer.show(
        LoadError("demo", "NameError", "name 'x' is not defined", "Traceback ...", "/a.py", 3)
    )
    printer.show(StateChanged("demo", "load_error", 5000, None, False, "name 'x' is not defined"))
    assert lines == [
        "demo  routes changed:",
        "demo      + GET            /new                             new",
        "demo  load error: SyntaxError: bad; the previous version keeps serving",
        "demo  load error at /a.py:3: name 'x' is not defined",
        "demo      Traceback ...",
        "demo  nothing is serving until a file changes",
    ]


def test_a_reload_reports_how_long_it_took() -> None:
    lines: list[str] = []
    now = [100.0]
    printer = WatchPrinter(lines.append, "/", 4, clock=lambda: now[0])
    routes = (RouteInfo(rule="/", endpoint="index", methods=("GET",)),)
    printer.show(StateChanged("demo", "starting", 5000, None, False, "loading"))
    now[0] += 0.25
    printer.show(Ready("demo", 7, "127.0.0.1", 5000, "demo", "demo", "/", routes))
    printer.show(StateChanged("demo", "running", 5000, 7, True, ""))
    printer.show(StateChanged("demo", "reloading", 5000, 7, True, "files changed"))
    now[0] += 0.0625
    printer.show(StateChanged("demo", "running", 5000, 8, True, ""))
    assert lines[-3:] == [
        "demo  running (pid 7), started in 250 ms",
        "demo  reloading (files changed)",
        "demo  running (pid 8), reloaded in 62 ms",
    ]


def test_the_printer_says_what_a_reload_waits_for_what_it_cut_and_a_503() -> None:
    lines: list[str] = []
    printer = WatchPrinter(lines.append, "/", 4)
    slow = InFlightRequest("GET", "/slow?s=30", "r1", 1.25, "views.py:12 in slow")
    printer.show(Draining("demo", 7, (slow,), 10.0))
    printer.show(Stopping("demo", 7, "drained"))
    printer.show(Draining("demo", 8, (), 10.0))
    printer.show(Stopping("demo", 8, "drained"))
    printer.show(RequestsCut("demo", 9, (slow,), 0.5))
    printer.show(Unavailable("demo", 5000, "SyntaxError: invalid syntax"))
    assert lines == [
        "demo  old version (pid 7) finishes 1 request(s) in flight, up to 10 s:",
        "demo      GET /slow?s=30 (running 1.2 s, in views.py:12 in slow)",
        "demo  old version (pid 7) is gone: drained",
        "demo  cut 1 request(s) after the 0.5 s grace period (traced as cut):",
        "demo      GET /slow?s=30 (running 1.2 s, in views.py:12 in slow)",
        "demo  port 5000 answers 503 at once: SyntaxError: invalid syntax",
    ]


def test_no_target_is_a_usage_error() -> None:
    result = CliRunner().invoke(watch, [])
    assert result.exit_code == 2
    assert "Missing argument 'TARGET...'" in result.output


def test_a_taken_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(watch, [str(APPS / "greeter.py"), "--port", str(port)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: port {port} on 127.0.0.1 is already in use; choose another with --port, "
        "or leave --port out to use free ports\n"
    )


class WatchProcess:
    """``hookscope watch`` in a real process, its output read line by line."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from console.watch import watch; watch()", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def expect(self, text: str, timeout: float = 20.0) -> str:
        return self.expect_all(text, timeout=timeout)[0]

    def expect_all(self, *texts: str, timeout: float = 20.0) -> list[str]:
        """The first line holding each text, in whatever order they are printed.

        (The app's output and its traces reach the console by different routes, so
        a print and the trace of the same request may arrive either way round.)
        """
        deadline = time.monotonic() + timeout
        found: dict[str, str] = {}
        while len(found) < len(texts):
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                missing = [text for text in texts if text not in found]
                seen = "\n".join(self.seen[-20:])
                raise AssertionError(f"{missing!r} never printed; saw:\n{seen}") from None
            self.seen.append(line)
            for text in texts:
                if text not in found and text in line:
                    found[text] = line
        return [found[text] for text in texts]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            assert self.process.stdout is not None
            self.process.stdout.close()


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    shutil.copy(APPS / "greeter.py", tmp_path / "greeter.py")
    return tmp_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return str(response.read().decode())


@pytest.fixture
def watching(app_dir: Path) -> Iterator[tuple[WatchProcess, int]]:
    port = free_port()
    process = WatchProcess(app_dir, "greeter.py", "--port", str(port))
    yield process, port
    process.stop()


def test_watch_prints_routes_requests_reloads_and_errors(
    watching: tuple[WatchProcess, int], app_dir: Path
) -> None:
    process, port = watching
    process.expect(f"serving greeter at http://127.0.0.1:{port}/")
    process.expect("/user/<int:user_id>")
    process.expect("running (pid")
    assert fetch(port, "/user/3?x=1") == "user 3"
    _, line = process.expect_all("greeter  | greeter: GET /user/3", "GET /user/3?x=1 200")
    assert line.endswith("announce → user → stamp")

    source = app_dir / "greeter.py"
    good = source.read_text()
    source.write_text(good.replace('@app.route("/slow")', '@app.route("/slower")'))
    process.expect("routes changed:")
    assert "/slower" in process.expect("+ GET")

    source.write_text(good.replace('VERSION = "v1"', 'VERSION = "v1" +'))
    load_error = process.expect("load error at ")
    assert "greeter.py:9" in load_error
    process.expect("SyntaxError")
    process.expect("the previous version keeps serving")
    assert fetch(port, "/") == "hello from v1"
    assert process.stop() == 0
    process.expect("stopped every app")


def test_watch_json_prints_protocol_events(app_dir: Path) -> None:
    port = free_port()
    process = WatchProcess(app_dir, "greeter.py", "--port", str(port), "--json")
    try:
        ready = json.loads(process.expect('"type":"ready"'))
        assert ready["v"] == 1 and ready["port"] == port
        fetch(port, "/")
        event = json.loads(process.expect('"type":"trace"'))
        assert event["trace"]["request"]["path"] == "/"
    finally:
        assert process.stop() == 0
    assert all(json.loads(line) for line in process.seen)
    assert not [pid for pid in os.listdir("/proc") if pid == str(ready["pid"])]


def test_a_reader_that_goes_away_ends_watch_quietly(app_dir: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from console.watch import watch; watch()", "greeter.py"],
        cwd=app_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        assert "starting greeter.py" in process.stdout.readline()
        process.stdout.close()  # like `hookscope watch app.py | head -1`
        assert process.wait(timeout=30) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
