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


def tab_label(view: AppView) -> Text:
    """An app's tab: its state's symbol and its name; the state's word only when it is not
    running, and ▲ while a load error waits for a fix (the old version serving)."""
    symbol, style = STATE_STYLES.get(view.state, ("?", ""))
    label = Text.assemble((symbol, style), " ", literal(view.app, "bold"))
    if view.state != "running":
        label.append(f" {view.state.replace('_', ' ')}", style)
    if view.load_error is not None and view.state != "load_error":
        label.append(" ▲", "bold red")
    return label


def render_status(view: AppView) -> Text:
    """What matters first comes first, so a narrow terminal cuts only the least useful."""
    text = Text.assemble(state_badge(view), "  ")
    text.append(literal(view.url or "no port yet", "bold underline" if view.url else "dim"))
    text.append(f"  {view.traces_seen} request{'' if view.traces_seen == 1 else 's'}", "")
    if view.traces_dropped:
        text.append(f"  {view.traces_dropped} traces dropped", "bold red")
    if view.detail and view.state != "running" and view.load_error is None:  # the banner says
        text.append("  ")
        text.append(literal(view.detail, "italic"))
    if view.last_reload is not None:
        clock = datetime.datetime.fromtimestamp(view.last_reload).strftime("%H:%M:%S")
        text.append(f"  loaded {clock}", "dim")
        if view.reloads:
            text.append(f" ({view.reloads} reload{'s' if view.reloads > 1 else ''})", "dim")
    if view.pid:
        text.append(f"  pid {view.pid}", "dim")
    if view.target:
        text.append("  ")
        text.append(literal(view.target, "dim"))
    return text


class AppStatusBar(Static):
    def show_view(self, view: AppView) -> None:
        self.update(render_status(view), layout=False)  # one line, whatever it says


__all__ = ["STATE_STYLES", "AppStatusBar", "render_status", "state_badge", "tab_label"]
