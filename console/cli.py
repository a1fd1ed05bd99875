"""The ``hookscope`` command: run, inspect and script apps from the shell.

``hookscope run|routes|shell TARGET`` load the app named by TARGET (see
:mod:`console.targets`); ``hookscope --app TARGET NAME`` runs a command the app registered
on ``app.cli``. A target that cannot be loaded ends the command with one line on stderr and
exit code 2, plus the traceback when the user's own code raised.

More subcommands (``watch``, ``console``) are attached to :data:`main` by their own modules
with ``main.add_command(...)``.
"""

from __future__ import annotations

import code
import ipaddress
import os
import signal
import socket
import sys
import traceback
from ipaddress import IPv4Address, IPv6Address
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

import click
from werkzeug.serving import run_simple

from console.targets import TargetError, is_app, is_flask_app, load_target, load_wsgi_target
from console.ui.command import console
from console.watch import watch
from framework import App, g
from framework.cli import ROUTE_SORTS, AppSource, RouteSort, format_routes

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


class HookscopeGroup(click.Group):
    """The top-level group; with ``--app`` it also offers the commands on ``app.cli``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        source = ctx.find_object(AppSource)
        if source is not None:
            try:
                names.update(source.load_app().cli.list_commands(ctx))
            except TargetLoadFailed as error:
                error.show()
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        source = ctx.find_object(AppSource)
        if source is None:
            return None
        app = source.load_app()
        if is_flask_app(app):
            enter_flask_app_context(ctx, app)
        app_command: click.Command | None = app.cli.get_command(ctx, cmd_name)
        return app_command


def enter_flask_app_context(ctx: click.Context, app: Any) -> None:
    """Push a Flask app's context for the rest of the command, as ``flask --app`` does: the
    commands on a Flask app's ``app.cli`` look for their app in it."""
    from flask import current_app

    if not current_app or cast(Any, current_app)._get_current_object() is not app:
        ctx.with_resource(app.app_context())


def remember_app_target(ctx: click.Context, _param: click.Parameter, target: str | None) -> None:
    """Put the ``--app`` target where app commands look for their app; it loads on use."""
    if target is not None:
        ctx.obj = AppSource(lambda: cast("App", load_app_or_fail(target)))


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
@click.option(
    "--sort",
    "-s",
    type=click.Choice(ROUTE_SORTS),
    default="endpoint",
    show_default=True,
    help="Column to sort by; 'match' keeps the order rules are tried in.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
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
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, Any] = {"app": app, "g": g}
    with app.app_context():
        run_startup_file(namespace)
        namespace.update(app.make_shell_context())
        interactive_hook = getattr(sys, "__interactivehook__", None)
        if interactive_hook is not None and sys.stdin.isatty():
            interactive_hook()  # readline editing and history, as in Python's own shell
        code.interact(banner=banner, local=namespace, exitmsg="")


def run_startup_file(namespace: dict[str, Any]) -> None:
    """Run the PYTHONSTARTUP file in the shell's namespace, as ``python`` does."""
    startup = os.environ.get("PYTHONSTARTUP")
    if not startup or not os.path.isfile(startup):
        return
    try:
        with open(startup, encoding="utf-8") as file:
            exec(compile(file.read(), startup, "exec"), namespace)
    except Exception:
        click.echo(f"Error in PYTHONSTARTUP file {startup}:", err=True)
        click.echo(traceback.format_exc().rstrip("\n"), err=True)
