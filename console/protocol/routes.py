"""An app's url_map as plain data, and what a reload changed in it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConverterInfo:
    """One ``<converter(arguments):name>`` part of a rule."""

    name: str
    converter: str
    arguments: str = ""
    regex: str = ""


@dataclass(frozen=True)
class RouteInfo:
    """One rule of an app's url_map, as the route inspector shows it.

    ``redirect_to`` is the rule's target string, or the ``repr`` of a callable target.
    ``defaults`` values are JSON values when they can be, their ``repr`` otherwise.
    """

    rule: str
    endpoint: str
    methods: tuple[str, ...]
    converters: tuple[ConverterInfo, ...] = ()
    defaults: dict[str, Any] | None = None
    strict_slashes: bool = True
    redirect_to: str | None = None
    subdomain: str | None = None
    host: str | None = None
    blueprint: str | None = None
    view: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies "the same route" across two versions of an app."""
        return (self.rule, self.endpoint)


@dataclass(frozen=True)
class RouteDiff:
    """What a reload did to the url_map."""

    added: tuple[RouteInfo, ...] = ()
    removed: tuple[RouteInfo, ...] = ()
    changed: tuple[RouteInfo, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff_routes(before: tuple[RouteInfo, ...], after: tuple[RouteInfo, ...]) -> RouteDiff:
    """Compare two url_maps by (rule, endpoint); a route whose other details differ is changed.

    A view that only moved to another line counts as changed, so the user sees that the
    route's code was touched.
    """
    old = {route.key: route for route in before}
    new = {route.key: route for route in after}
    return RouteDiff(
        added=tuple(route for key, route in new.items() if key not in old),
        removed=tuple(route for key, route in old.items() if key not in new),
        changed=tuple(route for key, route in new.items() if key in old and old[key] != route),
    )


__all__ = ["ConverterInfo", "RouteDiff", "RouteInfo", "diff_routes"]
