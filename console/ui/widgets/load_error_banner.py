"""The load-error banner: the new code failed to load, the last good version keeps serving."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from console.protocol import LoadError
from console.trace_format import source_location
from console.ui.literal import join_lines, literal
from console.ui.widgets.hook_timeline import render_traceback


def render_load_error(error: LoadError, serving: bool) -> Text:
    where = Text()
    if error.file:
        where = Text.assemble(
            (" at ", "dim"),
            (source_location(error.file, error.line), "bold underline yellow"),
        )
    headline = Text.assemble(
        (" LOAD ERROR ", "bold reverse red"),
        " ",
        literal(error.exc_type, "bold red"),
        ": ",
        literal(error.message, "bold"),
        where,
    )
    note = Text(
        "the last good version keeps serving; save a fix to reload"
        if serving
        else "no version is serving; save a fix to reload",
        style="italic dim",
    )
    parts = [headline, note]
    lines = error.traceback.rstrip().splitlines()
    if lines and lines[-1].strip() in (f"{error.exc_type}: {error.message}", error.exc_type):
        lines.pop()  # the headline said it
    if lines:
        parts.append(render_traceback("\n".join(lines)))
    return join_lines(parts)


class LoadErrorBanner(Static):
    """Hidden while the app loads fine; shows the error and traceback when it does not."""

    def show_error(self, error: LoadError | None, serving: bool) -> None:
        self.display = error is not None
        if error is not None:
            self.update(render_load_error(error, serving))


__all__ = ["LoadErrorBanner", "render_load_error"]
