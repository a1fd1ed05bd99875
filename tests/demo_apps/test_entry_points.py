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
import socket
import subprocess
import sys
import time
import urllib.request

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
    assert PACKAGE_DEMOS == ["config_demo", "flask_blog", "login"]
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("target", "path", "expected"),
    [
        ("demo_apps/hook_order.py", "/?stop=1", "short-circuited"),
        ("demo_apps/login", "/login", "<form"),
        ("demo_apps/hello_werkzeug.py", "/", "Hello World!"),
    ],
)
def test_hookscope_run_serves_the_demo(target, path, expected) -> None:
    port = free_port()
    hookscope = os.path.join(os.path.dirname(sys.executable), "hookscope")
    server = subprocess.Popen(
        [hookscope, "run", target, "--port", str(port)],
        cwd=os.path.dirname(DEMO_DIR),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = wait_for_page(f"http://127.0.0.1:{port}{path}", server)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)

    assert expected in body
    assert server.returncode == 0, output
    if target.endswith("hook_order.py"):
        assert "hook_order: before_req1\nhook_order: after_req2\nhook_order: after_req1" in output


def wait_for_page(url: str, server: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode("utf-8")
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.1)
