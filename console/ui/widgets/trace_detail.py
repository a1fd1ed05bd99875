"""The raw request and response of a trace: routing outcome, headers, body previews."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text

from console.trace_reader import header_pairs
from console.ui.literal import join_lines, literal, one_line
from console.ui.widgets.response_viewer import render_headers
from console.ui.widgets.trace_panel import TracePanel


def render_detail(trace: Mapping[str, Any] | None) -> Text:
    if trace is None:
        return Text("Select a request to see what was sent and returned.", style="dim italic")
    request, response, routing = (_part(trace, key) for key in ("request", "response", "routing"))
    parts: list[Text] = [Text("Routing", style="bold underline")]
    parts.append(
        Text.assemble(
            ("  outcome ", "dim"),
            literal(routing.get("outcome", "?"), "bold"),
            ("  rule ", "dim"),
            literal(routing.get("rule") or "-"),
            ("  endpoint ", "dim"),
            literal(routing.get("endpoint") or "-"),
            ("  args ", "dim"),
            literal(one_line(repr(routing.get("view_args") or {}), 80)),
        )
    )
    parts += [Text(""), Text("Request headers", style="bold underline")]
    parts.append(render_headers(tuple(header_pairs(request.get("headers")))))
    body = request.get("body_preview")
    if isinstance(body, str) and body:
        parts += [Text("Request body", style="bold underline"), literal(one_line(body, 2000))]
    parts += [Text(""), Text("Response headers", style="bold underline")]
    parts.append(render_headers(tuple(header_pairs(response.get("headers")))))
    preview = response.get("body_preview")
    if isinstance(preview, str) and preview:
        parts += [Text("Response body (preview)", style="bold underline"), literal(preview)]
    return join_lines(parts)


def _part(trace: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = trace.get(key)
    return value if isinstance(value, Mapping) else {}


class TraceDetail(TracePanel):
    def render_trace(self, trace: Mapping[str, Any] | None) -> Text:
        return render_detail(trace)


__all__ = ["TraceDetail", "render_detail"]
