"""Reading the framework's trace dicts for display, defensively, plus what users do with them.

A trace arrives from a worker and is untrusted: every field is read with a type check and a
fallback, so a malformed trace shows as "?" instead of crashing the view. The functions here
are pure (filter, export as JSON lines, copy as curl, compare two traces) and tested with
plain values.
"""

from __future__ import annotations

import difflib
import json
import marshal
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Headers a client sets on its own; a copied curl command leaves them out.
_CURL_SKIPPED_HEADERS = {
    "host",
    "content-length",
    "user-agent",
    "accept-encoding",
    "connection",
    "x-request-id",
}


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One request's trace with the fields the trace list shows, read once on arrival.

    The trace itself is kept packed and unpacked when asked for (:attr:`raw`): as nested
    dicts and lists, a ring of a thousand traces is some 40,000 containers that each full
    collection of the cyclic garbage collector walks, and under 2,000 traces/s those
    collections came every half second and froze the screen for up to 120 ms. Packed, a
    trace is one bytes object the collector never looks at.
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


def read_trace(trace: Mapping[str, Any]) -> TraceRecord:
    """Summarise a trace dict; missing or mistyped fields become neutral values."""
    request = _mapping(trace.get("request"))
    response = _mapping(trace.get("response"))
    steps = steps_of(trace)
    status = response.get("status")
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    path = _text(request.get("path"), "?")
    query = _text(request.get("query_string"), "")
    return TraceRecord(
        id=_text(trace.get("id"), ""),
        started_at=_number(trace.get("started_at")),
        method=_text(request.get("method"), "?"),
        path=f"{path}?{query}" if query else path,
        status=status,
        duration_us=int(_number(trace.get("duration_us"))),
        hooks_run=sum(1 for step in steps if not step.get("skipped")),
        short_circuit=any(step.get("short_circuit") for step in steps),
        exception=trace.get("exception") is not None or any(step.get("raised") for step in steps),
        redirect=status is not None and 300 <= status < 400,
        packed=pack(trace),
    )


def pack(trace: Mapping[str, Any]) -> bytes:
    """The trace as compact bytes for :attr:`TraceRecord.packed` (what JSON cannot hold,
    such as an object a test put there, is kept as its repr, as an export would)."""
    try:
        return marshal.dumps(dict(trace))
    except ValueError:
        return marshal.dumps(json.loads(json.dumps(trace, default=repr)))


def steps_of(trace: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The trace's steps that are objects, in the order they ran."""
    steps = trace.get("steps")
    if not isinstance(steps, list):
        return []
    return [step for step in steps if isinstance(step, Mapping)]


def matches(record: TraceRecord, needle: str) -> bool:
    """Whether the trace list's filter text matches this trace (method, path, status, marks).

    Every whitespace-separated word must match somewhere, case-insensitively.
    """
    haystack = " ".join(
        (record.method, record.path, str(record.status or ""), record.marks)
    ).lower()
    return all(word in haystack for word in needle.lower().split())


def export_jsonl(records: Iterable[TraceRecord]) -> str:
    """The traces as JSON lines, one trace dict per line, as the framework produced them."""
    return "".join(json.dumps(r.raw, ensure_ascii=False, default=repr) + "\n" for r in records)


def as_curl(trace: Mapping[str, Any], base_url: str) -> str:
    """A shell-safe curl command that sends the traced request again to ``base_url``.

    The body is the trace's preview, so a body larger than the preview is cut short; the
    command says so in a trailing comment rather than pretend to be exact.
    """
    request = _mapping(trace.get("request"))
    method = _text(request.get("method"), "GET")
    path = _text(request.get("path"), "/")
    query = _text(request.get("query_string"), "")
    url = base_url.rstrip("/") + path + (f"?{query}" if query else "")
    parts = ["curl", "-X", method, shlex.quote(url)]
    for name, value in header_pairs(request.get("headers")):
        if name.lower() not in _CURL_SKIPPED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    body = _text(request.get("body_preview"), "")
    size = request.get("body_size")
    if body:
        parts += ["--data-raw", shlex.quote(body)]
    command = " ".join(parts)
    if isinstance(size, int) and size > len(body.encode()):
        command += f"  # body cut to its {len(body.encode())}-byte preview of {size} bytes"
    return command


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """``[[name, value], ...]`` as pairs of strings, skipping anything else."""
    if not isinstance(headers, list):
        return []
    return [
        (str(pair[0]), str(pair[1]))
        for pair in headers
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]


@dataclass(frozen=True)
class StepComparison:
    """One row of a side-by-side replay comparison; ``None`` where one side has no step."""

    left: Mapping[str, Any] | None
    right: Mapping[str, Any] | None

    @property
    def differs(self) -> bool:
        if self.left is None or self.right is None:
            return True
        return any(
            self.left.get(key) != self.right.get(key)
            for key in ("kind", "name", "returned", "short_circuit", "skipped", "raised")
        )


def compare_steps(left: Mapping[str, Any], right: Mapping[str, Any]) -> list[StepComparison]:
    """Pair the steps of two traces by (kind, name), in order, for a side-by-side view.

    Steps present on one side only (a hook added or removed by an edit) get a row of their
    own with the other side empty.
    """
    a, b = steps_of(left), steps_of(right)
    matcher = difflib.SequenceMatcher(a=[_step_key(s) for s in a], b=[_step_key(s) for s in b])
    rows: list[StepComparison] = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            rows += [StepComparison(x, y) for x, y in zip(a[a0:a1], b[b0:b1], strict=True)]
        else:
            rows += [StepComparison(x, None) for x in a[a0:a1]]
            rows += [StepComparison(None, y) for y in b[b0:b1]]
    return rows


def _step_key(step: Mapping[str, Any]) -> tuple[str, str]:
    return (_text(step.get("kind"), ""), _text(step.get("name"), ""))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


__all__ = [
    "StepComparison",
    "TraceRecord",
    "as_curl",
    "compare_steps",
    "export_jsonl",
    "header_pairs",
    "matches",
    "pack",
    "read_trace",
    "steps_of",
]
