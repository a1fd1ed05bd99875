"""``app.cli`` commands run in the app context, with the app a ScriptInfo hands out."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from framework import App, Blueprint, current_app, g, has_app_context
from framework.cli import AppGroup, ScriptInfo, with_appcontext


@pytest.fixture
def app() -> App:
    return App("cli_app")


def test_app_commands_run_inside_the_app_context(app: App) -> None:
    @app.cli.command()
    @click.argument("who")
    @click.option("--shout", is_flag=True)
    def greet(who: str, shout: bool) -> None:
        message = f"hello {who} from {current_app.name}"
        click.echo(message.upper() if shout else message)

    result = app.test_cli_runner().invoke(args=["greet", "ada", "--shout"])

    assert result.exit_code == 0, result.output
    assert result.output == "HELLO ADA FROM CLI_APP\n"


def test_the_bare_decorator_form_also_wraps_the_command(app: App) -> None:
    @app.cli.command
    def show_name() -> None:
        click.echo(current_app.name)

    result = app.test_cli_runner().invoke(args=["show-name"])

    assert result.output == "cli_app\n"


def test_with_appcontext_false_runs_without_an_app_context(app: App) -> None:
    @app.cli.command(with_appcontext=False)
    def version() -> None:
        click.echo(f"app context: {has_app_context()}")

    assert app.test_cli_runner().invoke(args=["version"]).output == "app context: False\n"


def test_subgroups_are_app_groups_so_their_commands_get_the_context_too(app: App) -> None:
    @app.cli.group()
    def db() -> None:
        """Database commands."""

    @db.command()
    def init() -> None:
        click.echo(f"initialising {current_app.name}")

    assert isinstance(db, AppGroup)
    assert app.test_cli_runner().invoke(args=["db", "init"]).output == "initialising cli_app\n"


def test_a_blueprint_cli_group_is_reachable_through_the_app(app: App) -> None:
    admin = Blueprint("admin", __name__)

    @admin.cli.command("create-user")
    def create_user() -> None:
        click.echo(f"user created in {current_app.name}")

    app.register_blueprint(admin)

    result = app.test_cli_runner().invoke(args=["admin", "create-user"])
    assert result.output == "user created in cli_app\n"


def test_an_active_app_context_is_reused_rather_than_a_new_one_pushed(app: App) -> None:
    @app.cli.command()
    def marker() -> None:
        click.echo(g.marker)

    with app.app_context():
        g.marker = "set by the caller"
        result = app.test_cli_runner().invoke(args=["marker"])

    assert result.output == "set by the caller\n"


def test_the_app_is_loaded_once_and_only_when_a_command_needs_it(app: App) -> None:
    loads: list[str] = []

    def load() -> App:
        loads.append("loaded")
        return app

    cli = AppGroup()

    @cli.command(with_appcontext=False)
    def plain() -> None:
        click.echo("no app needed")

    @cli.command()
    @click.pass_context
    def twice(ctx: click.Context) -> None:
        source = ctx.ensure_object(ScriptInfo)
        click.echo(source.load_app() is source.load_app())

    runner = CliRunner()
    assert (
        runner.invoke(cli, ["plain"], obj=ScriptInfo(create_app=load)).output == "no app needed\n"
    )
    assert loads == []
    assert runner.invoke(cli, ["twice"], obj=ScriptInfo(create_app=load)).output == "True\n"
    assert loads == ["loaded"]


def test_with_appcontext_decorates_plain_click_commands() -> None:
    app = App("decorated")

    @click.command()
    @with_appcontext
    def which() -> None:
        click.echo(current_app.name)

    result = CliRunner().invoke(which, obj=ScriptInfo(create_app=lambda: app))

    assert result.output == "decorated\n"


def test_a_command_that_needs_an_app_without_one_given_fails_with_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no wsgi.py or app.py to fall back on
    monkeypatch.setattr(sys, "path", list(sys.path))
    cli = AppGroup(name="orphan")

    @cli.command()
    def needs_app() -> None:
        click.echo("unreachable")

    result = CliRunner().invoke(cli, ["needs-app"])

    assert result.exit_code == 2
    assert "Usage: orphan needs-app" in result.output
    assert "Error: could not locate an app: name it with the --app option" in result.output
    assert "unreachable" not in result.output
