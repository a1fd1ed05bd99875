"""``hookscope console [TARGET...] [--demo NAME]``: open the console on some apps."""

from __future__ import annotations

from pathlib import Path

import click

from console.run_options import grace_option
from console.ui.state import DEFAULT_TRACE_CAPACITY

DEMO_DIR = Path(__file__).resolve().parent.parent.parent / "demo_apps"
#: What ``hookscope console`` opens with no target: hooks, flashes, a login gate, a package,
#: and a genuine Flask app (when Flask is installed: ``pip install '.[demo]'``).
DEFAULT_DEMOS = ("hook_order", "flashing", "auth_hooks", "login", "flask_blog")


def demo_names() -> list[str]:
    """The demo apps shipped in demo_apps/: modules and packages, by name."""
    if not DEMO_DIR.is_dir():
        return []
    names = [
        path.stem if path.suffix == ".py" else path.name
        for path in DEMO_DIR.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__")
        or (path.is_dir() and (path / "__init__.py").exists())
    ]
    return sorted(names)


def demo_target(name: str) -> str:
    """The target for a demo app's name.

    Raises:
        click.BadParameter: no demo app has that name; the message lists the ones there are.
    """
    path = DEMO_DIR / f"{name}.py"
    if path.is_file():
        return str(path)
    if (DEMO_DIR / name / "__init__.py").is_file():
        return str(DEMO_DIR / name)
    raise click.BadParameter(
        f"no demo app named {name!r}; choose from: {', '.join(demo_names())}", param_hint="--demo"
    )


@click.command()
@click.argument("targets", nargs=-1, metavar="[TARGET]...")
@click.option("--demo", "demos", multiple=True, metavar="NAME", help="Open a demo app by name.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port of the first app.")
@click.option(
    "--traces",
    "trace_capacity",
    type=click.IntRange(10, 1_000_000),
    default=DEFAULT_TRACE_CAPACITY,
    show_default=True,
    help="How many traces each app keeps.",
)
@click.option(
    "--mask-secrets",
    is_flag=True,
    help="Show cookie values and Authorization headers as ••••••, in traces, logs and exports.",
)
@grace_option
def console(
    targets: tuple[str, ...],
    demos: tuple[str, ...],
    port: int | None,
    trace_capacity: int,
    mask_secrets: bool,
    grace: float,
) -> None:
    """Run apps in workers and watch their hooks, routes, sessions and logs live.

    With no TARGET and no --demo it opens the demo apps hook_order, flashing, auth_hooks,
    login and flask_blog (a genuine Flask app).
    """
    from console.supervisor import SupervisorError
    from console.ui.engine import EventInbox, SupervisorEngine

    chosen = [*targets, *(demo_target(name) for name in demos)]
    if not chosen:
        chosen = [demo_target(name) for name in DEFAULT_DEMOS]
    try:
        engine = SupervisorEngine(chosen, port=port, mask_secrets=mask_secrets, grace=grace)
    except SupervisorError as error:
        raise click.ClickException(str(error)) from None
    inbox = EventInbox()
    try:
        # The workers start loading the apps now, while Textual is still being imported.
        engine.start(inbox.put)
        from console.ui.app import HookscopeConsole

        HookscopeConsole(engine, inbox=inbox, trace_capacity=trace_capacity).run()
    except SupervisorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        engine.stop()


__all__ = ["DEFAULT_DEMOS", "console", "demo_names", "demo_target"]
