"""Keys handled in the order they were typed, however fast they come.

Textual hands a key to the focused widget first and runs the key bindings only once the key,
unhandled, has bubbled back up to the app — behind every key that arrived meanwhile, which
the app has already handed on. Typed faster than that round trip (a quick burst, or any
typing while the console is busy drawing a flood of traces), keys were applied out of order:
``/`` then ``float`` on the route table put nothing in the filter and took the ``t`` for the
Timeline key. Three things keep the typed order:

* A widget that takes no keys itself (a table, a button, a tab bar) can only pass a key on
  to the bindings, so the app runs them as the key arrives: the same bindings, in the same
  order of precedence, only in the order typed (:func:`takes_keys_itself`).
* A key that moves the focus moves it at once (:func:`focus_now`): ``Widget.focus`` waits
  its turn in the app's queue, behind the keys typed after it, which would still go to the
  widget losing the focus.
* Text fields run their own bindings (backspace, the cursor keys) as the key arrives: see
  :mod:`console.ui.widgets.fields`.
"""

from __future__ import annotations

import functools

from textual.widget import Widget

_KEY_HANDLERS = ("_on_key", "on_key")


def focus_now(widget: Widget) -> None:
    """Focus ``widget`` before the next key is handled (or, if it cannot take the focus yet
    because it is still being shown, as soon as it can)."""
    if widget.focusable:
        widget.screen.set_focus(widget)
    else:
        widget.focus()


def takes_keys_itself(widget: Widget | None) -> bool:
    """Whether ``widget`` handles keys of its own (text, search) before any binding."""
    return widget is not None and _class_takes_keys(type(widget))


@functools.cache
def _class_takes_keys(cls: type[Widget]) -> bool:
    for klass in cls.__mro__:
        if klass is Widget:
            return False
        if any(name in _KEY_HANDLERS or name.startswith("key_") for name in vars(klass)):
            return True
    return False


__all__ = ["focus_now", "takes_keys_itself"]
