"""The ``hookscope`` command: run, inspect and script apps from the shell.

``hookscope run|routes|shell TARGET`` load the app named by TARGET (see
:mod:`console.targets`); ``hookscope --app TARGET NAME`` runs a command the app registered
on ``app.cli``. A target that cannot be loaded ends the command with one line on stderr and
exit code 2, plus the traceback when the user's own code raised.

More subcommands (``watch``, ``console``) are attached to :data:`main` by their own modules
with ``main.add_command(...)``.
"""

from __future__ import annotations

import ipaddress
import signal
import socket
from ipaddress import IPv4Address, IPv6Address
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

import click
from werkzeug.serving import run_simple

from console.targets import TargetError, is_app, load_target, load_wsgi_target
from console.ui.command import console
from console.watch import watch
from framework import App
from framework.cli import (
    AppCommandsGroup,
    RouteSort,
    ScriptInfo,
    format_routes,
    interact,
    route_table_options,
)

if TYPE_CHECKING:
    from console.targets import LoadedApp

IPAddress = IPv4Address | IPv6Address

TARGET_HELP = (
    "TARGET is a file (app.py), a package directory, a module (pkg.mod), "
    "pkg.mod:name, or pkg.mod:create_app('arg')."
)


class TargetLoadFailed(click.ClickException):
    """Reports a :class:`TargetError` the way click reports errors, with exit code 2."""

    exit_code = 2

    def __init__(self, error: TargetError) -> None:
        super().__init__(str(error))
        self.traceback = error.traceback

    def show(self, file: IO[Any] | None = None) -> None:
        super().show(file)
        if self.traceback:
            click.echo(self.traceback.rstrip("\n"), file=file, err=True)


def load_app_or_fail(target: str) -> LoadedApp:
    """Load ``target``, turning a :class:`TargetError` into a clean command-line failure."""
    try:
        return load_target(target)
    except TargetError as error:
        raise TargetLoadFailed(error) from None


class HookscopeGroup(AppCommandsGroup):
    """The top-level group; with ``--app`` it also offers the commands on ``app.cli``, each
    run in the app context (the framework's :class:`~framework.cli.AppCommandsGroup`; a
    genuine Flask app's context is pushed the same way, through its own ``app_context()``)."""


def remember_app_target(ctx: click.Context, _param: click.Parameter, target: str | None) -> None:
    """Put the ``--app`` target where app commands look for their app; it loads on use."""
    if target is not None:
        ctx.obj = ScriptInfo(
            create_app=lambda: cast("App", load_app_or_fail(target)), set_debug_flag=False
        )


@click.group(
    cls=HookscopeGroup,
    epilog="Run 'hookscope --app TARGET --help' to list the commands the app adds.",
)
@click.option(
    "--app",
    "app_target",
    metavar="TARGET",
    is_eager=True,
    expose_value=False,
    callback=remember_app_target,
    help="The app whose own commands (@app.cli.command()) to offer. " + TARGET_HELP,
)
def main() -> None:
    """hookscope: run Flask-style apps and watch what the framework does."""


# Other modules attach their subcommands here: main.add_command(watch), main.add_command(console).
main.add_command(console)
main.add_command(watch)


def resolve_host(ctx: click.Context, param: click.Parameter, host: str) -> str:
    """Refuse a host that does not resolve, before the server fails on it with less to say."""
    host_addresses(host, param)
    return host


def host_addresses(host: str, param: click.Parameter | None = None) -> list[IPAddress]:
    """The addresses ``host`` resolves to; binding it listens on those."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise click.BadParameter(f"cannot resolve {host!r}: {reason}", param=param) from None
    return [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in infos]


def is_loopback(host: str) -> bool:
    """True when ``host`` can only be reached from this machine."""
    return all(address.is_loopback for address in host_addresses(host))


@main.command()
@click.argument("target")
@click.option(
    "--host",
    "-h",
    default="127.0.0.1",
    show_default=True,
    callback=resolve_host,
    help="Interface to bind; anything but loopback exposes the app to other machines.",
)
@click.option(
    "--port", "-p", default=5000, show_default=True, type=click.IntRange(0, 65535), help="Port."
)
@click.option(
    "--debug/--no-debug",
    default=None,
    help="Debug mode; the interactive debugger is only enabled on a loopback host.",
)
@click.option("--reload", is_flag=True, help="Restart the server when a Python file changes.")
def run(target: str, host: str, port: int, debug: bool | None, reload: bool) -> None:
    """Serve the app named by TARGET with Werkzeug's development server.

    TARGET may also name a plain WSGI application (no App): it is served as is.
    """
    try:
        app = load_wsgi_target(target)
    except TargetError as error:
        raise TargetLoadFailed(error) from None
    app_debug = bool(debug)
    name = getattr(app, "__name__", "WSGI application")
    if is_app(app):
        loaded = cast("LoadedApp", app)
        if debug is not None:
            loaded.debug = debug
        app_debug, name = loaded.debug, loaded.name
    loopback = is_loopback(host)
    use_debugger = app_debug and loopback
    click.echo(f" * Serving app '{name}' from {target}", err=True)
    click.echo(f" * Debug mode: {'on' if app_debug else 'off'}", err=True)
    if not loopback:
        click.secho(
            f" * WARNING: binding {host}, which other machines can reach. This is a "
            "development server: do not expose it to a network you do not trust.",
            fg="yellow",
            err=True,
        )
        if app_debug:
            click.secho(
                " * The interactive debugger stays off on a non-loopback host: it runs any "
                "Python code it is sent.",
                fg="yellow",
                err=True,
            )
    if use_debugger:
        click.echo(
            " * Interactive debugger: on (loopback only; its console asks for a PIN, which is "
            "printed here when the browser asks for it)",
            err=True,
        )
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    run_simple(
        host,
        port,
        app,
        use_reloader=reload,
        # Werkzeug's watchdog reloader watches every sys.path directory and can drown in
        # inotify events; polling file times is slower to notice but always works.
        reloader_type="stat",
        use_debugger=use_debugger,
        threaded=True,
    )


def stop_like_ctrl_c(_signum: int, _frame: FrameType | None) -> NoReturn:
    """Let SIGTERM shut the server down through the same clean path as Ctrl-C."""
    raise KeyboardInterrupt


@main.command()
@click.argument("target")
@route_table_options
def routes(target: str, sort: RouteSort, all_methods: bool) -> None:
    """Print the routes of the app named by TARGET."""
    app = load_app_or_fail(target)  # a Flask app's url_map is Werkzeug's too
    click.echo(format_routes(cast("App", app), sort=sort, all_methods=all_methods))


@main.command()
@click.argument("target")
def shell(target: str) -> None:
    """Start a Python shell in the app context of the app named by TARGET.

    ``app`` and ``g`` are defined, plus what the app's shell context processors add. The
    file named by PYTHONSTARTUP runs first, as in Python's own shell.
    """
    app = load_app_or_fail(target)
    with app.app_context():
        interact(cast("App", app))  # a Flask app answers the same make_shell_context()
