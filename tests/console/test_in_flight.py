"""Requests in flight while their app reloads: they finish within the grace period, and
what is cut is said and traced as cut."""

from __future__ import annotations

import shutil
import threading
import time
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.protocol import Draining, Event, Log, RequestsCut, Stopping, Trace
from console.supervisor import Supervisor
from console.worker.in_flight import InFlightRequests
from tests.console.test_supervisor import APPS, FAST, EventLog, get, is_state, rewrite, url


@pytest.fixture
def log() -> EventLog:
    return EventLog()


def slow_request_began(event: Event) -> bool:
    return isinstance(event, Log) and event.message == "greeter: GET /slow"


@pytest.fixture
def greeter(tmp_path: Path) -> Path:
    shutil.copy(APPS / "greeter.py", tmp_path / "greeter.py")
    return tmp_path / "greeter.py"


def in_background(address: str, timeout: float = 30) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(get(address, timeout=timeout))
        except (urllib.error.URLError, OSError) as error:
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def test_a_request_in_flight_during_a_reload_finishes_and_is_announced(
    greeter: Path, log: EventLog
) -> None:
    with Supervisor([str(greeter)], log, cwd=str(greeter.parent), policy=FAST) as supervisor:
        log.wait_for(is_state("greeter", "running"))
        thread, outcome = in_background(url(supervisor, "greeter", "/slow?seconds=1.5"))
        log.wait_for(slow_request_began)
        rewrite(greeter, 'VERSION = "v1"', 'VERSION = "v2"')
        draining = log.wait_for(lambda e: isinstance(e, Draining))
        assert isinstance(draining, Draining) and draining.grace == 10.0
        [waiting] = draining.in_flight
        assert (waiting.method, waiting.target) == ("GET", "/slow?seconds=1.5")
        assert waiting.where.startswith("greeter.py:") and waiting.where.endswith(" in slow")
        thread.join(timeout=30)
        assert outcome == ["slow from v1"], "the old version finished it"
        stopping = log.wait_for(lambda e: isinstance(e, Stopping) and e.pid == draining.pid)
        assert isinstance(stopping, Stopping) and stopping.reason == "drained"
        assert get(url(supervisor, "greeter")) == "hello from v2"
    assert not log.of(RequestsCut)


def test_a_request_past_the_grace_period_is_cut_and_traced_as_cut(
    greeter: Path, log: EventLog
) -> None:
    supervisor = Supervisor(
        [str(greeter)], log, cwd=str(greeter.parent), policy=FAST, drain_grace=0.5
    )
    with supervisor:
        log.wait_for(is_state("greeter", "running"))
        address = url(supervisor, "greeter", "/slow?seconds=30")
        thread, outcome = in_background(address)
        log.wait_for(slow_request_began)
        started = time.monotonic()
        rewrite(greeter, 'VERSION = "v1"', 'VERSION = "v2"')
        cut = log.wait_for(lambda e: isinstance(e, RequestsCut))
        assert isinstance(cut, RequestsCut) and cut.grace == 0.5
        [request] = cut.requests
        assert request.target == "/slow?seconds=30" and request.running_s >= 0.5
        assert "in slow" in request.where
        trace = log.wait_for(lambda e: isinstance(e, Trace) and bool(e.trace.get("cut")))
        assert isinstance(trace, Trace)
        assert trace.trace["request"]["path"] == "/slow"
        assert trace.trace["exception"]["type"] == "RequestCut"
        assert "time.sleep" in trace.trace["exception"]["traceback"], "where it was cut"
        thread.join(timeout=30)
        assert time.monotonic() - started < 10, "cut at the grace period, not at 30 s"
        assert isinstance(outcome[0], OSError), "the client's connection was closed"
        stopping = log.wait_for(lambda e: isinstance(e, Stopping) and e.pid == cut.pid)
        assert isinstance(stopping, Stopping)
        assert stopping.reason == "cut 1 request(s) after the 0.5 s grace period"


# --- the tracker on its own, around a plain WSGI app ---------------------------------------


def test_the_tracker_knows_what_runs_where_until_its_body_is_closed() -> None:
    release = threading.Event()

    def streaming(environ: dict[str, object], start_response: Callable[..., object]) -> object:
        start_response("200 OK", [])

        def chunks() -> Iterator[bytes]:
            release.wait(10)
            yield b"done"

        return chunks()

    tracker = InFlightRequests(streaming)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/events", "QUERY_STRING": "since=3"}
    body = tracker({**environ, "HTTP_X_REQUEST_ID": "r1"}, lambda status, headers: None)
    consumed: list[bytes] = []
    reader = threading.Thread(target=lambda: consumed.extend(body))
    reader.start()
    [running] = tracker.snapshot()
    assert (running.method, running.target, running.request_id) == ("GET", "/events?since=3", "r1")
    assert not tracker.wait_idle(0.05), "a streamed body is in flight until closed"
    release.set()
    reader.join(10)
    body.close()  # type: ignore[attr-defined]  # what a WSGI server does when done
    assert tracker.wait_idle(5) and tracker.snapshot() == ()
    assert consumed == [b"done"]


def test_a_cut_request_becomes_a_trace_marked_cut_with_its_stack() -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        entered.set()
        release.wait(10)
        start_response("200 OK", [])
        return [b"late"]

    tracker = InFlightRequests(stuck)
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/upload", "QUERY_STRING": ""}
    worker = threading.Thread(target=tracker, args=(environ, lambda *args: None))
    worker.start()
    assert entered.wait(10)
    [trace] = tracker.cut_traces("shop", grace=2.0)
    release.set()
    worker.join(10)
    assert trace["cut"] is True and trace["app"] == "shop"
    assert trace["request"] == {"method": "POST", "path": "/upload", "query_string": ""}
    assert trace["response"] is None and trace["steps"] == []
    assert trace["exception"]["type"] == "RequestCut"
    assert "cut after the 2 s grace period" in trace["exception"]["message"]
    assert "release.wait(10)" in trace["exception"]["traceback"]
    assert tracker.wait_idle(5), "a request that ends after all is no longer in flight"
