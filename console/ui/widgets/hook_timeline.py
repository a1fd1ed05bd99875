"""The hook timeline: the selected request's steps in the order they ran.

Each step shows its kind, function, a bar proportional to its duration, the duration, what it
returned and where it lives (file:line). The short-circuiting hook is marked, skipped steps
are greyed, so the notes' lesson — after_request hooks still run, in reverse order — is
visible at a glance. Template renders and the exception's traceback follow in place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from rich.text import Text

from console.ui.literal import join_lines, literal, one_line
from console.ui.traces import read_trace, steps_of
from console.ui.widgets.trace_panel import TracePanel

BAR_WIDTH = 12
_KIND_LABELS = {
    "url_value_preprocessor": "url_value",
    "before_request": "before",
    "view": "view",
    "after_request": "after",
    "errorhandler": "errorhandler",
    "teardown_request": "teardown",
    "teardown_appcontext": "teardown_app",
}


def format_duration(microseconds: float) -> str:
    if microseconds >= 1_000_000:
        return f"{microseconds / 1_000_000:.2f}s"
    if microseconds >= 1_000:
        return f"{microseconds / 1_000:.1f}ms"
    return f"{int(microseconds)}µs"


def short_path(path: str) -> str:
    """A source path relative to the working directory when inside it, for narrow screens."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def render_timeline(trace: Mapping[str, Any] | None) -> Text:
    """The timeline of one trace as Rich renderables built from Text, never from markup."""
    if trace is None:
        return Text("Select a request in the list to see its hooks.", style="dim italic")
    record = read_trace(trace)
    steps = steps_of(trace)
    longest = max((_int(step.get("duration_us")) for step in steps), default=0) or 1
    header = Text.assemble(
        (f"{record.method} ", "bold"),
        literal(record.path, "bold"),
        "  ",
        _status_text(record.status),
        f"  {format_duration(record.duration_us)}",
        f"  {record.hooks_run} ran",
    )
    parts: list[Text] = [header, Text("")]
    for number, step in enumerate(steps, 1):
        parts.append(_step_line(number, step, longest))
    templates = trace.get("templates")
    if isinstance(templates, list) and templates:
        parts.append(Text(""))
        for template in templates:
            if isinstance(template, Mapping):
                parts.append(
                    Text.assemble(
                        ("  template ", "magenta"),
                        literal(template.get("name", "?"), "magenta"),
                        f"  {format_duration(_int(template.get('duration_us')))}",
                    )
                )
    exception = trace.get("exception")
    if isinstance(exception, Mapping):
        parts.append(Text(""))
        parts.append(
            Text.assemble(
                ("✖ ", "bold red"),
                literal(exception.get("type", "?"), "bold red"),
                ": ",
                literal(exception.get("message", "")),
            )
        )
        traceback = exception.get("traceback")
        if isinstance(traceback, str) and traceback:
            parts.append(render_traceback(traceback))
    return join_lines(parts)


def render_traceback(traceback: str) -> Text:
    """A traceback with each ``File "...", line N`` location highlighted."""
    text = Text()
    for line in traceback.rstrip("\n").splitlines():
        stripped = line.lstrip()
        if stripped.startswith('File "'):
            text.append(literal(line, "bold yellow"))
        else:
            text.append(literal(line, "dim" if line.startswith("    ") else ""))
        text.append("\n")
    text.rstrip()
    return text


def _step_line(number: int, step: Mapping[str, Any], longest: int) -> Text:
    """One line per step (function, bar, duration, file:line), plus what it returned."""
    skipped = bool(step.get("skipped"))
    short_circuit = bool(step.get("short_circuit"))
    raised = step.get("raised")
    kind = _KIND_LABELS.get(str(step.get("kind")), str(step.get("kind")))
    duration = _int(step.get("duration_us"))
    if short_circuit:
        marker = ("■", "bold yellow")
    elif isinstance(raised, Mapping):
        marker = ("✖", "bold red")
    elif skipped:
        marker = ("·", "dim")
    else:
        marker = ("✔", "green")
    filled = 0 if skipped else max(1, round(BAR_WIDTH * duration / longest))
    name = one_line(step.get("name", "?"), 22)
    line = Text.assemble(
        (f"{number:>2} ", "dim"),
        marker,
        " ",
        (f"{kind:<9}", "dim" if skipped else _kind_style(kind)),
        literal(f"{name:<22}", "dim strike" if skipped else "bold"),
        " ",
        ("━" * filled, "yellow" if short_circuit else "cyan"),
        ("─" * (BAR_WIDTH - filled), "grey30"),
        (f" {'skipped' if skipped else format_duration(duration):>7}", "dim" if skipped else ""),
    )
    where = step.get("file")
    if isinstance(where, str):
        line.append("  ")
        line.append(literal(f"{os.path.basename(where)}:{step.get('line', '?')}", "dim"))
    if short_circuit:
        line.append("\n              ■ short-circuit: returned a response", style="bold yellow")
    returned = step.get("returned")
    if isinstance(returned, str) and not skipped:
        line.append("\n              → ", style="dim")
        line.append(literal(one_line(returned, 100), "italic"))
    if isinstance(raised, Mapping):
        line.append("\n              ✖ raised ", style="red")
        line.append(literal(f"{raised.get('type', '?')}: {raised.get('message', '')}", "red"))
    return line


def _kind_style(kind: str) -> str:
    return {
        "before": "blue",
        "view": "bold green",
        "after": "magenta",
        "errorhandler": "red",
    }.get(kind, "cyan")


def status_style(status: int | None) -> str:
    """The colour of an HTTP status: green success, cyan redirect, yellow/red errors."""
    if status is None:
        return "dim"
    if status < 300:
        return "bold green"
    if status < 400:
        return "bold cyan"
    return "bold yellow" if status < 500 else "bold red"


def _status_text(status: int | None) -> Text:
    return Text(str(status) if status is not None else "---", style=status_style(status))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class HookTimeline(TracePanel):
    """Shows :func:`render_timeline` for the trace it is given."""

    def render_trace(self, trace: Mapping[str, Any] | None) -> Text:
        return render_timeline(trace)


__all__ = [
    "HookTimeline",
    "format_duration",
    "render_timeline",
    "render_traceback",
    "short_path",
    "status_style",
]
