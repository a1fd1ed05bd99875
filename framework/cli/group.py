"""The framework's command line: what ``flask`` is to Flask.

:class:`FrameworkGroup` reads ``--app``, ``--env-file`` and ``--debug`` (or ``FLASK_APP``,
``FLASK_ENV_FILE`` and ``FLASK_DEBUG``), loads ``.flaskenv`` and ``.env``, offers ``run``,
``shell`` and ``routes``, and the app's own commands beside them. A project can build its own
command line on it: ``FrameworkGroup(create_app=make_my_app)``.
"""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from .app_commands import AppCommandsGroup
from .appgroup import AppGroup
from .envfiles import load_dotenv
from .routes import routes_command
from .run import run_command
from .script_info import ScriptInfo
from .shell import shell_command

if TYPE_CHECKING:
    from ..app import App


def get_version(ctx: click.Context, param: click.Parameter | None, value: Any) -> None:
    """``--version``: print the versions of Python, the framework and Werkzeug, and exit."""
    if not value or ctx.resilient_parsing:
        return
    lines = [f"Python {platform.python_version()}"]
    for distribution in ("hookscope", "werkzeug"):
        try:
            lines.append(f"{distribution.capitalize()} {version(distribution)}")
        except PackageNotFoundError:
            lines.append(f"{distribution.capitalize()} (version unknown: not installed)")
    click.echo("\n".join(lines), color=ctx.color)
    ctx.exit()


def _remember_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    """Pass ``--debug``/``--no-debug`` on through ``FLASK_DEBUG``, where the app, ``run``
    and the reloader's child process all read it."""
    source = ctx.get_parameter_source(param.name or "")
    if value is None or source in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
        return
    os.environ["FLASK_DEBUG"] = "1" if value else "0"


def _load_env_files(ctx: click.Context, param: click.Parameter, path: str | None) -> None:
    """Load ``--env-file`` and the default env files, before ``--app`` is read (both are
    eager, and this one comes first), so ``.flaskenv`` can set ``FLASK_APP``."""
    info = ctx.ensure_object(ScriptInfo)
    if path is not None:
        try:
            import dotenv  # noqa: F401
        except ImportError:
            raise click.BadParameter(
                "python-dotenv must be installed to read an env file; "
                "install it with 'pip install python-dotenv'.",
                ctx,
                param,
            ) from None
    if path is not None or info.load_dotenv_defaults:
        load_dotenv(path, load_defaults=info.load_dotenv_defaults)


def _group_options(add_version_option: bool) -> list[click.Parameter]:
    options: list[click.Parameter] = [
        click.Option(
            ["-e", "--env-file"],
            type=click.Path(exists=True, dir_okay=False),
            is_eager=True,
            expose_value=False,
            callback=_load_env_files,
            help="Load environment variables from this file (needs python-dotenv); "
            "they do not override variables already set.",
        ),
        click.Option(
            ["-A", "--app"],
            metavar="IMPORT",
            is_eager=True,
            expose_value=False,
            callback=_remember_app,
            help="The app to load: a module, file or package, optionally with ':name' or "
            "':factory(args)'. Without it, wsgi.py or app.py in the current directory.",
        ),
        click.Option(
            ["--debug/--no-debug"],
            default=None,
            expose_value=False,
            callback=_set_debug,
            help="Debug mode: the reloader and the debugger for 'run'.",
        ),
    ]
    if add_version_option:
        options.append(
            click.Option(
                ["--version"],
                is_flag=True,
                is_eager=True,
                expose_value=False,
                callback=get_version,
                help="Show the Python, framework and Werkzeug versions.",
            )
        )
    return options


class FrameworkGroup(AppCommandsGroup, AppGroup):
    """The framework's command line, and a base for a project's own.

    Args:
        add_default_commands: Offer ``run``, ``shell`` and ``routes``.
        create_app: Returns the app, instead of finding it from ``--app``.
        add_version_option: Offer ``--version``.
        load_dotenv: Read ``.flaskenv`` and ``.env`` (``FLASK_SKIP_DOTENV=1`` turns it off).
        set_debug_flag: Set the app's debug mode from ``--debug`` or ``FLASK_DEBUG``.
        extra: Passed on to :class:`click.Group`.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: Callable[..., App] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        params.extend(_group_options(add_version_option))
        # FLASK_APP, FLASK_DEBUG, FLASK_ENV_FILE, FLASK_RUN_PORT, ... set the options.
        extra["context_settings"] = {
            "auto_envvar_prefix": "FLASK",
            **(extra.get("context_settings") or {}),
        }
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            self.add_command(run_command)
            self.add_command(shell_command)
            self.add_command(routes_command)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help:
            # click shows this help before it reads any option: read the env files and
            # FLASK_APP first, so that the help lists the app's commands too.
            for param in self.params:
                if param.name in ("env_file", "app"):
                    param.handle_parse_result(ctx, {}, [])
        return super().parse_args(ctx, args)


#: The command line ``python -m framework.cli`` runs.
cli = FrameworkGroup(
    name="framework",
    help="Run and manage an app built with the framework.\n\n"
    "Name the app with --app or FLASK_APP, or put it in wsgi.py or app.py.",
)
