"""The one reader of trace dicts, for ``hookscope watch`` and the console alike.

A trace arrives from a worker and is untrusted: every field is read with a type check and a
fallback, so a malformed trace shows as "?" instead of ending the command or crashing a view.
What a person reads about a trace (its summary row, each step) is read here once, into typed
values; :mod:`console.trace_format` turns them into plain text and the UI into styled text.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: A step kind as a person reads it (the trace says ``before_request``).
STEP_KIND_LABELS = {
    "url_value_preprocessor": "url_value",
    "before_request": "before",
    "view": "view",
    "after_request": "after",
    "errorhandler": "errorhandler",
    "teardown_request": "teardown",
    "teardown_appcontext": "teardown_app",
}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One request's trace with the fields a list of traces shows, read once on arrival.

    The trace itself is kept packed and unpacked when asked for (:attr:`raw`): as nested
    dicts and lists, a ring of a thousand traces is some 40,000 containers that each full
    collection of the cyclic garbage collector walks, and under a flood of requests those
    collections froze the console's screen. Packed, a trace is one bytes object the collector
    never looks at.
    """

    id: str
    started_at: float
    method: str
    path: str
    status: int | None
    duration_us: int
    hooks_run: int
    short_circuit: bool
    exception: bool
    redirect: bool
    packed: bytes

    @property
    def raw(self) -> Mapping[str, Any]:
        """The trace dict, as the framework produced it (a fresh copy on each call)."""
        return marshal.loads(self.packed)  # type: ignore[no-any-return]

    @property
    def marks(self) -> str:
        """One letter per notable thing: S short-circuit, E exception, R redirect."""
        return (
            ("S" if self.short_circuit else "")
            + ("E" if self.exception else "")
            + ("R" if self.redirect else "")
        )


@dataclass(frozen=True, slots=True)
class StepView:
    """One step of a trace, read: what ran, how it ended, what it returned, where it lives."""

    kind: str
    label: str
    name: str
    skipped: bool
    short_circuit: bool
    raised: tuple[str, str] | None
    duration_us: int
    returned: str | None
    file: str | None
    line: int | None


def read_trace(trace: Mapping[str, Any]) -> TraceRecord:
    """Summarise a trace dict; missing or mistyped fields become neutral values."""
    request = mapping(trace.get("request"))
    steps = [read_step(step) for step in steps_of(trace)]
    status = trace_status(trace)
    path = text(request.get("path"), "?")
    query = text(request.get("query_string"), "")
    return TraceRecord(
        id=text(trace.get("id"), ""),
        started_at=number(trace.get("started_at")),
        method=text(request.get("method"), "?"),
        path=f"{path}?{query}" if query else path,
        status=status,
        duration_us=int(number(trace.get("duration_us"))),
        hooks_run=sum(1 for step in steps if not step.skipped),
        short_circuit=any(step.short_circuit for step in steps),
        exception=trace_exception(trace) is not None or any(step.raised for step in steps),
        redirect=status is not None and 300 <= status < 400,
        packed=pack(trace),
    )


def read_step(step: Mapping[str, Any]) -> StepView:
    kind = text(step.get("kind"), "?")
    raised = step.get("raised")
    line = step.get("line")
    return StepView(
        kind=kind,
        label=STEP_KIND_LABELS.get(kind, kind),
        name=text(step.get("name"), kind),
        skipped=bool(step.get("skipped")),
        short_circuit=bool(step.get("short_circuit")),
        raised=_type_and_message(raised) if isinstance(raised, Mapping) else None,
        duration_us=integer(step.get("duration_us")),
        returned=step.get("returned") if isinstance(step.get("returned"), str) else None,
        file=step.get("file") if isinstance(step.get("file"), str) else None,
        line=line if isinstance(line, int) and not isinstance(line, bool) else None,
    )


def read_steps(trace: Mapping[str, Any]) -> list[StepView]:
    return [read_step(step) for step in steps_of(trace)]


def steps_of(trace: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The trace's steps that are objects, in the order they ran."""
    steps = trace.get("steps")
    if not isinstance(steps, list):
        return []
    return [step for step in steps if isinstance(step, Mapping)]


def trace_status(trace: Mapping[str, Any]) -> int | None:
    status = mapping(trace.get("response")).get("status")
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def trace_exception(trace: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The request's exception as (type, message, traceback), or None."""
    exception = trace.get("exception")
    if not isinstance(exception, Mapping):
        return None
    return (
        text(exception.get("type"), "?"),
        text(exception.get("message"), ""),
        text(exception.get("traceback"), ""),
    )


def pack(trace: Mapping[str, Any]) -> bytes:
    """The trace as compact bytes for :attr:`TraceRecord.packed` (what JSON cannot hold,
    such as an object a test put there, is kept as its repr, as an export would)."""
    try:
        return marshal.dumps(dict(trace))
    except ValueError:
        return marshal.dumps(json.loads(json.dumps(trace, default=repr)))


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """``[[name, value], ...]`` as pairs of strings, skipping anything else."""
    if not isinstance(headers, list):
        return []
    return [
        (str(pair[0]), str(pair[1]))
        for pair in headers
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def text(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


def integer(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _type_and_message(raised: Mapping[str, Any]) -> tuple[str, str]:
    return text(raised.get("type"), "?"), text(raised.get("message"), "")


__all__ = [
    "STEP_KIND_LABELS",
    "StepView",
    "TraceRecord",
    "header_pairs",
    "integer",
    "mapping",
    "number",
    "pack",
    "read_step",
    "read_steps",
    "read_trace",
    "steps_of",
    "text",
    "trace_exception",
    "trace_status",
]
