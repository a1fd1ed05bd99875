"""``import framework``: every public name, and nothing a request does not need.

What an app reaches only through the test client, the CLI or templates is imported on
first use, so a fresh interpreter that imports the framework loads none of it.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import framework

LOADED_ON_FIRST_USE = (
    "click",
    "jinja2",
    "itsdangerous",
    "asyncio",
    "decimal",
    "framework.cli",
    "framework.testing",
    "framework.templating",
    "framework.debughelpers",
)


def modules_loaded_by(code: str) -> set[str]:
    """The names in ``sys.modules`` after a fresh interpreter runs ``code``."""
    finished = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(*sys.modules, sep='\\n')"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(finished.stdout.split())


def test_importing_the_framework_leaves_the_cli_test_client_and_templates_for_later() -> None:
    loaded = modules_loaded_by("import framework")

    assert "framework" in loaded
    assert loaded.isdisjoint(LOADED_ON_FIRST_USE), loaded & set(LOADED_ON_FIRST_USE)


def test_using_them_imports_them() -> None:
    loaded = modules_loaded_by(
        "from framework import App, render_template_string\n"
        "app = App('shop')\n"
        "with app.app_context():\n"
        "    render_template_string('{{ 1 }}')\n"
        "app.test_client()\n"
        "app.test_cli_runner()\n"
    )

    assert {"jinja2", "click", "framework.templating", "framework.testing"} <= loaded


@pytest.mark.parametrize("name", framework.__all__)
def test_every_public_name_is_an_attribute_of_the_package(name: str) -> None:
    assert getattr(framework, name) is not None


def test_an_unknown_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Flask'"):
        framework.Flask  # noqa: B018
