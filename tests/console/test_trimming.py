"""A trace too large for one protocol line arrives trimmed, with markers, never lost."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from console.protocol import (
    MAX_LINE_BYTES,
    MAX_TRACE_BYTES,
    Trace,
    decode_event,
    encode_trace,
)
from console.protocol.trimming import items_marker, string_marker
from console.supervisor import Supervisor
from tests.console.test_supervisor import FAST, EventLog, is_state, url


def test_a_trace_that_fits_is_sent_unchanged() -> None:
    trace = {"id": "r1", "steps": [{"name": "index"}], "response": {"status": 200}}
    assert decode_event(encode_trace("shop", trace)) == Trace("shop", trace)


def test_long_strings_are_cut_with_a_marker_saying_how_much() -> None:
    trace = {"id": "r1", "session": {"after": {"blob": "a" * 50_000_000}}, "steps": []}
    line = encode_trace("shop", trace)
    assert len(line) <= MAX_TRACE_BYTES < MAX_LINE_BYTES
    event = decode_event(line)
    assert isinstance(event, Trace) and event.trace["id"] == "r1"
    blob = event.trace["session"]["after"]["blob"]
    kept = event.trace["trimmed"]["longest_string"]
    assert blob == "a" * kept + string_marker(50_000_000 - kept)
    assert event.trace["trimmed"]["original_bytes"] > 50_000_000


def test_long_lists_and_objects_are_cut_too() -> None:
    trace = {"id": "r1", "steps": [{"n": n} for n in range(200_000)]}
    event = decode_event(encode_trace("shop", trace, limit=100_000))
    assert isinstance(event, Trace)
    steps = event.trace["steps"]
    assert steps[-1] == items_marker(200_000 - (len(steps) - 1))
    assert steps[:3] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_a_trace_that_cannot_fit_at_all_keeps_its_id() -> None:
    trace = {"id": "r1", **{f"key{n}": "x" * 100 for n in range(10)}}
    event = decode_event(encode_trace("shop", trace, limit=200))
    assert isinstance(event, Trace) and event.trace["id"] == "r1"
    assert event.trace["trimmed"]["longest_string"] == 0


BIG_SESSION = """\
from framework import App, session
app = App(__name__)
app.secret_key = "dev"

@app.route("/grow")
def grow():
    session["blob"] = "a" * 50_000_000
    return "grown"

@app.route("/look")
def look():
    return str(len(session.get("blob", "")))
"""


@pytest.fixture
def log() -> EventLog:
    return EventLog()


def test_a_validly_signed_50_mb_session_keeps_its_trace(tmp_path: Path, log: EventLog) -> None:
    (tmp_path / "big.py").write_text(BIG_SESSION)
    with Supervisor([str(tmp_path / "big.py")], log, cwd=str(tmp_path), policy=FAST) as sup:
        log.wait_for(is_state("big", "running"))
        request = urllib.request.Request(url(sup, "big", "/grow"), headers={"X-Request-Id": "grow"})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.read() == b"grown"
            cookie = response.headers["Set-Cookie"].split(";")[0]
        request = urllib.request.Request(
            url(sup, "big", "/look"), headers={"Cookie": cookie, "X-Request-Id": "look"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.read() == b"50000000", "the session is valid and whole"
        for request_id in ("grow", "look"):
            event = log.wait_for(lambda e, i=request_id: isinstance(e, Trace) and e.request_id == i)
            assert isinstance(event, Trace) and "trimmed" in event.trace
            assert len(json.dumps(event.trace)) < MAX_TRACE_BYTES
            assert "more characters cut" in json.dumps(event.trace["session"])
