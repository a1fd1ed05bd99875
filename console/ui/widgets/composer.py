"""The request composer: a url_for builder for a chosen route, and a free URL bar.

Picking a route fills the method (from the route's methods) and one input per rule argument;
each argument is checked with the route's converter as it is typed and the complaint is shown
under it, but the request can still be sent — a value the rule refuses is how the user sees
the 404. Query pairs, headers and a body (form fields, JSON or raw text) complete it; the URL
bar always shows the final path, and the user may type any path there, routed or not.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from console.protocol import RouteInfo
from console.trace_format import converter_name
from console.ui.exchange import OutgoingRequest
from console.ui.key_order import focus_now
from console.ui.literal import literal
from console.ui.url_builder import (
    build_url,
    check_argument,
    default_method,
    parse_pairs,
    rule_arguments,
)
from console.ui.widgets.fields import TextBox, TextField

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
BODY_KINDS = (("form fields", "form"), ("JSON", "json"), ("raw text", "raw"))


def encode_body(kind: str, text: str) -> tuple[bytes | None, str | None, str | None]:
    """The body bytes, their Content-Type, and a complaint (bad JSON) for the composer.

    Bad JSON is still sent as typed, so the user can watch the app refuse it.
    """
    if not text.strip():
        return None, None, None
    if kind == "form":
        return urlencode(parse_pairs(text, "=")).encode(), "application/x-www-form-urlencoded", None
    if kind == "json":
        try:
            json.loads(text)
        except ValueError as error:
            return text.encode(), "application/json", f"not valid JSON ({error}); sent as typed"
        return text.encode(), "application/json", None
    return text.encode(), "text/plain; charset=utf-8", None


class RequestComposer(Vertical):
    """The composer form; it reports :class:`RequestComposer.SendRequested`.

    What is on screen when the user sends is what is sent: the URL is built from the
    argument fields at that moment, not from the last preview (which trails the typing by
    the messages still queued), unless the user typed a URL of their own into the URL bar.
    """

    class SendRequested(Message):
        def __init__(self, request: OutgoingRequest) -> None:
            super().__init__()
            self.request = request

    def __init__(self, *, base_url: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._route: RouteInfo | None = None
        self._base_url = (base_url or "").rstrip("/")
        self._built_url: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="url-row"):
            yield Select(
                [(m, m) for m in METHODS], value="GET", allow_blank=False, id="method", compact=True
            )
            yield TextField(value="/", placeholder="/any/path?query=1", id="url-bar", compact=True)
            yield Button("Send ^s", id="send", variant="primary", compact=True)
        yield Static("", id="final-url")
        with VerticalScroll(id="composer-fields"):
            yield Static(
                Text("Pick a route in 1 Routes (enter), or type any path above.", "dim italic"),
                id="route-label",
            )
            yield Vertical(id="arguments")
            with Horizontal(classes="field-row"):
                yield Label("query", classes="field-label")
                yield TextBox(
                    "", id="query", classes="small-area", compact=True, placeholder="name=value"
                )
            with Horizontal(classes="field-row"):
                yield Label("headers", classes="field-label")
                yield TextBox(
                    "", id="headers", classes="small-area", compact=True, placeholder="Name: value"
                )
            with Horizontal(classes="field-row body-kind-row"):
                yield Label("body", classes="field-label")
                yield Select(
                    BODY_KINDS, value="form", allow_blank=False, id="body-kind", compact=True
                )
                yield Checkbox("follow redirects ^f", id="follow", compact=True)
            with Horizontal(classes="field-row body-row"):
                yield Label("", classes="field-label")
                yield TextBox(
                    "", id="body", classes="body-area", compact=True, placeholder="name=value"
                )
            yield Static("", id="body-complaint", classes="complaint")

    def set_base_url(self, url: str | None) -> None:
        base_url = (url or "").rstrip("/")
        if base_url != self._base_url:
            self._base_url = base_url
            self._update_final_url()

    async def prefill(self, route: RouteInfo) -> None:
        """Fill the form for ``route``: method, one input per argument (checked), the URL;
        then focus the first argument.

        The previous route's fields are gone before the new ones are focused: focusing a
        field that is still being removed leaves the focus nowhere, and keys typed next
        would reach the app's own bindings instead of the form.
        """
        self._route = route
        self.query_one("#method", Select).value = default_method(route)
        self.query_one("#route-label", Static).update(
            Text.assemble(
                ("route ", "dim"),
                literal(route.rule, "bold"),
                ("  endpoint ", "dim"),
                literal(route.endpoint, "bold"),
            )
        )
        arguments = self.query_one("#arguments", Vertical)
        await arguments.remove_children()
        rows = []
        for converter in rule_arguments(route):
            label = f"{converter.name} <{converter_name(converter.converter)}" + (
                f"({converter.arguments})>" if converter.arguments else ">"
            )
            rows.append(
                Vertical(
                    Horizontal(
                        Label(literal(label), classes="argument-label"),
                        TextField(
                            placeholder=converter.name,
                            id=f"arg-{converter.name}",
                            classes="argument",
                            compact=True,
                        ),
                        classes="argument-row",
                    ),
                    Static("", id=f"complaint-{converter.name}", classes="complaint"),
                    classes="argument-block",
                )
            )
        await arguments.mount_all(rows)
        self._show_url(self._route_url() or "/")  # no complaint before the user types
        self.focus_first_field()

    def focus_first_field(self) -> None:
        """The first rule argument when the route has some, else the URL bar."""
        first = next(self.query(".argument").results(Input), None)
        focus_now(first or self.query_one("#url-bar", Input))

    def leave_field(self) -> None:
        """Out of the text fields, onto the Send button: the single-letter keys work again."""
        focus_now(self.query_one("#send", Button))

    def argument_values(self) -> dict[str, str]:
        return {
            (widget.id or "")[4:]: widget.value for widget in self.query(".argument").results(Input)
        }

    def _route_url(self) -> str | None:
        """The URL the route and the fields build right now (None without a route)."""
        if self._route is None:
            return None
        query = parse_pairs(self.query_one("#query", TextArea).text, "=")
        return build_url(self._route, self.argument_values(), query)

    def _rebuild_url(self) -> None:
        if self._route is None:
            return
        values = self.argument_values()
        for converter in rule_arguments(self._route):
            complaint = check_argument(converter, values.get(converter.name, ""))
            for widget in self.query(f"#complaint-{converter.name}").results(Static):
                widget.update(literal(complaint or "", "red") if complaint else "")
                widget.set_class(bool(complaint), "-shown")
        self._show_url(self._route_url() or "/")

    def _show_url(self, url: str) -> None:
        self._built_url = url
        self.query_one("#url-bar", Input).value = url

    def _update_final_url(self) -> None:
        path = self.query_one("#url-bar", Input).value or "/"
        method = self.query_one("#method", Select).value
        self.query_one("#final-url", Static).update(
            Text.assemble(("→ ", "dim"), (f"{method} ", "bold"), literal(self._base_url + path))
        )

    @on(Input.Changed, ".argument")
    def _argument_changed(self) -> None:
        self._rebuild_url()

    @on(TextArea.Changed, "#query")
    def _query_changed(self) -> None:
        self._rebuild_url()

    @on(TextArea.Changed, "#body")
    @on(Select.Changed, "#body-kind")
    def _body_changed(self) -> None:
        kind = str(self.query_one("#body-kind", Select).value)
        _, _, complaint = encode_body(kind, self.query_one("#body", TextArea).text)
        widget = self.query_one("#body-complaint", Static)
        widget.update(literal(complaint or "", "yellow"))
        widget.set_class(bool(complaint), "-shown")

    @on(Input.Changed, "#url-bar")
    @on(Select.Changed, "#method")
    def _url_changed(self) -> None:
        self._update_final_url()

    @on(Input.Submitted)
    @on(Button.Pressed, "#send")
    def _submit(self) -> None:
        self.action_send()

    def current_path(self) -> str:
        """The path to send: built from the fields now, or the URL the user typed."""
        typed = self.query_one("#url-bar", Input).value.strip()
        built = self._route_url()
        if built is not None and typed == (self._built_url or "").strip():
            if built != typed:
                self._show_url(built)
            return built
        return typed or "/"

    def build_request(self) -> OutgoingRequest:
        path = self.current_path()
        if not path.startswith("/"):
            path = "/" + path
        headers = [
            pair for pair in parse_pairs(self.query_one("#headers", TextArea).text, ":") if pair[0]
        ]
        kind = str(self.query_one("#body-kind", Select).value)
        body, content_type, _ = encode_body(kind, self.query_one("#body", TextArea).text)
        if content_type and not any(name.lower() == "content-type" for name, _ in headers):
            headers.append(("Content-Type", content_type))
        return OutgoingRequest(
            method=str(self.query_one("#method", Select).value),
            path=path,
            headers=tuple(headers),
            body=body,
            follow_redirects=self.query_one("#follow", Checkbox).value,
        )

    def action_send(self) -> None:
        self.post_message(self.SendRequested(self.build_request()))

    def action_toggle_follow(self) -> None:
        checkbox = self.query_one("#follow", Checkbox)
        checkbox.value = not checkbox.value
        self.notify(f"follow redirects: {'on' if checkbox.value else 'off'}", timeout=2)

    def action_focus_url(self) -> None:
        focus_now(self.query_one("#url-bar", Input))


__all__ = ["BODY_KINDS", "METHODS", "RequestComposer", "encode_body"]
