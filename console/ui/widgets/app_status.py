"""One line about an app: its state, URL, last reload, pid, and trace counts."""

from __future__ import annotations

import datetime

from rich.text import Text
from textual.widgets import Static

from console.ui.literal import literal
from console.ui.state import AppView

STATE_STYLES = {
    "starting": ("◌", "bold yellow"),
    "running": ("●", "bold green"),
    "reloading": ("◐", "bold cyan"),
    "load_error": ("▲", "bold red"),
    "crashed": ("✖", "bold red"),
    "stopped": ("○", "dim"),
}


def state_badge(view: AppView) -> Text:
    symbol, style = STATE_STYLES.get(view.state, ("?", ""))
    return Text(f"{symbol} {view.state.replace('_', ' ')}", style=style)


def render_status(view: AppView) -> Text:
    text = Text.assemble(state_badge(view), "  ")
    text.append(literal(view.url or "no port yet", "bold underline" if view.url else "dim"))
    if view.last_reload is not None:
        clock = datetime.datetime.fromtimestamp(view.last_reload).strftime("%H:%M:%S")
        text.append(f"  loaded {clock}", "")
        if view.reloads:
            text.append(f" ({view.reloads} reload{'s' if view.reloads > 1 else ''})", "dim")
    if view.pid:
        text.append(f"  pid {view.pid}", "dim")
    text.append(f"  {view.traces_seen} requests", "dim")
    if view.traces_dropped:
        text.append(f"  {view.traces_dropped} traces dropped", "bold red")
    if view.detail and view.state != "running":
        text.append("  ")
        text.append(literal(view.detail, "italic"))
    if view.target:
        text.append("  ")
        text.append(literal(view.target, "dim"))
    return text


class AppStatusBar(Static):
    def show_view(self, view: AppView) -> None:
        self.update(render_status(view), layout=False)  # one line, whatever it says


__all__ = ["STATE_STYLES", "AppStatusBar", "render_status", "state_badge"]
