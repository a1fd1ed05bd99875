"""``shell``: Python's interactive shell in the app context."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from framework import App
from framework.cli import FrameworkGroup


def shop() -> App:
    app = App("shop")

    @app.shell_context_processor
    def extras() -> dict[str, object]:
        return {"answer": 42}

    return app


def test_the_shell_has_app_g_and_the_shell_context() -> None:
    group = FrameworkGroup(create_app=shop)

    result = CliRunner().invoke(
        group,
        ["shell"],
        input="print(app.name, answer)\ng.seen = 1\nprint(g.seen)\n",
        env={"PYTHONSTARTUP": ""},
    )

    assert result.exit_code == 0, result.output
    assert "App: shop" in result.stderr
    assert ">>> shop 42\n" in result.stdout
    assert ">>> 1\n" in result.stdout


def test_the_pythonstartup_file_runs_first(tmp_path: Path) -> None:
    startup = tmp_path / "startup.py"
    startup.write_text("greeting = 'from startup'\n")

    result = CliRunner().invoke(
        FrameworkGroup(create_app=shop),
        ["shell"],
        input="print(greeting)\n",
        env={"PYTHONSTARTUP": str(startup)},
    )

    assert ">>> from startup\n" in result.stdout
