"""Tabs that follow the focus only while it is still where it went.

``TabbedContent`` shows the pane of any widget that gets the focus, through a
``TabPane.Focused`` message. When a key switches panes right after a focus change, that message
may still be queued; handled late, it switched back to the pane the user just left.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class SectionTabs(TabbedContent):
    """A ``TabbedContent`` that ignores a focus message the focus has already moved on from."""

    def on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        focused = self.screen.focused
        if focused is None or event.tab_pane not in focused.ancestors:
            event.prevent_default()  # TabbedContent's own handler would show that pane
            event.stop()


__all__ = ["SectionTabs"]
