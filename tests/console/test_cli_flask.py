"""``hookscope routes|shell|run|--app`` on a genuine Flask app, and on an old Flask."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from console.cli import main
from tests.console.test_cli import HOOKSCOPE, hookscope_run
from tests.console.test_flask_apps import old_flask_project
from tests.server_process import ServerProcess

BLOG = Path(__file__).parent.parent.parent / "demo_apps" / "flask_blog"


@pytest.fixture
def blog(tmp_path: Path) -> str:
    """The demo blog's target, its instance folder (and database) in ``tmp_path``."""
    return f"{BLOG}:create_app({str(tmp_path)!r})"


@pytest.fixture(autouse=True)
def restore_sys_path() -> Iterator[None]:
    saved = list(sys.path)
    yield
    sys.path[:] = saved


def hookscope(*args: str, **kwargs: object) -> Result:
    return CliRunner().invoke(main, list(args), **kwargs)  # type: ignore[arg-type]


def test_routes_lists_a_flask_apps_url_map(blog: str) -> None:
    result = hookscope("routes", blog, "--sort", "rule")

    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.stdout.splitlines()[2:]] == [
        "blog.index",
        "blog.post",
        "auth.login",
        "auth.logout",
        "blog.create",
        "static",
    ]


def test_a_flask_apps_own_command_runs_in_its_app_context(blog: str, tmp_path: Path) -> None:
    result = hookscope("--app", blog, "init-db")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Initialized the database.\n"
    assert (tmp_path / "blog.sqlite").is_file()


def test_shell_opens_in_the_flask_apps_context(blog: str) -> None:
    result = hookscope(
        "shell", blog, input="from flask import current_app\nprint(current_app.name)\n"
    )

    assert result.exit_code == 0, result.output
    assert ">>> demo_apps.flask_blog\n" in result.stdout


def test_run_serves_a_flask_app(blog: str, servers: list[ServerProcess]) -> None:
    server = hookscope_run(blog, "--port", "0")
    servers.append(server)
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)
    assert "No posts yet." in httpx.get(url + "/", timeout=5).text
    assert "Serving app 'demo_apps.flask_blog'" in server.all_output()


def test_an_old_flask_that_fails_to_import_is_named(tmp_path: Path) -> None:
    """A project whose Flask 2.2 cannot import with today's Werkzeug (a stand-in package
    raising what Flask 2.2 raises, with that version's distribution record)."""
    old_flask_project(
        tmp_path, "2.2.5", "from werkzeug.urls import url_quote  # gone since Werkzeug 3\n"
    )

    result = subprocess.run(
        [HOOKSCOPE, "routes", "app.py"], cwd=tmp_path, capture_output=True, text=True
    )

    assert result.returncode == 2
    first, *traceback = result.stderr.splitlines()
    assert first == (
        "Error: could not load 'app.py': Flask 2.2.5 is too old: hookscope runs Flask 3.0 "
        "and 3.1 apps (pip install 'flask>=3.0,<4')"
    )
    assert traceback[0] == "Traceback (most recent call last):"
    assert "ImportError: cannot import name 'url_quote'" in traceback[-1]
