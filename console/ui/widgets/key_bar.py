"""The keys that apply where the focus is, on one line at the bottom: a light footer.

Textual's ``Footer`` rebuilds one widget per key every time the bindings may have changed
(each focus change, several times per key press), and styling those widgets is the costliest
part of a key press while traces stream in. This bar draws the same keys as one line of text,
redraws only when the list of keys really changed, and still runs a key when it is clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True)
class KeyEntry:
    """One key as the bar shows it."""

    key: str
    display: str
    description: str
    enabled: bool


def _always(binding: Binding) -> bool:
    return True


def shown_keys(
    screen: Screen[object], shows: Callable[[Binding], bool] = _always
) -> tuple[tuple[KeyEntry, ...], KeyEntry | None]:
    """The screen's active bindings to be shown (one per action), and the palette key."""
    app = screen.app
    entries: dict[str, KeyEntry] = {}
    palette: KeyEntry | None = None
    for active in screen.active_bindings.values():
        binding = active.binding
        entry = KeyEntry(
            binding.key, app.get_key_display(binding), binding.description, active.enabled
        )
        if app.ENABLE_COMMAND_PALETTE and binding.key == app.COMMAND_PALETTE_BINDING:
            palette = entry
        elif binding.show and binding.action not in entries and shows(binding):
            entries[binding.action] = entry
    return tuple(entries.values()), palette


class KeyBar(Widget, can_focus=False):
    """Shows the active keys that ``shows`` lets through; a click on one presses it."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover"}

    def __init__(self, shows: Callable[[Binding], bool] = _always) -> None:
        super().__init__()
        self._shows = shows
        self._keys: tuple[KeyEntry, ...] = ()
        self._palette: KeyEntry | None = None
        self._spans: list[tuple[int, int, KeyEntry]] = []
        self._hovered: KeyEntry | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys, palette = shown_keys(screen, self._shows)
        if (keys, palette) != (self._keys, self._palette):
            self._keys, self._palette = keys, palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        hover_style = self.get_component_rich_style("key-bar--hover", partial=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for entry in self._keys:
            start = len(line)
            line.append(f" {entry.display} ", key_style)
            if entry.description:
                line.append(f"{entry.description} ", description_style)
            self._finish_entry(line, start, entry, hover_style)
        palette = self._palette
        if palette is not None:
            label = Text.assemble(
                ("▏", "dim"), (f"{palette.display} ", key_style), (palette.description, "")
            )
            gap = self.size.width - len(line) - label.cell_len - 1
            if gap >= 1:
                line.append(" " * gap)
                start = len(line)
                line.append_text(label)
                line.append(" ")
                self._finish_entry(line, start, palette, hover_style)
        return line

    def _finish_entry(self, line: Text, start: int, entry: KeyEntry, hover: Style) -> None:
        self._spans.append((start, len(line), entry))
        if not entry.enabled:
            line.stylize("dim", start)
        if entry == self._hovered:
            line.stylize(hover, start)

    def _entry_at(self, x: int) -> KeyEntry | None:
        return next((entry for start, end, entry in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hovered = self._entry_at(event.x)
        if hovered != self._hovered:
            self._hovered = hovered
            self.refresh()

    def on_leave(self) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        entry = self._entry_at(event.x)
        if entry is None:
            return
        if entry.enabled:
            self.app.simulate_key(entry.key)
        else:
            self.app.bell()


__all__ = ["KeyBar", "KeyEntry", "shown_keys"]
