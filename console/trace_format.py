"""The one plain-text formatter of what the console shows: steps, traces, routes, statuses.

``hookscope watch`` prints these strings as they are; the console's widgets take the same
pieces and only add colour. Nothing here knows Rich or Textual. Everything that comes from an
app goes through :func:`visible` (or :func:`one_line`), so an app cannot drive the user's
terminal, re-order its text (bidirectional controls) or break a line where none was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from console.protocol import RouteInfo
from console.trace_reader import (
    StepView,
    mapping,
    number,
    read_steps,
    text,
    trace_exception,
    trace_status,
)

ARROW = " → "
#: Control characters, line and paragraph separators and bidirectional overrides: shown as
#: escapes. Newline and tab are left to the caller (:func:`one_line` folds newlines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: The steps a one-line summary names; teardown and the rest are in the full timeline.
_SUMMARY_KINDS = ("url_value_preprocessor", "before_request", "view", "after_request")
_HIDDEN_METHODS = ("HEAD", "OPTIONS")


def visible(value: str) -> str:
    """``value`` with control characters shown as ``\\x1b``-style escapes."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), value)


def one_line(value: object, limit: int = 200) -> str:
    """``value`` on one line (newlines shown as ``⏎``), cut to ``limit`` characters."""
    shown = visible(value if isinstance(value, str) else str(value)).replace("\n", "⏎")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def format_duration(microseconds: float) -> str:
    if microseconds >= 1_000_000:
        return f"{microseconds / 1_000_000:.2f}s"
    if microseconds >= 1_000:
        return f"{microseconds / 1_000:.1f}ms"
    return f"{int(microseconds)}µs"


def status_class(status: int | None) -> str:
    """``success``, ``redirect``, ``client_error``, ``server_error`` or ``none``."""
    if status is None:
        return "none"
    if status < 300:
        return "success"
    if status < 400:
        return "redirect"
    return "client_error" if status < 500 else "server_error"


def source_location(file: str | None, line: int | None, cwd: str | None = None) -> str:
    """``path:line`` with the path relative to ``cwd`` (the project) when it is inside it."""
    if not file:
        return ""
    base = cwd if cwd is not None else os.getcwd()
    path = file
    try:
        relative = os.path.relpath(file, base)
    except ValueError:  # another drive
        relative = ""
    if relative and not relative.startswith(".."):
        path = relative
    return visible(f"{path}:{line}" if line is not None else path)


# --- steps and traces ---------------------------------------------------------------------


def step_summary(step: StepView) -> str:
    """A step as the one-line summary names it: ``before_req1 [short-circuit]``."""
    name = step.name if step.kind != "errorhandler" else f"errorhandler {step.name}"
    if step.short_circuit:
        name += " [short-circuit]"
    if step.raised is not None:
        name += f" [raised {step.raised[0]}]"
    return one_line(name)


def format_steps(steps: Iterable[StepView]) -> str:
    """The hooks that ran, in order, with short-circuits and exceptions marked."""
    return ARROW.join(
        step_summary(step)
        for step in steps
        if not step.skipped and step.kind in (*_SUMMARY_KINDS, "errorhandler")
    )


def request_target(trace: Mapping[str, Any]) -> str:
    request = mapping(trace.get("request"))
    path = text(request.get("path"), "?")
    query = text(request.get("query_string"), "")
    return f"{path}?{query}" if query else path


def format_trace(trace: Mapping[str, Any]) -> str:
    """``GET /index?v=1 302 1.4ms  before_req1 → view → after_req1`` for one trace."""
    method = text(mapping(trace.get("request")).get("method"), "?")
    status = trace_status(trace)
    line = one_line(f"{method} {request_target(trace)} {status if status is not None else '---'}")
    line += f" {format_duration(number(trace.get('duration_us')))}"
    steps = format_steps(read_steps(trace))
    if steps:
        line += f"  {steps}"
    exception = trace_exception(trace)
    if exception is not None:
        line += "  !! " + one_line(f"{exception[0]}: {exception[1]}")
    return line


# --- routes -------------------------------------------------------------------------------


def route_methods(route: RouteInfo) -> list[str]:
    """The methods worth naming (HEAD and OPTIONS come with every rule), sorted."""
    return sorted(m for m in route.methods if m not in _HIDDEN_METHODS) or list(route.methods)


def converter_name(converter: str) -> str:
    """A converter as a person writes it: a bare ``<name>`` is a ``string``."""
    return "string" if converter == "default" else converter


def route_converters(route: RouteInfo) -> str:
    return ", ".join(
        f"{c.name}:{converter_name(c.converter)}" + (f"({c.arguments})" if c.arguments else "")
        for c in route.converters
    )


def route_defaults(route: RouteInfo) -> str:
    return ", ".join(
        f"{key}={value if isinstance(value, str) else repr(value)}"
        for key, value in (route.defaults or {}).items()
    )


def route_view(route: RouteInfo) -> str:
    """The view's name; a function defined inside the framework (``static``) said plainly."""
    view = route.view or ""
    if "<locals>" in view or "<lambda>" in view:
        return "static files" if route.endpoint.rpartition(".")[2] == "static" else "(inline)"
    return view


def route_location(route: RouteInfo, cwd: str | None = None) -> str:
    if route_view(route) == "static files":
        return ""  # the framework's own code, not the app's
    return source_location(route.file, route.line, cwd)


def route_host(route: RouteInfo) -> str:
    return route.subdomain or route.host or ""


def format_route(route: RouteInfo, cwd: str | None = None) -> str:
    """``GET,POST  /user/<int:id>  user  app/views.py:12  → /people/<id>``."""
    columns = (
        f"{','.join(route_methods(route)):<14} {route.rule:<32} {route.endpoint:<20} "
        f"{route_location(route, cwd)}"
    )
    extras = []
    if route.redirect_to:
        extras.append(f"→ {route.redirect_to}")
    if route.subdomain:
        extras.append(f"subdomain={route.subdomain}")
    if route.host:
        extras.append(f"host={route.host}")
    return one_line(" ".join([columns.rstrip(), *extras]), 10_000)


__all__ = [
    "ARROW",
    "converter_name",
    "format_duration",
    "format_route",
    "format_steps",
    "format_trace",
    "one_line",
    "request_target",
    "route_converters",
    "route_defaults",
    "route_host",
    "route_location",
    "route_methods",
    "route_view",
    "source_location",
    "status_class",
    "step_summary",
    "visible",
]
