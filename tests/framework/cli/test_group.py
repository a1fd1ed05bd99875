"""FrameworkGroup: the framework's command line, ``flask`` for framework apps."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from framework import App, current_app, has_app_context
from framework.cli import FlaskGroup, FrameworkGroup, cli, get_version

from .conftest import WriteModule

NOTES_APP = """
    import click
    from framework import App, current_app, has_app_context

    app = App("notes")
    app.config["DATABASE"] = "notes.sqlite"


    @click.command("init-db")
    def init_db():
        # A plain click command, as Flask's tutorial writes it: no with_appcontext.
        click.echo(f"initialised {current_app.config['DATABASE']} (debug: {current_app.debug})")


    app.cli.add_command(init_db)
"""


@pytest.fixture(autouse=True)
def flask_variables_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The command line writes FLASK_DEBUG, and the env files may set FLASK_APP."""
    for name in ("FLASK_APP", "FLASK_DEBUG", "FLASK_ENV_FILE", "FLASK_SKIP_DOTENV"):
        monkeypatch.delenv(name, raising=False)
    yield
    for name in ("FLASK_APP", "FLASK_DEBUG"):
        os.environ.pop(name, None)


def invoke(group: click.Group, *args: str) -> Result:
    return CliRunner().invoke(group, list(args))


def test_flask_group_is_the_frameworks_group() -> None:
    assert FlaskGroup is FrameworkGroup
    assert isinstance(cli, FrameworkGroup)


def test_a_plain_click_command_of_the_app_runs_in_its_app_context(
    write_module: WriteModule,
) -> None:
    write_module("notes.py", NOTES_APP)

    result = invoke(cli, "--app", "notes", "init-db")

    assert result.exit_code == 0, result.output
    assert result.stdout == "initialised notes.sqlite (debug: False)\n"


def test_debug_reaches_the_app_through_flask_debug(write_module: WriteModule) -> None:
    write_module("notes.py", NOTES_APP)

    result = invoke(cli, "--app", "notes", "--debug", "init-db")

    assert result.stdout == "initialised notes.sqlite (debug: True)\n"
    assert os.environ["FLASK_DEBUG"] == "1"


def test_the_app_can_be_named_in_flaskenv(write_module: WriteModule) -> None:
    write_module("src/notes.py", NOTES_APP)
    write_module(".flaskenv", "FLASK_APP=src/notes.py\n")

    result = invoke(cli, "init-db")

    assert result.stdout == "initialised notes.sqlite (debug: False)\n"


def test_an_env_file_given_on_the_command_line_names_the_app(write_module: WriteModule) -> None:
    write_module("notes.py", NOTES_APP)
    env_file = write_module("notes.env", "FLASK_APP=notes\n")

    result = invoke(cli, "--env-file", str(env_file), "init-db")

    assert result.stdout == "initialised notes.sqlite (debug: False)\n"


def test_an_env_file_that_does_not_exist_is_a_usage_error(write_module: WriteModule) -> None:
    result = invoke(cli, "--env-file", "missing.env", "routes")

    assert result.exit_code == 2
    assert "Invalid value for '-e' / '--env-file': File 'missing.env' does not exist." in (
        result.stderr
    )


def test_flask_skip_dotenv_leaves_the_default_files_unread(
    write_module: WriteModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_module("notes.py", NOTES_APP)
    write_module(".flaskenv", "FLASK_APP=notes\n")
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")

    result = invoke(cli, "init-db")

    assert result.exit_code == 2
    assert "could not locate an app" in result.stderr


def test_help_lists_the_app_commands_beside_the_default_ones(write_module: WriteModule) -> None:
    write_module("notes.py", NOTES_APP)

    result = invoke(cli, "--app", "notes", "--help")

    assert result.exit_code == 0
    commands = result.stdout.split("Commands:\n")[1].split()
    assert {"init-db", "routes", "run", "shell"} <= set(commands)
    assert not has_app_context(), "listing the commands must not leave a context pushed"


def test_help_without_arguments_reads_flaskenv_first(write_module: WriteModule) -> None:
    write_module("notes.py", NOTES_APP)
    write_module(".flaskenv", "FLASK_APP=notes\n")

    result = invoke(cli)

    assert "init-db" in result.output


def test_help_with_an_app_that_cannot_be_found_reports_it_and_lists_the_rest(
    write_module: WriteModule,
) -> None:
    result = invoke(cli, "--app", "nowhere", "--help")

    assert result.exit_code == 0
    assert result.stderr == "Error: could not import 'nowhere': no such module\n"
    assert "  routes " in result.stdout


def test_an_app_command_with_an_app_that_cannot_be_found_is_a_usage_error(
    write_module: WriteModule,
) -> None:
    result = invoke(cli, "--app", "nowhere", "init-db")

    assert result.exit_code == 2
    assert "Usage: " in result.stderr
    assert "Error: could not import 'nowhere': no such module" in result.stderr


def test_an_app_whose_factory_raises_is_reported_with_its_traceback(
    write_module: WriteModule,
) -> None:
    write_module(
        "broken.py", "def create_app():\n    raise RuntimeError('DATABASE_URL is not set')\n"
    )

    result = invoke(cli, "--app", "broken", "init-db")

    assert result.exit_code == 1
    assert 'broken.py", line 2, in create_app' in result.stderr
    assert result.stderr.endswith(
        "Error: loading the app raised RuntimeError: DATABASE_URL is not set\n"
    )


def test_a_group_built_on_it_offers_its_own_commands_in_the_app_context() -> None:
    @click.group(cls=FrameworkGroup, create_app=lambda: App("custom"))
    def manage() -> None:
        """A project's own command line."""

    @manage.command()
    def hello() -> None:
        click.echo(f"hello from {current_app.name}")

    assert invoke(manage, "hello").stdout == "hello from custom\n"
    assert "routes" in invoke(manage, "--help").stdout


def test_the_default_commands_and_the_version_option_can_be_left_out() -> None:
    group = FrameworkGroup(add_default_commands=False, add_version_option=False)

    assert group.list_commands(click.Context(group)) == []
    assert "--version" not in invoke(group, "--help").stdout


def test_version_names_python_the_framework_and_werkzeug() -> None:
    result = invoke(cli, "--version")

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["Python", "Hookscope", "Werkzeug"]


def test_get_version_does_nothing_unless_asked() -> None:
    ctx = click.Context(cli, resilient_parsing=False)

    assert get_version(ctx, None, False) is None


def test_python_m_framework_cli_runs_the_command_line(write_module: WriteModule) -> None:
    path = write_module("notes.py", NOTES_APP)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("FLASK_DEBUG", None)

    result = subprocess.run(
        [sys.executable, "-m", "framework.cli", "--app", str(path), "init-db"],
        capture_output=True,
        text=True,
        cwd=Path(path).parent,
        env=env,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "initialised notes.sqlite (debug: False)\n"


def test_a_default_command_reports_a_failing_factory_the_same_way(
    write_module: WriteModule,
) -> None:
    write_module("broken.py", "def create_app():\n    raise KeyError('SECRET_KEY')\n")

    result = invoke(cli, "--app", "broken", "routes")

    assert result.exit_code == 1
    assert 'broken.py", line 2, in create_app' in result.stderr
    assert result.stderr.endswith("Error: loading the app raised KeyError: 'SECRET_KEY'\n")
