"""The export dialog (``e``): asks where to write the trace list, and writes it only there.

The proposed file is in the user's home directory, not in the project being worked on, and
the whole path is shown and can be edited; nothing is written until the user says so.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from console.ui.literal import literal
from console.ui.widgets.fields import TextField


def default_export_path(directory: Path, app_id: str) -> Path:
    """``directory/hookscope-APP-YYYYmmdd-HHMMSS.jsonl`` (the app's name made file-safe)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in app_id) or "app"
    return directory / f"hookscope-{safe}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"


def write_export(path: Path, content: str) -> str | None:
    """Write ``content`` to ``path`` (never over an existing file); the reason it failed."""
    if path.is_dir():
        return f"{path} is a directory; give a file name"
    if not path.parent.is_dir():
        return f"there is no directory {path.parent}"
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(content)
    except FileExistsError:
        return f"{path.name} exists already; choose another name"
    except OSError as error:
        return f"could not write {path}: {error.strerror or error}"
    return None


class ExportScreen(ModalScreen[Path | None]):
    """Dismissed with the path written, or None when the user cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", key_display="esc")]

    def __init__(self, content: str, count: int, path: Path) -> None:
        super().__init__()
        self._content = content
        self._count = count
        self._path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(
                Text.assemble(
                    (f"Export {self._count} trace{'s' if self._count != 1 else ''}", "bold"),
                    " as JSON lines, one trace per line, to:",
                ),
                id="export-title",
            )
            yield TextField(str(self._path), id="export-path")
            yield Static("", id="export-error")
            with Horizontal(id="export-buttons"):
                yield Button("Write ⏎", id="export-write", variant="primary", compact=True)
                yield Button("Cancel esc", id="export-cancel", compact=True)

    def on_mount(self) -> None:
        field = self.query_one("#export-path", Input)
        field.focus()
        field.cursor_position = len(field.value)

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-write")
    def _write(self) -> None:
        typed = self.query_one("#export-path", Input).value.strip()
        if not typed:
            self._complain("give a file name")
            return
        path = Path(typed).expanduser()
        if not path.is_absolute():
            path = self._path.parent / path  # beside the proposed file, whatever the cwd
        problem = write_export(path, self._content)
        if problem is not None:
            self._complain(problem)
            return
        self.dismiss(path)

    def _complain(self, problem: str) -> None:
        self.query_one("#export-error", Static).update(literal(problem, "bold red"))

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["ExportScreen", "default_export_path", "write_export"]
