"""Untrusted text (paths, headers, bodies, log lines) turned into something safe to display.

Two dangers: Rich markup in a string handed to a widget that parses markup (``[bold red]``,
``[link=...]``), and terminal control sequences (``\\x1b[2J``, ``\\x1b]8;;...``) that Rich
passes through to the terminal. Every piece of data the console shows goes through
:func:`literal`, which returns a :class:`rich.text.Text` (never parsed as markup) with every
control character except newline and tab replaced by a visible escape.
"""

from __future__ import annotations

import re

from rich.style import Style
from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(value: str) -> str:
    """``value`` with control characters shown as ``\\x1b``-style escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def literal(value: object, style: str | Style = "") -> Text:
    """A Text that shows ``value`` exactly as it is, whatever it contains."""
    return Text(visible(value if isinstance(value, str) else str(value)), style=style, end="")


def one_line(value: object, limit: int = 200) -> str:
    """``value`` on one line (newlines shown as ``⏎``), cut to ``limit`` characters."""
    text = visible(value if isinstance(value, str) else str(value)).replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def join_lines(lines: list[Text]) -> Text:
    """Texts stacked one per line, as one Text (Textual lays a single Text out best)."""
    return Text("\n", end="").join(lines)


__all__ = ["join_lines", "literal", "one_line", "visible"]
