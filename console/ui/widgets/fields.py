"""Text fields that apply every key in the order it was typed.

Textual inserts a printable key as soon as the focused field receives it, but runs the
field's own bindings (backspace, delete, the cursor keys, enter) only once the key has
bubbled up to the app, whose queue may already hold the keys typed after it. Keys that come
faster than that round trip — a quick correction, a paste-like burst, or any typing while
the console is busy drawing a flood of traces — were applied out of order: typing ``abc``,
three backspaces and ``4.2`` left ``abc`` in the field. These fields run their own bindings
the moment a key arrives, so what is on screen is what was typed.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea


async def _run_own_binding(field: Widget, event: events.Key) -> None:
    """Run ``field``'s own binding for the key now; without one, the field's key handler
    (which inserts printable keys) runs next, as usual."""
    for binding in field._bindings.key_to_bindings.get(event.key, ()):
        if not binding.priority and await field.app.run_action(binding.action, field):
            event.stop()
            event.prevent_default()
            return


class TextField(Input):
    """A one-line :class:`~textual.widgets.Input` that keeps the order of typed keys."""

    async def _on_key(self, event: events.Key) -> None:
        await _run_own_binding(self, event)


class TextBox(TextArea):
    """A :class:`~textual.widgets.TextArea` that keeps the order of typed keys."""

    async def _on_key(self, event: events.Key) -> None:
        await _run_own_binding(self, event)


__all__ = ["TextBox", "TextField"]
