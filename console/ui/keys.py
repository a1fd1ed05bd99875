"""Every key of the console, written once: the bindings, the key bar, help and the palette.

A :class:`Key` says what the key does (its app action), where it works (the sections; none
means anywhere) and where the key bar shows it. The app's ``BINDINGS``, the help screen
(``?``) and the command palette (``ctrl+p``) are all derived from :data:`KEYS`, so they can
never disagree. Keys that work only in one section stay bound at the app, not on a widget:
they work wherever the focus was left, as long as it is not in a text field.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

SECTIONS = ("routes", "request", "traces", "logs")
#: Section → the name of its place in the help screen.
PLACES = {"routes": "Routes", "request": "Request", "traces": "Traces", "logs": "Logs"}


@dataclass(frozen=True)
class Key:
    """One key: what it does and where.

    Attributes:
        key: Textual's key name(s), comma-separated.
        action: The app action it runs.
        label: Its name in the key bar.
        title: Its name in the command palette.
        help: What it does, for the help screen and the palette.
        sections: Where it works; empty means anywhere.
        shown_in: Where the key bar shows it; empty means nowhere.
        display: How the key is written for a person.
        place: Where the help screen lists it, when not where it works.
    """

    key: str
    action: str
    label: str
    title: str
    help: str
    display: str
    sections: tuple[str, ...] = ()
    shown_in: tuple[str, ...] = ()
    priority: bool = False
    in_palette: bool = True
    place: str = ""

    def works_in(self, section: str) -> bool:
        return not self.sections or section in self.sections


_ALL = SECTIONS
KEYS: tuple[Key, ...] = (
    # --- anywhere -----------------------------------------------------------------------
    Key("1", "section('routes')", "Routes", "Show routes", "the app's routes", "1"),
    Key("2", "section('request')", "Request", "Show request composer", "compose a request", "2"),
    Key("3", "section('traces')", "Traces", "Show traces", "every request, live", "3"),
    Key("4", "section('logs')", "Logs", "Show logs", "the app's output", "4"),
    Key(
        "t",
        "trace_pane('timeline')",
        "Timeline",
        "Show timeline",
        "the selected request's hooks, in the order they ran",
        "t",
    ),
    Key(
        "s",
        "trace_pane('session')",
        "Session",
        "Show session and flashes",
        "the session and flash messages before → after the request",
        "s",
    ),
    Key(
        "d",
        "trace_pane('detail')",
        "Detail",
        "Show request detail",
        "the request's routing, headers and bodies",
        "d",
    ),
    Key("left_square_bracket", "previous_app", "Prev app", "Previous app", "previous app", "["),
    Key(
        "right_square_bracket",
        "next_app",
        "Next app",
        "Next app",
        "next app",
        "]",
        shown_in=("routes", "logs"),
    ),
    Key(
        "r",
        "reload",
        "Reload",
        "Reload app",
        "load the app's code again (the old version serves until it is ready)",
        "r",
        shown_in=("routes", "logs"),
    ),
    Key(
        "R",
        "restart",
        "Restart",
        "Restart app",
        "a fresh worker, an empty cookie jar and an empty trace list",
        "R",
    ),
    Key(
        "ctrl+s",
        "send_request",
        "Send",
        "Send request",
        "send the composed request",
        "ctrl+s",
        shown_in=("request",),
        place="Request",
    ),
    Key(
        "ctrl+l",
        "focus_url",
        "URL bar",
        "Type a URL",
        "the free URL bar: any path, routed or not",
        "ctrl+l",
        shown_in=("request",),
        place="Request",
    ),
    Key(
        "ctrl+f",
        "toggle_follow",
        "Follow",
        "Follow redirects on/off",
        "follow redirects or stop at the first response",
        "ctrl+f",
        shown_in=("request",),
        place="Request",
    ),
    Key(
        "ctrl+o",
        "clear_cookies",
        "Clear jar",
        "Clear cookies",
        "empty the app's cookie jar",
        "ctrl+o",
        shown_in=("request",),
        place="Request",
    ),
    Key(
        "escape",
        "leave_field",
        "Leave field",
        "Leave field",
        "leave a text field, so the single-letter keys work again",
        "esc",
        shown_in=_ALL,
        in_palette=False,
    ),
    Key("question_mark", "help", "Help", "Help", "list every key", "?", shown_in=_ALL),
    Key("q", "quit", "Quit", "Quit", "quit (every worker is stopped)", "q"),
    Key("ctrl+q", "quit", "Quit", "Quit", "quit, even from a text field", "ctrl+q", priority=True),
    # --- in a section -------------------------------------------------------------------
    Key(
        "slash",
        "focus_filter",
        "Filter",
        "Filter",
        "filter the list",
        "/",
        sections=("routes", "traces"),
        shown_in=("routes", "traces"),
        in_palette=False,
    ),
    Key(
        "x",
        "replay",
        "Replay",
        "Replay request",
        "send the selected request again and compare the two traces",
        "x",
        sections=("traces",),
        shown_in=("traces",),
    ),
    Key(
        "y",
        "copy_curl",
        "Copy curl",
        "Copy as curl",
        "copy the selected request as a curl command",
        "y",
        sections=("traces",),
        shown_in=("traces",),
    ),
    Key(
        "e",
        "export",
        "Export",
        "Export traces",
        "write the trace list to a JSON lines file (asks where)",
        "e",
        sections=("traces",),
        shown_in=("traces",),
    ),
    Key(
        "p",
        "toggle_pause",
        "Pause",
        "Pause/resume traces",
        "freeze the trace list (new requests are still counted)",
        "p",
        sections=("traces",),
        shown_in=("traces",),
    ),
    Key(
        "c",
        "clear_traces",
        "Clear",
        "Clear traces",
        "empty the trace list",
        "c",
        sections=("traces",),
        shown_in=("traces",),
    ),
)

#: What the help screen says beside the keys, for things that are not a key of their own.
NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "Anywhere": (("ctrl+p", "command palette: every action by name"),),
    "Routes": (
        ("enter", "compose a request for the route under the cursor"),
        ("← →", "scroll the table sideways"),
        ("", "+ green: added, ~ yellow: changed by the last reload"),
    ),
    "Traces": (
        ("", "filter words: GET  404  4xx  S E R (marks)  /path"),
        ("", "marks: S short-circuit, E exception, R redirect"),
    ),
}

_BY_ACTION = {key.action: key for key in KEYS}


def bindings() -> list[Binding | tuple[str, str] | tuple[str, str, str]]:
    """The app's bindings, one per key (typed as Textual's ``BINDINGS``)."""
    return [
        Binding(
            key.key,
            key.action,
            key.label,
            key_display=key.display,
            priority=key.priority,
        )
        for key in KEYS
    ]


def key_for(action: str) -> Key | None:
    """The key that runs ``action`` (as written in a binding, with its arguments)."""
    return _BY_ACTION.get(action)


def shown_in_key_bar(action: str, section: str) -> bool:
    key = key_for(action)
    return key is None or section in key.shown_in


def help_places() -> list[tuple[str, list[tuple[str, str]]]]:
    """(place, [(key, what it does)]) in the order the help screen lists them."""
    places: dict[str, list[tuple[str, str]]] = {"Anywhere": [], "Routes": [], "Request": []}
    for key in KEYS:
        where = [key.place] if key.place else [PLACES[s] for s in key.sections]
        for place in where or ["Anywhere"]:
            places.setdefault(place, []).append((key.display, key.help))
    for place, notes in NOTES.items():
        places.setdefault(place, []).extend(notes)
    return list(places.items())


__all__ = [
    "KEYS",
    "NOTES",
    "PLACES",
    "SECTIONS",
    "Key",
    "bindings",
    "help_places",
    "key_for",
    "shown_in_key_bar",
]
