"""``routes``: the route table ``flask routes`` prints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from ..globals import current_app
from .appgroup import with_appcontext

if TYPE_CHECKING:
    from werkzeug.routing import Rule

    from ..app import App

RouteSort = Literal["endpoint", "methods", "domain", "rule", "match"]
ROUTE_SORTS: tuple[RouteSort, ...] = ("endpoint", "methods", "domain", "rule", "match")
NO_ROUTES_MESSAGE = "No routes were registered."

F = TypeVar("F", bound=Callable[..., Any])


def route_table_options(command: F) -> F:
    """Add ``--sort`` and ``--all-methods``, the options of :func:`format_routes`, to a
    command; every command line that prints the route table takes the same ones."""
    sort = click.option(
        "--sort",
        "-s",
        type=click.Choice(ROUTE_SORTS),
        default="endpoint",
        show_default=True,
        help="Column to sort by; 'match' keeps the order the url_map tries rules in.",
    )
    all_methods = click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
    return sort(all_methods(command))


@click.command("routes", short_help="Show the routes of the app.")
@route_table_options
@with_appcontext
def routes_command(sort: RouteSort, all_methods: bool) -> None:
    """Show every route of the app, its endpoint and methods."""
    click.echo(format_routes(current_app, sort=sort, all_methods=all_methods))


def format_routes(app: App, sort: RouteSort = "endpoint", all_methods: bool = False) -> str:
    """Return the route table ``flask routes`` prints for ``app``.

    Args:
        app: The app whose ``url_map`` is listed.
        sort: ``endpoint``, ``methods``, ``domain`` (host or subdomain) or ``rule`` sort by
            that column; ``match`` keeps the order the url_map tries rules in.
        all_methods: Show HEAD and OPTIONS too; they are hidden by default because nearly
            every rule has them.

    Returns:
        The table (columns Endpoint, Methods, then Host or Subdomain when used, then Rule),
        or ``"No routes were registered."``.

    Raises:
        ValueError: ``sort`` is not one of :data:`ROUTE_SORTS`.
    """
    if sort not in ROUTE_SORTS:
        raise ValueError(f"unknown sort {sort!r}; use one of {', '.join(ROUTE_SORTS)}")
    rules: list[Rule] = list(app.url_map.iter_rules())
    if not rules:
        return NO_ROUTES_MESSAGE

    hidden = frozenset() if all_methods else frozenset({"HEAD", "OPTIONS"})

    def shown_methods(rule: Rule) -> list[str]:
        return sorted((rule.methods or set()) - hidden)

    host_matching = bool(app.url_map.host_matching)
    domain_header = "Host" if host_matching else "Subdomain"
    show_domain = host_matching or any(rule.subdomain for rule in rules)

    def domain(rule: Rule) -> str:
        return (rule.host if host_matching else rule.subdomain) or ""

    if sort == "endpoint":
        rules.sort(key=lambda rule: rule.endpoint)
    elif sort == "methods":
        rules.sort(key=shown_methods)
    elif sort == "domain":
        rules.sort(key=domain)
    elif sort == "rule":
        rules.sort(key=lambda rule: rule.rule)

    header = ["Endpoint", "Methods", *([domain_header] if show_domain else []), "Rule"]
    rows = [
        [
            rule.endpoint,
            ", ".join(shown_methods(rule)),
            *([domain(rule)] if show_domain else []),
            rule.rule,
        ]
        for rule in rules
    ]
    return _format_table(header, rows)


def _format_table(header: list[str], rows: Iterable[list[str]]) -> str:
    rows = list(rows)
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    underline = ["-" * width for width in widths]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [header, underline, *rows]
    )
