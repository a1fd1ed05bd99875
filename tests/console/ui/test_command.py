from __future__ import annotations

from click.testing import CliRunner

from console.cli import main
from console.ui.command import DEFAULT_DEMOS, demo_names, demo_target


def test_the_default_demos_exist() -> None:
    assert set(DEFAULT_DEMOS) <= set(demo_names())
    assert demo_target("hook_order").endswith("demo_apps/hook_order.py")
    assert demo_target("login").endswith("demo_apps/login")


def test_an_unknown_demo_is_refused_with_the_list_of_demos() -> None:
    result = CliRunner().invoke(main, ["console", "--demo", "nope"])
    assert result.exit_code == 2
    assert "no demo app named 'nope'; choose from:" in result.output
    assert "hook_order" in result.output


def test_console_is_a_hookscope_command() -> None:
    result = CliRunner().invoke(main, ["console", "--help"])
    assert result.exit_code == 0
    assert "--demo NAME" in result.output
