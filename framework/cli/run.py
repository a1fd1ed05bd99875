"""``run``: the app on Werkzeug's development server, with ``flask run``'s options."""

from __future__ import annotations

import importlib
import ipaddress
import os
from typing import Any

import click
from werkzeug.serving import run_simple
from werkzeug.utils import import_string

from ..helpers import get_debug_flag
from .app_commands import load_app
from .script_info import ScriptInfo


class CertParamType(click.ParamType):  # type: ignore[type-arg]
    """``--cert``: a certificate file, ``adhoc`` (a throwaway certificate, which needs the
    cryptography library), or the import name of an ``ssl.SSLContext``."""

    name = "path"

    def __init__(self) -> None:
        self.path_type = click.Path(exists=True, dir_okay=False, resolve_path=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            import ssl
        except ImportError:
            self.fail('Using "--cert" requires Python to be compiled with SSL support.', param, ctx)
        try:
            return self.path_type.convert(value, param, ctx)
        except click.BadParameter as not_a_file:
            if str(value).lower() == "adhoc":
                try:
                    importlib.import_module("cryptography")
                except ImportError:
                    self.fail(
                        "Using ad-hoc certificates requires the cryptography library; "
                        "install it with 'pip install cryptography'.",
                        param,
                        ctx,
                    )
                return "adhoc"
            context = import_string(str(value), silent=True)
            if isinstance(context, ssl.SSLContext):
                return context
            raise not_a_file


def _combine_cert_and_key(ctx: click.Context, param: click.Parameter, key: str | None) -> None:
    """Check ``--key`` against ``--cert`` (read first: it is eager) and pair a certificate
    file with its key as ``cert=(cert, key)``."""
    cert = ctx.params.get("cert")
    cert_is_file = isinstance(cert, str) and cert != "adhoc"
    if key is None:
        if cert_is_file:
            raise click.BadParameter('Required when using "--cert".', ctx, param)
        return
    if cert is None:
        raise click.BadParameter('"--cert" must also be specified.', ctx, param)
    if not cert_is_file:
        what = '"adhoc"' if cert == "adhoc" else "an SSLContext object"
        raise click.BadParameter(f'When "--cert" is {what}, "--key" is not used.', ctx, param)
    ctx.params["cert"] = (cert, key)


class SeparatedPathType(click.Path):
    """Several paths in one value, separated by ``os.pathsep`` (``:``, or ``;`` on Windows)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        convert_one = super().convert
        return [convert_one(item, param, ctx) for item in value.split(os.pathsep) if item]


@click.command("run", short_help="Run a development server.")
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", "-p", default=5000, show_default=True, help="Port to bind.")
@click.option(
    "--cert",
    type=CertParamType(),
    is_eager=True,
    help="A certificate file for HTTPS, 'adhoc', or the import name of an SSLContext.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, resolve_path=True),
    callback=_combine_cert_and_key,
    expose_value=False,
    help="The key file for the certificate given with --cert.",
)
@click.option(
    "--reload/--no-reload",
    default=None,
    help="Restart the server when a file changes; on by default in debug mode.",
)
@click.option(
    "--debugger/--no-debugger",
    default=None,
    help="Werkzeug's interactive debugger, on a loopback host only; on by default in debug mode.",
)
@click.option("--with-threads/--without-threads", default=True, help="One thread per request.")
@click.option(
    "--extra-files",
    type=SeparatedPathType(),
    default=None,
    help=f"More files for the reloader to watch, separated by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    type=SeparatedPathType(),
    default=None,
    help=f"fnmatch patterns of files the reloader ignores, separated by {os.pathsep!r}.",
)
@click.pass_context
def run_command(
    ctx: click.Context,
    host: str,
    port: int,
    cert: Any,
    reload: bool | None,
    debugger: bool | None,
    with_threads: bool,
    extra_files: list[str] | None,
    exclude_patterns: list[str] | None,
) -> None:
    """Serve the app with Werkzeug's development server.

    Debug mode (--debug on the group, or FLASK_DEBUG) turns the reloader and the
    debugger on. This server is for development only.
    """
    debug = get_debug_flag()
    use_debugger = debug if debugger is None else debugger
    # A module that calls app.run() at import must not start a second server inside this one.
    os.environ["HOOKSCOPE_RUN_FROM_CLI"] = "true"
    app = load_app(ctx.ensure_object(ScriptInfo))
    click.echo(f" * Serving app '{app.name}'", err=True)
    click.echo(f" * Debug mode: {'on' if debug else 'off'}", err=True)
    if use_debugger and not is_loopback_host(host):
        click.secho(
            f" * The interactive debugger stays off on {host}: it runs any Python code it is "
            "sent, and other machines can reach that address.",
            fg="yellow",
            err=True,
        )
        use_debugger = False
    run_simple(
        host,
        port,
        app,
        use_reloader=debug if reload is None else reload,
        use_debugger=use_debugger,
        threaded=with_threads,
        ssl_context=cert,
        extra_files=extra_files,
        exclude_patterns=exclude_patterns,
    )


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback addresses, which only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
