"""``shell``: Python's interactive shell in the app context."""

from __future__ import annotations

import code
import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

import click

from ..globals import current_app
from .appgroup import with_appcontext

if TYPE_CHECKING:
    from ..app import App


@click.command("shell", short_help="Run a shell in the app context.")
@with_appcontext
def shell_command() -> None:
    """Run an interactive Python shell in the app context.

    ``app`` and ``g`` are defined, plus what the app's shell context processors add. The
    file named by PYTHONSTARTUP runs first, as in Python's own shell.
    """
    interact(current_app)


def interact(app: App) -> None:
    """Run Python's interactive shell on ``app``; its app context must be active."""
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.import_name}\n"
        f"Instance: {app.instance_path}"
    )
    namespace: dict[str, Any] = {}
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
