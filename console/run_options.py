"""Command-line options shared by the commands that run apps (``watch``, ``console``)."""

from __future__ import annotations

import click

from console.protocol import DEFAULT_GRACE

grace_option = click.option(
    "--grace",
    type=click.FloatRange(0, 3600),
    default=DEFAULT_GRACE,
    show_default=True,
    help="Seconds a request still running when its app reloads may take to finish; then it "
    "is cut (and traced as cut).",
)

__all__ = ["grace_option"]
