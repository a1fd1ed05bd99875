"""The app's own output, per app: printed lines, logger records with their level, our notes."""

from __future__ import annotations

import datetime

from rich.text import Text
from textual.widgets import RichLog

from console.ui.literal import literal
from console.ui.state import AppView, LogLine

#: A flood of output shows its latest lines; the model keeps the rest (up to its capacity).
MAX_LINES_PER_FRAME = 300
_LEVEL_STYLES = {
    "DEBUG": "dim",
    "INFO": "green",
    "WARNING": "yellow",
    "ERROR": "bold red",
    "CRITICAL": "bold reverse red",
}


def log_line_text(line: LogLine) -> Text:
    clock = datetime.datetime.fromtimestamp(line.time).strftime("%H:%M:%S")
    level = line.level.upper()
    source = line.logger or line.stream
    return Text.assemble(
        (f"{clock} ", "dim"),
        (f"{level:<7} ", _LEVEL_STYLES.get(level, "")),
        literal(f"{source:<8} ", "dim cyan" if line.stream == "hookscope" else "dim"),
        literal(line.message.rstrip("\n"), "italic" if line.stream == "hookscope" else ""),
    )


class LogView(RichLog):
    """Appends the log lines of an :class:`AppView` it has not written yet."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, max_lines=5_000, wrap=True, markup=False, highlight=False)
        self._last: LogLine | None = None

    def show_view(self, view: AppView) -> None:
        logs = view.logs
        if not logs or logs[-1] is self._last:
            return
        start = 0
        if self._last is not None:
            for index in range(len(logs) - 1, -1, -1):
                if logs[index] is self._last:
                    start = index + 1
                    break
            else:
                self.clear()
        new = logs[start:]
        if len(new) > MAX_LINES_PER_FRAME:
            self.write(Text(f"… {len(new) - MAX_LINES_PER_FRAME} lines skipped", style="dim"))
            new = new[-MAX_LINES_PER_FRAME:]
        for line in new:
            self.write(log_line_text(line))
        self._last = logs[-1]

    def clear_lines(self) -> None:
        self.clear()
        self._last = None


__all__ = ["LogView", "log_line_text"]
