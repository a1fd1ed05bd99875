"""The one trace reader: every field checked, so a malformed trace reads as "?"."""

from __future__ import annotations

from console.trace_reader import read_step, read_steps, read_trace, trace_exception


def test_a_trace_is_read_into_the_fields_a_list_shows() -> None:
    record = read_trace(
        {
            "id": "t1",
            "started_at": 5.0,
            "duration_us": 1200,
            "request": {"method": "GET", "path": "/a", "query_string": "x=1"},
            "response": {"status": 302},
            "steps": [
                {"kind": "before_request", "name": "gate", "short_circuit": True},
                {"kind": "view", "name": "index", "skipped": True},
            ],
        }
    )
    assert (record.method, record.path, record.status, record.hooks_run) == (
        "GET",
        "/a?x=1",
        302,
        1,
    )
    assert record.marks == "SR"
    assert record.raw["id"] == "t1"


def test_every_field_of_the_wrong_type_reads_as_a_neutral_value() -> None:
    record = read_trace({"request": "GET /", "response": {"status": True}, "steps": {"a": 1}})
    assert (record.method, record.path, record.status, record.hooks_run) == ("?", "?", None, 0)
    step = read_step({"kind": 3, "name": None, "duration_us": "1ms", "line": True, "raised": "x"})
    assert (step.kind, step.name, step.duration_us, step.line, step.raised) == (
        "?",
        "?",
        0,
        None,
        None,
    )
    assert read_steps({"steps": [1, "two", {"kind": "view", "name": "v"}]})[0].label == "view"
    assert trace_exception({"exception": "boom"}) is None


def test_a_step_says_what_it_raised_and_where_it_lives() -> None:
    step = read_step(
        {
            "kind": "before_request",
            "name": "check",
            "raised": {"type": "KeyError", "message": "'user'"},
            "file": "/srv/app.py",
            "line": 12,
            "returned": "None",
        }
    )
    assert (step.label, step.raised, step.file, step.line) == (
        "before",
        ("KeyError", "'user'"),
        "/srv/app.py",
        12,
    )
