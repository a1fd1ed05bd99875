"""A command line that offers the commands of its app beside its own.

Both the framework's own command line and ``hookscope --app TARGET`` are such a group: what
they differ in is how the app is found, which the :class:`~.script_info.ScriptInfo` in
click's context object hides from this module.
"""

from __future__ import annotations

import traceback
from typing import IO, TYPE_CHECKING, Any, cast

import click

from ..ctx import has_app_context
from ..globals import current_app
from .script_info import ScriptInfo

if TYPE_CHECKING:
    from ..app import App


class AppLoadFailed(click.ClickException):
    """The app's own code raised while the app was loading; shown with its traceback."""

    def __init__(self, error: Exception) -> None:
        summary = str(error).strip().splitlines()
        super().__init__(
            f"loading the app raised {type(error).__name__}"
            + (f": {summary[0]}" if summary else "")
        )
        self.details = "".join(traceback.format_exception(error)).rstrip("\n")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.details, file=file, err=True)
        super().show(file)


class AppCommandsGroup(click.Group):
    """A click group that also offers the commands of the app (``app.cli``).

    The app comes from the :class:`ScriptInfo` in click's context object, loaded only when
    a name is not one of the group's own commands (or to list them all, for ``--help``).
    The app context is pushed as soon as one of the app's commands is chosen to run, so
    its parameter callbacks see ``current_app`` too, and a plain ``click.command`` added with
    ``app.cli.add_command`` runs in the context like one made with ``app.cli.command()``.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        info = ctx.find_object(ScriptInfo)
        if info is not None:
            try:
                names.update(load_app(info).cli.list_commands(ctx))
            except click.ClickException as error:
                error.show()  # --help still lists the group's own commands
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        info = ctx.find_object(ScriptInfo)
        if command is not None or info is None:
            return command
        try:
            app = load_app(info)
        except click.UsageError as error:
            error.ctx = error.ctx or ctx  # show the usage line with the error
            raise
        app_command: click.Command | None = app.cli.get_command(ctx, cmd_name)
        return app_command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Find the command to invoke; for one of the app's, push the app context.

        Pushed here rather than in :meth:`get_command`, which ``--help`` also calls for
        every command it lists: only an invocation closes the contexts it opened.
        """
        name, command, rest = super().resolve_command(ctx, args)
        info = ctx.find_object(ScriptInfo)
        if command is not None and name not in self.commands and info is not None:
            app = load_app(info)  # loaded already by get_command: ScriptInfo keeps it
            if not _is_current_app(app):
                ctx.with_resource(app.app_context())
        return name, command, rest


def _is_current_app(app: App) -> bool:
    return has_app_context() and cast(Any, current_app)._get_current_object() is app


def load_app(info: ScriptInfo) -> App:
    """Load the app, turning an exception its own code raised into :class:`AppLoadFailed`.

    Raises:
        click.ClickException: The app could not be found (a
            :class:`~.discovery.NoAppException`), or raised while loading.
    """
    try:
        return info.load_app()
    except click.ClickException:
        raise
    except Exception as error:
        raise AppLoadFailed(error) from error
