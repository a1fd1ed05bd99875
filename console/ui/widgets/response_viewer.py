"""The response viewer: status, timing, redirect chain, headers, body, and the cookie jar.

JSON bodies are pretty-printed and highlighted, HTML highlighted, binary bodies summarised
(size and the first bytes in hex). All of it is data from the app, shown literally.
"""

from __future__ import annotations

import json

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Static

from console.trace_format import format_duration
from console.ui.exchange import Exchange
from console.ui.literal import join_lines, literal, one_line, visible
from console.ui.styles import status_style

MAX_BODY_SHOWN = 200_000


def render_body(headers: tuple[tuple[str, str], ...], body: bytes) -> RenderableType:
    """Pretty body: JSON indented and highlighted, HTML highlighted, binary summarised."""
    if not body:
        return Text("(empty body)", style="dim italic")
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "").lower()
    clipped = body[:MAX_BODY_SHOWN]
    try:
        text = clipped.decode("utf-8")
    except UnicodeDecodeError:
        if "text" not in content_type and "json" not in content_type:
            return Text.assemble(
                (f"binary body, {len(body):,} bytes", "bold"),
                (f"  ({content_type or 'no content type'})\n", "dim"),
                (clipped[:64].hex(" "), "dim"),
            )
        text = clipped.decode("utf-8", "replace")
    text = visible(text)
    # Pygments loads dozens of modules: the first highlighted body pays for them, not startup.
    from rich.syntax import Syntax

    if "json" in content_type:
        try:
            text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        except ValueError:
            return literal(text)
        return Syntax(text, "json", theme="ansi_dark", word_wrap=True, background_color="default")
    if "html" in content_type or "xml" in content_type:
        return Syntax(text, "html", theme="ansi_dark", word_wrap=True, background_color="default")
    return literal(text)


def render_summary(exchange: Exchange | None) -> Text:
    if exchange is None:
        return Text("No request sent yet: compose one and press ctrl+s.", style="dim italic")
    if exchange.error is not None:
        return Text.assemble(
            ("✖ ", "bold red"),
            (f"{exchange.method} ", "bold"),
            literal(exchange.url),
            "\n",
            literal(exchange.error, "red"),
        )
    style = status_style(exchange.status).replace("bold ", "")
    lines: list[Text] = [
        Text.assemble(
            (f" {exchange.status} ", f"bold reverse {style}"),
            " ",
            literal(exchange.reason, "bold"),
            "  ",
            (f"{exchange.method} ", "bold"),
            literal(exchange.url),
            ("  " + format_duration(exchange.elapsed_ms * 1000), "dim"),
            ("  id " + exchange.request_id[:12], "dim"),
        )
    ]
    for hop in exchange.redirects:
        lines.append(
            Text.assemble(
                ("  ↪ ", "cyan"),
                (f"{hop.status} ", "cyan"),
                literal(hop.url, "dim"),
                (" → ", "dim"),
                literal(hop.location or "", "cyan"),
            )
        )
    return join_lines(lines)


def render_headers(headers: tuple[tuple[str, str], ...]) -> Text:
    text = Text()
    for name, value in headers:
        text.append(literal(name, "bold cyan"))
        text.append(": ")
        text.append(literal(one_line(value, 400)))
        text.append("\n")
    text.rstrip()
    return text


def render_cookies(cookies: tuple[tuple[str, str, str], ...]) -> Text:
    if not cookies:
        return Text("cookie jar: empty", style="dim")
    text = Text("cookie jar: ", style="bold")
    for index, (name, value, path) in enumerate(cookies):
        if index:
            text.append("; ")
        text.append(literal(name, "bold"))
        text.append("=")
        text.append(literal(one_line(value, 60), "dim"))
        text.append(literal(f" ({path})", "dim"))
    return text


class ResponseViewer(Vertical):
    """Shows an :class:`Exchange`; reports :class:`ResponseViewer.CookiesCleared`."""

    class CookiesCleared(Message):
        """The user asked to empty this app's cookie jar."""

    def compose(self) -> ComposeResult:
        yield Static(render_summary(None), id="response-summary")
        with Horizontal(id="cookie-row"):
            yield Static(render_cookies(()), id="cookie-jar")
            yield Button("clear ^o", id="clear-cookies", variant="warning", compact=True)
        with VerticalScroll(id="response-scroll"):
            yield Static("", id="response-headers")
            yield Static("", id="response-body")

    def show_exchange(self, exchange: Exchange | None) -> None:
        self.query_one("#response-summary", Static).update(render_summary(exchange))
        if exchange is None or exchange.error is not None:
            self.query_one("#response-headers", Static).update("")
            self.query_one("#response-body", Static).update("")
        else:
            self.query_one("#response-headers", Static).update(render_headers(exchange.headers))
            self.query_one("#response-body", Static).update(
                render_body(exchange.headers, exchange.body)
            )
        if exchange is not None:
            self.show_cookies(exchange.cookies)

    def show_cookies(self, cookies: tuple[tuple[str, str, str], ...]) -> None:
        self.query_one("#cookie-jar", Static).update(render_cookies(cookies))

    @on(Button.Pressed, "#clear-cookies")
    def action_clear_cookies(self) -> None:
        self.post_message(self.CookiesCleared())


__all__ = ["ResponseViewer", "render_body", "render_headers", "render_summary"]
