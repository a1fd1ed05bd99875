"""The trace list's filter: marks, statuses, methods and paths each match precisely."""

from __future__ import annotations

from console.trace_reader import TraceRecord, read_trace
from console.ui.trace_filter import parse_filter


def record(method: str, path: str, status: int, **flags: bool) -> TraceRecord:
    steps = [{"kind": "before_request", "name": "gate", "short_circuit": flags.get("short")}]
    exception = {"type": "E", "message": ""} if flags.get("error") else None
    return read_trace(
        {
            "request": {"method": method, "path": path},
            "response": {"status": status},
            "steps": steps,
            "exception": exception,
        }
    )


MISSING = record("GET", "/missing", 404)
SHORT = record("GET", "/?stop=1", 200, short=True)
BROKEN = record("POST", "/error", 500, error=True)
LOGIN = record("POST", "/login", 302)
TRACES = [MISSING, SHORT, BROKEN, LOGIN]


def shown(text: str) -> list[TraceRecord]:
    trace_filter = parse_filter(text)
    return [r for r in TRACES if trace_filter.matches(r)]


def test_a_capital_mark_matches_the_mark_and_not_a_letter_of_the_path_or_method() -> None:
    assert shown("S") == [SHORT]  # not /missing
    assert shown("E") == [BROKEN]  # not every GET
    assert shown("R") == [LOGIN]
    assert shown("S E") == [SHORT, BROKEN]


def test_statuses_classes_methods_and_paths() -> None:
    assert shown("404") == [MISSING]
    assert shown("4xx") == [MISSING]
    assert shown("5XX") == [BROKEN]
    assert shown("post") == [BROKEN, LOGIN]
    assert shown("GET POST") == TRACES
    assert shown("POST 3xx") == [LOGIN]
    assert shown("/log") == [LOGIN]
    assert shown("miss") == [MISSING]
    assert shown("") == TRACES
    assert not parse_filter("  ")
