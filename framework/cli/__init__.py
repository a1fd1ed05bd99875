"""Command-line support that belongs to the framework, with Flask's ``flask.cli`` API.

- :mod:`.appgroup`: ``app.cli`` and :func:`with_appcontext`: an app's commands run in its
  app context.
- :mod:`.script_info` and :mod:`.discovery`: which app a command line runs against, found
  the way ``flask --app`` finds it.
- :mod:`.app_commands`: a group offering the app's commands beside its own.
- :mod:`.group`: :class:`FrameworkGroup`, the framework's command line (``flask`` for
  Flask), with ``--app``, ``--env-file``, ``--debug`` and the :mod:`.envfiles`.
- :mod:`.run`, :mod:`.shell`, :mod:`.routes`: its default commands.

The framework never imports the console; ``hookscope`` builds on :class:`AppCommandsGroup`
and :class:`ScriptInfo` with a loader of its own.
"""

from __future__ import annotations

from .app_commands import AppCommandsGroup, AppLoadFailed, load_app
from .appgroup import AppGroup, with_appcontext
from .discovery import (
    NoAppException,
    find_app_by_string,
    find_app_instance,
    find_best_app,
    locate_app,
    prepare_import,
)
from .envfiles import get_load_dotenv, load_dotenv
from .group import FrameworkGroup, cli, get_version
from .routes import ROUTE_SORTS, RouteSort, format_routes, route_table_options, routes_command
from .run import CertParamType, SeparatedPathType, run_command
from .script_info import ScriptInfo
from .shell import interact, shell_command

#: Flask's name for :class:`FrameworkGroup`. The import shim maps ``FlaskX`` names to
#: ``AppX``, which would give Flask's ``AppGroup`` here, so the name is given explicitly.
FlaskGroup = FrameworkGroup

__all__ = [
    "ROUTE_SORTS",
    "AppCommandsGroup",
    "AppGroup",
    "AppLoadFailed",
    "CertParamType",
    "FlaskGroup",
    "FrameworkGroup",
    "NoAppException",
    "RouteSort",
    "ScriptInfo",
    "SeparatedPathType",
    "cli",
    "find_app_by_string",
    "find_app_instance",
    "find_best_app",
    "format_routes",
    "get_load_dotenv",
    "get_version",
    "interact",
    "load_app",
    "load_dotenv",
    "locate_app",
    "prepare_import",
    "route_table_options",
    "routes_command",
    "run_command",
    "shell_command",
    "with_appcontext",
]
