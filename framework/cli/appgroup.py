"""The app's own commands: ``app.cli`` runs each of them in the app context.

An app's commands (``@app.cli.command()``) usually need the app's context, so the group
used for ``app.cli`` wraps every command in :func:`with_appcontext`. The command line that
runs them tells them which app to use by putting a :class:`~.script_info.ScriptInfo` in
click's context object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..ctx import has_app_context
from .app_commands import load_app
from .script_info import ScriptInfo

F = TypeVar("F", bound=Callable[..., Any])


def with_appcontext(f: F) -> F:
    """Run the command inside the app context of the app the command line is running.

    The app comes from the :class:`ScriptInfo` in click's context object. When an app
    context is already active (a test pushed one), the command runs in that one.
    """

    @functools.wraps(f)
    def run_in_app_context(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        if not has_app_context():
            app = load_app(ctx.ensure_object(ScriptInfo))
            ctx.with_resource(app.app_context())
        return ctx.invoke(f, *args, **kwargs)

    return run_in_app_context  # type: ignore[return-value]


class AppGroup(click.Group):
    """A click group whose commands run in the app context unless told otherwise.

    ``command()`` (also usable bare, as ``@app.cli.command``) accepts
    ``with_appcontext=False`` to opt out; subgroups made with ``group()`` are ``AppGroup``
    too, so the default carries down.
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
