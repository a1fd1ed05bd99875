"""Cutting a trace down until it fits in one protocol line, saying what was cut.

A request can make a trace of any size (a validly signed 50 MB session, a huge header), and
a line past the reader's limit would be dropped whole. Rather than lose the trace, long
strings and long lists or objects inside it are cut, each with a marker that says how much
was left out, until its JSON fits; the trace then carries ``"trimmed"`` with its original
size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The shortest a cut string becomes, and the fewest items a cut list or object keeps.
SHORTEST_STRING = 64
FEWEST_ITEMS = 8


def string_marker(cut: int) -> str:
    return f"… [{cut} more characters cut to fit the trace in one message]"


def items_marker(cut: int) -> str:
    return f"… [{cut} more items cut to fit the trace in one message]"


def trim_to_fit(
    trace: dict[str, Any], encode: Callable[[dict[str, Any]], bytes], limit: int
) -> bytes:
    """``encode(trace)``, cut down until it is at most ``limit`` bytes long.

    Strings are cut to a length, and lists and objects to a number of items, both halved
    until the encoding fits. A trace that cannot fit even at the shortest cut is reduced to
    its id and the ``trimmed`` note.
    """
    line = encode(trace)
    if len(line) <= limit:
        return line
    original = len(line)
    longest = max(limit // 8, SHORTEST_STRING)
    most = max(limit // 64, FEWEST_ITEMS)
    while longest >= SHORTEST_STRING:
        trimmed = _cut(trace, longest, most)
        trimmed["trimmed"] = {"original_bytes": original, "longest_string": longest}
        line = encode(trimmed)
        if len(line) <= limit:
            return line
        longest //= 2
        most = max(most // 2, FEWEST_ITEMS)
    return encode(
        {
            "id": str(trace.get("id", ""))[:SHORTEST_STRING],
            "trimmed": {"original_bytes": original, "longest_string": 0},
        }
    )


def _cut(value: Any, longest: int, most: int) -> Any:
    if isinstance(value, str):
        if len(value) <= longest:
            return value
        return value[:longest] + string_marker(len(value) - longest)
    if isinstance(value, dict):
        items = list(value.items())
        kept = {
            _cut(str(key), longest, most): _cut(item, longest, most) for key, item in items[:most]
        }
        if len(items) > most:
            kept["…"] = items_marker(len(items) - most)
        return kept
    if isinstance(value, list | tuple):
        kept_items = [_cut(item, longest, most) for item in value[:most]]
        if len(value) > most:
            kept_items.append(items_marker(len(value) - most))
        return kept_items
    return value


__all__ = ["items_marker", "string_marker", "trim_to_fit"]
