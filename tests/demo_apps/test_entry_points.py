"""Each demo loads the way its docstring says to run it, not only as ``demo_apps.<name>``.

``python demo_apps/<name>.py`` executes the file outside its package, and
``python demo_apps/<name>`` / ``python -m demo_apps.<name>`` execute a package's
``__main__.py``. runpy does the same loading without the final ``app.run()`` (which only
happens when the run name is ``__main__``).
"""

from __future__ import annotations

import importlib
import os
import runpy

import pytest

import demo_apps

DEMO_DIR = demo_apps.__path__[0]
MODULE_DEMOS = sorted(
    name.removesuffix(".py")
    for name in os.listdir(DEMO_DIR)
    if name.endswith(".py") and not name.startswith("_")
)
PACKAGE_DEMOS = sorted(
    name
    for name in os.listdir(DEMO_DIR)
    if os.path.isfile(os.path.join(DEMO_DIR, name, "__init__.py"))
)
RUN_NAME = "demo_entry_check"


def test_the_demos_are_all_here() -> None:
    assert PACKAGE_DEMOS == ["config_demo", "login"]
    assert len(MODULE_DEMOS) == 12


@pytest.mark.parametrize("name", MODULE_DEMOS)
def test_module_demo_runs_as_a_script(name) -> None:
    namespace = runpy.run_path(os.path.join(DEMO_DIR, f"{name}.py"), run_name=RUN_NAME)

    assert callable(namespace["app"])


@pytest.mark.parametrize("name", PACKAGE_DEMOS)
def test_package_demo_runs_as_a_directory(name) -> None:
    namespace = runpy.run_path(os.path.join(DEMO_DIR, name), run_name=RUN_NAME)

    assert namespace["app"].name == f"demo_apps.{name}"


@pytest.mark.parametrize("name", PACKAGE_DEMOS)
def test_package_demo_runs_with_python_m(name) -> None:
    namespace = runpy.run_module(f"demo_apps.{name}", run_name=RUN_NAME)

    assert namespace["app"].name == f"demo_apps.{name}"


@pytest.mark.parametrize("name", MODULE_DEMOS + PACKAGE_DEMOS)
def test_docstring_says_how_to_run_it_and_what_to_try(name) -> None:
    doc = importlib.import_module(f"demo_apps.{name}").__doc__ or ""

    assert "Run it:" in doc
    assert "Try:" in doc
    assert f"hookscope run demo_apps/{name}" in doc
