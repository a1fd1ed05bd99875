"""What users do with traces in the console: filter, export as JSON lines, copy as curl, compare.

The functions here are pure and tested with plain values; traces are read by
:mod:`console.trace_reader`, the one reader ``hookscope watch`` shares.
"""

from __future__ import annotations

import difflib
import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from console.trace_reader import TraceRecord, header_pairs, mapping, steps_of, text

#: Headers curl sets on its own (or that tie a request to its trace); a copy leaves them out.
_CURL_SKIPPED_HEADERS = {"host", "content-length", "connection", "x-request-id"}


def export_jsonl(records: Iterable[TraceRecord]) -> str:
    """The traces as JSON lines, one trace dict per line, as the framework produced them."""
    return "".join(json.dumps(r.raw, ensure_ascii=False, default=repr) + "\n" for r in records)


def as_curl(trace: Mapping[str, Any], base_url: str) -> str:
    """A shell-safe curl command that sends the traced request again to ``base_url``.

    The body is the trace's preview, so a body larger than the preview is cut short; the
    command says so in a trailing comment rather than pretend to be exact.
    """
    request = mapping(trace.get("request"))
    method = text(request.get("method"), "GET")
    path = text(request.get("path"), "/")
    query = text(request.get("query_string"), "")
    url = base_url.rstrip("/") + path + (f"?{query}" if query else "")
    body = text(request.get("body_preview"), "")
    parts = ["curl", *_curl_method(method, has_body=bool(body)), shlex.quote(url)]
    for name, value in header_pairs(request.get("headers")):
        if name.lower() not in _CURL_SKIPPED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    size = request.get("body_size")
    if body:
        parts += ["--data-raw", shlex.quote(body)]
    command = " ".join(parts)
    if isinstance(size, int) and size > len(body.encode()):
        command += f"  # body cut to its {len(body.encode())}-byte preview of {size} bytes"
    return command


def _curl_method(method: str, has_body: bool) -> list[str]:
    """The options that make curl send ``method``: none where it is curl's own choice."""
    if method == ("POST" if has_body else "GET"):
        return []
    if method == "HEAD":
        return ["--head"]  # `-X HEAD` would wait for a body that never comes
    return ["-X", shlex.quote(method)]


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
    return (text(step.get("kind"), ""), text(step.get("name"), ""))


__all__ = ["StepComparison", "as_curl", "compare_steps", "export_jsonl"]
