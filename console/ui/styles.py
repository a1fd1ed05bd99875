"""The console's colours for what recurs across widgets: statuses, step kinds, marks."""

from __future__ import annotations

from console.trace_format import status_class

#: By :func:`console.trace_format.status_class`.
STATUS_STYLES = {
    "none": "dim",
    "success": "bold green",
    "redirect": "bold cyan",
    "client_error": "bold yellow",
    "server_error": "bold red",
}
#: By the step's short kind label (:data:`console.trace_reader.STEP_KIND_LABELS`).
STEP_KIND_STYLES = {
    "before": "blue",
    "view": "bold green",
    "after": "magenta",
    "errorhandler": "red",
}
#: The trace list's marks: S short-circuit, E exception, R redirect.
MARK_STYLES = {"S": "bold black on yellow", "E": "bold white on red", "R": "bold black on cyan"}


def status_style(status: int | None) -> str:
    """The colour of an HTTP status: green success, cyan redirect, yellow/red errors."""
    return STATUS_STYLES[status_class(status)]


def step_kind_style(label: str) -> str:
    return STEP_KIND_STYLES.get(label, "cyan")


__all__ = ["MARK_STYLES", "STATUS_STYLES", "STEP_KIND_STYLES", "status_style", "step_kind_style"]
