"""Command-line support that belongs to the framework: ``app.cli`` and the route table.

An app's commands (``@app.cli.command()``) usually need the app's context, so the group
used for ``app.cli`` wraps every command in :func:`with_appcontext`. The command line that
runs them (``hookscope``, in ``console/``) tells these commands which app to use by putting an
:class:`AppSource` in click's context object; this module never imports the console.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from .ctx import has_app_context

if TYPE_CHECKING:
    from werkzeug.routing import Rule

    from .app import App

F = TypeVar("F", bound=Callable[..., Any])

RouteSort = Literal["endpoint", "methods", "domain", "rule", "match"]
ROUTE_SORTS: tuple[RouteSort, ...] = ("endpoint", "methods", "domain", "rule", "match")
NO_ROUTES_MESSAGE = "No routes were registered."


class AppSource:
    """Knows how to get the app a command runs against, and loads it only when asked.

    Loading lazily keeps ``--help`` and commands that need no app fast, and keeps an app
    that fails to import from breaking commands that never touch it.

    Args:
        load: Returns the app; called at most once.
    """

    def __init__(self, load: Callable[[], App] | None = None) -> None:
        self._load = load
        self._app: App | None = None

    def load_app(self) -> App:
        """Return the app, loading it on the first call.

        Raises:
            click.UsageError: No way to load an app was given.
        """
        if self._app is None:
            if self._load is None:
                raise click.UsageError(
                    "this command needs an app, and none was given; pass --app TARGET"
                )
            self._app = self._load()
        return self._app


def with_appcontext(f: F) -> F:
    """Run the command inside the app context of the app the command line is running.

    The app comes from the :class:`AppSource` in click's context object. When an app
    context is already active (a test pushed one), the command runs in that one.
    """

    @functools.wraps(f)
    def run_in_app_context(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if not has_app_context():
            app = ctx.ensure_object(AppSource).load_app()
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return run_in_app_context  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in the app context unless told otherwise.

    ``command()`` (also usable bare, as ``@app.cli.command``) and ``group()`` accept
    ``with_appcontext=False`` to opt out; subgroups
    made with ``group()`` are ``AppGroup`` too, so the default carries down.
    """

    def command(self, *args: Any, **kwargs: Any) -> Any:
        wrap = kwargs.pop("with_appcontext", True)

        def decorator(f: Callable[..., Any]) -> click.Command:
            if wrap:
                f = with_appcontext(f)
            command: click.Command = click.Group.command(self, *args, **kwargs)(f)
            return command

        if len(args) == 1 and callable(args[0]):
            return self.command(with_appcontext=wrap)(args[0])
        return decorator

    def group(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", AppGroup)
        return super().group(*args, **kwargs)


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
