"""The session and flash panel: the session before → after one request, with the difference.

Keys added, changed and removed are marked (+, ~, -), the cookie outcome (set / deleted /
untouched) is shown with the raw ``Set-Cookie`` value the response carried and its decoded
content, and flash messages are split into those queued and those consumed by the request.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from console.trace_reader import header_pairs
from console.ui.literal import join_lines, literal, one_line
from console.ui.widgets.trace_panel import TracePanel


@dataclass(frozen=True)
class KeyChange:
    key: str
    kind: str  # "added" | "changed" | "removed" | "same"
    before: Any = None
    after: Any = None


def diff_session(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[KeyChange]:
    """Every key of either side with what happened to it, in a stable order."""
    old, new = dict(before or {}), dict(after or {})
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        if key not in old:
            changes.append(KeyChange(str(key), "added", after=new[key]))
        elif key not in new:
            changes.append(KeyChange(str(key), "removed", before=old[key]))
        elif old[key] != new[key]:
            changes.append(KeyChange(str(key), "changed", old[key], new[key]))
        else:
            changes.append(KeyChange(str(key), "same", old[key], new[key]))
    return changes


def decode_session_cookie(value: str) -> str | None:
    """The session a signed session cookie carries, as the app sees it; None if unreadable.

    The signature is not checked (the console has no secret key): this shows what the
    browser carries, which is exactly what anyone holding the cookie can read. The payload
    is read with the framework's own tagged-JSON serializer, so a flash queue shows as the
    list of tuples the app holds, not as the serializer's ``{" t": [...]}`` tags.
    """
    from framework.json.tag import TaggedJSONSerializer

    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if compressed:
            raw = zlib.decompress(raw)
        return repr(TaggedJSONSerializer().loads(raw))
    except (ValueError, TypeError, KeyError, zlib.error):
        return None


_MARKS = {
    "added": ("+ ", "bold green"),
    "changed": ("~ ", "bold yellow"),
    "removed": ("- ", "bold red"),
    "same": ("  ", "dim"),
}


def render_session(trace: Mapping[str, Any] | None) -> Text:
    if trace is None:
        return Text("Select a request to see its session and flashes.", style="dim italic")
    session = trace.get("session")
    session = session if isinstance(session, Mapping) else {}
    before, after = session.get("before"), session.get("after")
    parts: list[Text] = [Text("Session", style="bold underline")]
    if not isinstance(before, Mapping) and not isinstance(after, Mapping):
        parts.append(Text("  no session (none opened, or no secret_key)", style="dim"))
    else:
        changes = diff_session(
            before if isinstance(before, Mapping) else None,
            after if isinstance(after, Mapping) else None,
        )
        if not changes:
            parts.append(Text("  empty before and after", style="dim"))
        for change in changes:
            mark, style = _MARKS[change.kind]
            line = Text.assemble((mark, style), literal(change.key, "bold"), ": ")
            if change.kind == "added":
                line.append(literal(one_line(repr(change.after), 80), "green"))
            elif change.kind == "removed":
                line.append(literal(one_line(repr(change.before), 80), "red strike"))
            elif change.kind == "changed":
                line.append(literal(one_line(repr(change.before), 60), "red"))
                line.append(" → ")
                line.append(literal(one_line(repr(change.after), 60), "green"))
            else:
                line.append(literal(one_line(repr(change.after), 80), "dim"))
            parts.append(line)
    flags = [
        f"accessed={'yes' if session.get('accessed') else 'no'}",
        f"modified={'yes' if session.get('modified') else 'no'}",
    ]
    parts.append(Text("  " + "  ".join(flags), style="dim"))
    parts.append(_cookie_line(trace, session.get("cookie")))
    parts.append(Text(""))
    parts.extend(_flash_lines(trace.get("flashes")))
    return join_lines(parts)


def _cookie_line(trace: Mapping[str, Any], outcome: Any) -> Text:
    label = {"set": ("cookie set", "bold green"), "deleted": ("cookie deleted", "bold red")}.get(
        str(outcome), ("cookie untouched", "dim")
    )
    lines: list[Text] = [Text.assemble("  ", label)]
    response = trace.get("response")
    headers = header_pairs(response.get("headers")) if isinstance(response, Mapping) else []
    for name, value in headers:
        if name.lower() != "set-cookie":
            continue
        raw = value.split(";", 1)[0]
        cookie_name, _, cookie_value = raw.partition("=")
        lines.append(Text.assemble("  Set-Cookie ", literal(one_line(value, 160), "dim")))
        decoded = decode_session_cookie(cookie_value) if cookie_value else None
        if decoded is not None:
            lines.append(
                Text.assemble(
                    "  decoded ",
                    literal(cookie_name, "bold"),
                    " = ",
                    literal(one_line(decoded, 160)),
                )
            )
    return join_lines(lines)


def _flash_lines(flashes: Any) -> list[Text]:
    lines: list[Text] = [Text("Flashes", style="bold underline")]
    if not isinstance(flashes, Mapping):
        return [*lines, Text("  none", style="dim")]
    shown = False
    for key, label, style in (
        ("added", "queued", "green"),
        ("consumed", "consumed", "cyan"),
        ("after", "waiting for the next request", "dim"),
    ):
        items = flashes.get(key)
        if not isinstance(items, list) or not items:
            continue
        shown = True
        lines.append(Text(f"  {label}:", style=style))
        for item in items:
            category, message = item if isinstance(item, list) and len(item) == 2 else ("?", item)
            lines.append(
                Text.assemble(
                    "    ", literal(f"[{category}]", "dim"), " ", literal(one_line(message, 120))
                )
            )
    if not shown:
        lines.append(Text("  none queued or consumed", style="dim"))
    return lines


class SessionPanel(TracePanel):
    """Shows :func:`render_session` for the trace it is given."""

    def render_trace(self, trace: Mapping[str, Any] | None) -> Text:
        return render_session(trace)


__all__ = ["KeyChange", "SessionPanel", "decode_session_cookie", "diff_session", "render_session"]
