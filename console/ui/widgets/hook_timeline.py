"""The hook timeline: the selected request's steps in the order they ran.

Each step shows its kind, function, a bar proportional to its duration, the duration, what it
returned and where it lives (file:line). The short-circuiting hook is marked, skipped steps
are greyed, so the notes' lesson — after_request hooks still run, in reverse order — is
visible at a glance. Template renders and the exception's traceback follow in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from console.trace_format import format_duration, one_line, source_location
from console.trace_reader import (
    STEP_KIND_LABELS,
    StepView,
    integer,
    read_steps,
    read_trace,
    trace_exception,
)
from console.ui.literal import join_lines, literal
from console.ui.styles import status_style, step_kind_style
from console.ui.widgets.trace_panel import TracePanel

BAR_WIDTH = 12
#: The kind column fits the longest kind ("teardown_app", "errorhandler") and a space.
KIND_WIDTH = max(map(len, STEP_KIND_LABELS.values())) + 1
#: Where a step's own lines (its short-circuit, its return value) start: under its kind.
_UNDER_KIND = "\n" + " " * (5 + KIND_WIDTH)


def render_timeline(trace: Mapping[str, Any] | None) -> Text:
    """The timeline of one trace as Rich renderables built from Text, never from markup."""
    if trace is None:
        return Text("Select a request in the list to see its hooks.", style="dim italic")
    record = read_trace(trace)
    steps = read_steps(trace)
    longest = max((step.duration_us for step in steps), default=0) or 1
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
                        f"  {format_duration(integer(template.get('duration_us')))}",
                    )
                )
    exception = trace_exception(trace)
    if exception is not None:
        exc_type, message, traceback = exception
        parts.append(Text(""))
        parts.append(
            Text.assemble(("✖ ", "bold red"), literal(exc_type, "bold red"), ": ", literal(message))
        )
        if traceback:
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


def _step_line(number: int, step: StepView, longest: int) -> Text:
    """One line per step (function, bar, duration, file:line), plus what it returned."""
    if step.short_circuit:
        marker = ("■", "bold yellow")
    elif step.raised is not None:
        marker = ("✖", "bold red")
    elif step.skipped:
        marker = ("·", "dim")
    else:
        marker = ("✔", "green")
    filled = 0 if step.skipped else max(1, round(BAR_WIDTH * step.duration_us / longest))
    name = one_line(step.name, 22)
    duration = "skipped" if step.skipped else format_duration(step.duration_us)
    line = Text.assemble(
        (f"{number:>2} ", "dim"),
        marker,
        " ",
        (f"{step.label:<{KIND_WIDTH}}", "dim" if step.skipped else step_kind_style(step.label)),
        literal(f"{name:<22}", "dim strike" if step.skipped else "bold"),
        " ",
        ("━" * filled, "yellow" if step.short_circuit else "cyan"),
        ("─" * (BAR_WIDTH - filled), "grey30"),
        (f" {duration:>7}", "dim" if step.skipped else ""),
    )
    if step.file:
        line.append("  ")
        line.append(source_location(step.file, step.line), "dim")
    if step.short_circuit:
        line.append(f"{_UNDER_KIND}■ short-circuit: returned a response", style="bold yellow")
    if step.returned is not None and not step.skipped:
        line.append(f"{_UNDER_KIND}→ ", style="dim")
        line.append(literal(one_line(step.returned, 100), "italic"))
    if step.raised is not None:
        line.append(f"{_UNDER_KIND}✖ raised ", style="red")
        line.append(literal(f"{step.raised[0]}: {step.raised[1]}", "red"))
    return line


def _status_text(status: int | None) -> Text:
    return Text(str(status) if status is not None else "---", style=status_style(status))


class HookTimeline(TracePanel):
    """Shows :func:`render_timeline` for the trace it is given."""

    def render_trace(self, trace: Mapping[str, Any] | None) -> Text:
        return render_timeline(trace)


__all__ = ["HookTimeline", "render_timeline", "render_traceback"]
