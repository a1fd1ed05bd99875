"""The composer's url_for builder: check rule arguments with their converters, build the URL.

The console has no access to the app's code, only to the route description the worker sent,
so a rule argument is checked with Werkzeug's own converter when it is one of the built-in
ones (``int(min=1)`` refuses ``0`` as the app would) and with the converter's regex
otherwise. A failed check is a complaint to show, not a refusal: sending a value the rule
does not accept is how a user sees the 404 on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from werkzeug.routing import Map
from werkzeug.routing.converters import ValidationError
from werkzeug.routing.rules import parse_converter_args

from console.protocol import ConverterInfo, RouteInfo

_RULE_PART = re.compile(r"<(?:[^<>:]+:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")


def check_argument(converter: ConverterInfo, value: str) -> str | None:
    """Why ``value`` does not match the rule argument, or None when it does."""
    if value == "":
        return f"{converter.name} is empty; the rule needs a value"
    builtin = Map.default_converters.get(converter.converter)
    if builtin is not None:
        try:
            args, kwargs = (
                parse_converter_args(converter.arguments) if converter.arguments else ((), {})
            )
            instance = builtin(Map(), *args, **kwargs)
        except Exception as error:  # an argument list the console cannot interpret
            return _regex_check(converter, value) or (
                f"could not check with {converter.converter}({converter.arguments}): {error}"
            )
        if not re.fullmatch(instance.regex, value):
            return _describe_mismatch(converter, value)
        try:
            instance.to_python(value)
        except ValidationError:
            return f"{value!r} is out of range for {_label(converter)}"
        except Exception as error:  # the converter's own complaint, shown as it is
            return f"{_label(converter)} refuses {value!r}: {error}"
        return None
    return _regex_check(converter, value)


def build_url(
    route: RouteInfo, arguments: Mapping[str, str], query: Sequence[tuple[str, str]] = ()
) -> str:
    """The path ``url_for`` would build for ``route`` with these arguments and query pairs.

    Arguments are percent-encoded as Werkzeug's converters do (``path`` keeps its slashes);
    a missing one is left as its ``<name>`` placeholder so the preview shows what is missing.
    """
    converters = {c.name: c for c in route.converters}

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        value = arguments.get(name, "")
        if value == "":
            return f"<{name}>"
        kind = converters[name].converter if name in converters else "default"
        return quote(value, safe="/" if kind == "path" else "")

    path = _RULE_PART.sub(fill, route.rule)
    pairs = [(k, v) for k, v in query if k]
    return path + ("?" + urlencode(pairs) if pairs else "")


def rule_arguments(route: RouteInfo) -> list[ConverterInfo]:
    """The rule's arguments in the order they appear, with their converters."""
    known = {c.name: c for c in route.converters}
    return [
        known.get(m.group("name"), ConverterInfo(m.group("name"), "default"))
        for m in _RULE_PART.finditer(route.rule)
    ]


def default_method(route: RouteInfo) -> str:
    """The method the composer starts with: GET when allowed, else the first one offered."""
    methods = [m for m in route.methods if m not in ("HEAD", "OPTIONS")]
    if "GET" in methods or not methods:
        return "GET"
    return sorted(methods)[0]


def _regex_check(converter: ConverterInfo, value: str) -> str | None:
    if not converter.regex:
        return None if "/" not in value else f"{converter.name} cannot contain '/'"
    try:
        matched = re.fullmatch(converter.regex, value)
    except re.error:
        return None
    return None if matched else _describe_mismatch(converter, value)


def _describe_mismatch(converter: ConverterInfo, value: str) -> str:
    return f"{value!r} does not match {_label(converter)}; the request will get a 404"


def _label(converter: ConverterInfo) -> str:
    arguments = f"({converter.arguments})" if converter.arguments else ""
    return f"<{converter.converter}{arguments}:{converter.name}>"


def parse_pairs(text: str, separator: str) -> list[tuple[str, str]]:
    """``name=value`` (or ``Name: value``) lines into pairs; blank lines are skipped."""
    pairs = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, value = line.partition(separator)
        pairs.append((name.strip(), value.strip()))
    return pairs


def describe_value(value: Any) -> str:
    """A route default or argument as the inspector prints it."""
    return value if isinstance(value, str) else repr(value)


__all__ = [
    "build_url",
    "check_argument",
    "default_method",
    "describe_value",
    "parse_pairs",
    "rule_arguments",
]
