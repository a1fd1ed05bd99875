"""Untrusted text (paths, headers, bodies, log lines) turned into something safe to display.

Two dangers: Rich markup in a string handed to a widget that parses markup (``[bold red]``,
``[link=...]``), and terminal control sequences (``\\x1b[2J``, ``\\x1b]8;;...``) that Rich
passes through to the terminal. Every piece of data the console shows goes through
:func:`literal`, which returns a :class:`rich.text.Text` (never parsed as markup) with every
control character except newline and tab replaced by a visible escape
(:func:`console.trace_format.visible`, which ``hookscope watch`` uses too).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from console.trace_format import one_line, visible


def literal(value: object, style: str | Style = "") -> Text:
    """A Text that shows ``value`` exactly as it is, whatever it contains."""
    return Text(visible(value if isinstance(value, str) else str(value)), style=style, end="")


def join_lines(lines: list[Text]) -> Text:
    """Texts stacked one per line, as one Text (Textual lays a single Text out best)."""
    return Text("\n", end="").join(lines)


__all__ = ["join_lines", "literal", "one_line", "visible"]
