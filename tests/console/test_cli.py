"""The ``hookscope`` command as a user types it: routes, app commands, shell, run, and errors."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from console.cli import main
from tests.server_process import ServerProcess

FIXTURES = Path(__file__).parent / "fixtures"
APP_FILE = str(FIXTURES / "targets_app.py")
HOOKSCOPE = str(Path(sys.executable).with_name("hookscope"))


@pytest.fixture(autouse=True)
def fresh_fixture_imports() -> Iterator[None]:
    """Give each test its own import of the fixture apps and leave sys.path as it was."""
    saved_path = list(sys.path)
    yield
    sys.path[:] = saved_path
    for name in [name for name in sys.modules if name.startswith("targets_")]:
        del sys.modules[name]


def hookscope(*args: str, **kwargs: object) -> Result:
    return CliRunner().invoke(main, list(args), **kwargs)  # type: ignore[arg-type]


# hookscope routes


def test_routes_prints_the_route_table() -> None:
    result = hookscope("routes", APP_FILE)

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Endpoint  Methods           Rule                   \n"
        "--------  ----------------  -----------------------\n"
        "boom      GET               /boom                  \n"
        "index     GET               /                      \n"
        "item      DELETE, GET, PUT  /items/<int:item_id>   \n"
        "login     POST              /login                 \n"
        "static    GET               /static/<path:filename>\n"
    )


def test_routes_sorts_and_shows_all_methods_on_request() -> None:
    result = hookscope("routes", APP_FILE, "--sort", "rule", "--all-methods")

    assert result.exit_code == 0, result.output
    assert [line.split("  ")[0] for line in result.stdout.splitlines()[2:]] == [
        "index",
        "boom",
        "item",
        "login",
        "static",
    ]
    assert "login     OPTIONS, POST" in result.stdout


def test_routes_shows_the_subdomain_column_when_used() -> None:
    result = hookscope("routes", str(FIXTURES / "targets_subdomains.py"), "-s", "domain")

    assert result.stdout.splitlines()[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert result.stdout.splitlines()[-1].split() == ["api_index", "GET", "api", "/"]


def test_routes_of_an_app_without_routes_says_so() -> None:
    result = hookscope("routes", str(FIXTURES / "targets_empty_app.py"))

    assert result.exit_code == 0
    assert result.stdout == "No routes were registered.\n"


def test_routes_refuses_an_unknown_sort() -> None:
    result = hookscope("routes", APP_FILE, "--sort", "size")

    assert result.exit_code == 2
    assert "Invalid value for '--sort' / '-s': 'size' is not one of 'endpoint'" in result.stderr


# targets that cannot be loaded: one line, exit code 2, a traceback only for the user's code


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("no/such/app.py", "no such file or directory: "),
        ("targets_nowhere", "no module named 'targets_nowhere'"),
        (str(FIXTURES), "is not a package (it has no __init__.py)"),
        (f"{APP_FILE}:web", "module 'targets_app' has no attribute 'web'"),
        (str(FIXTURES / "targets_no_app.py"), "no app found in 'targets_no_app'"),
        (str(FIXTURES / "targets_two_apps.py"), "found several apps in 'targets_two_apps'"),
        (
            str(FIXTURES / "targets_factory_needs_args.py"),
            "cannot call create_app() with these arguments",
        ),
        (
            str(FIXTURES / "targets_factory_returns_none.py"),
            "factory create_app() returned a NoneType, not an App",
        ),
        (f"{APP_FILE}:create_app(__import__('os'))", "argument 1 of create_app() is not a literal"),
        ("my app", "'my app' is neither a file path nor a dotted module name"),
    ],
)
@pytest.mark.parametrize("command", ["routes", "shell", "run"])
def test_a_bad_target_is_one_line_on_stderr_and_exit_code_2(
    command: str, target: str, reason: str
) -> None:
    result = hookscope(command, target)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: could not load {target!r}: ")
    assert reason in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("fixture", "reason", "raising_line"),
    [
        (
            "targets_raises_at_import.py",
            "importing 'targets_raises_at_import' raised RuntimeError: boom at import",
            'targets_raises_at_import.py", line 3, in <module>',
        ),
        (
            "targets_missing_dependency.py",
            "importing 'targets_missing_dependency' raised ModuleNotFoundError: "
            "No module named 'hookscope_no_such_dependency'",
            'targets_missing_dependency.py", line 1, in <module>',
        ),
        (
            "targets_factory_raises.py",
            "factory create_app() raised RuntimeError: DATABASE_URL is not set",
            'targets_factory_raises.py", line 5, in create_app',
        ),
    ],
)
def test_a_target_whose_code_raises_shows_the_traceback_under_the_error(
    fixture: str, reason: str, raising_line: str
) -> None:
    target = str(FIXTURES / fixture)

    result = hookscope("routes", target)

    assert result.exit_code == 2
    first_line, traceback = result.stderr.split("\n", 1)
    assert first_line == f"Error: could not load {target!r}: {reason}"
    assert traceback.startswith("Traceback (most recent call last):\n")
    assert raising_line in traceback


def test_a_syntax_error_shows_where_it_is(tmp_path: Path) -> None:
    broken = tmp_path / "targets_half_edited.py"
    broken.write_text("from framework import App\n\napp = App(__name__\n")

    result = hookscope("routes", str(broken))

    assert result.exit_code == 2
    first_line, details = result.stderr.split("\n", 1)
    assert first_line.startswith(f"Error: could not load '{broken}': ")
    assert "raised SyntaxError: '(' was never closed" in first_line
    assert f'File "{broken}", line 3' in details


# commands the app adds: hookscope --app TARGET NAME


def test_an_app_command_runs_in_the_app_context() -> None:
    result = hookscope("--app", APP_FILE, "greet", "--name", "ada")

    assert result.exit_code == 0, result.output
    assert result.stdout == "hello ada from targets_app\n"


def test_the_command_line_pushes_the_app_context_even_for_a_command_that_opted_out() -> None:
    """As ``flask --app APP CMD`` does: with_appcontext=False only matters to a caller that
    invokes the command without the command line, such as ``app.test_cli_runner()``."""
    assert hookscope("--app", APP_FILE, "no-context").stdout == "app context: True\n"


def test_a_blueprint_command_is_grouped_under_the_blueprint_name() -> None:
    result = hookscope("--app", APP_FILE, "reports", "build")

    assert result.stdout == "building reports for targets_app\n"


def test_app_commands_are_listed_in_help_next_to_the_builtin_ones() -> None:
    result = hookscope("--app", APP_FILE, "--help")

    commands = result.stdout.split("Commands:\n")[1].split("\n\n")[0]
    listed = re.findall(r"^  (\S+)", commands, re.MULTILINE)
    assert {"greet", "no-context", "reports", "routes", "run", "shell"} <= set(listed)
    assert listed == sorted(listed)


def test_a_tutorial_style_plain_click_command_runs_in_the_app_context(tmp_path: Path) -> None:
    """Flask's tutorial adds ``init-db`` (a plain ``@click.command``) with
    ``app.cli.add_command``; the command line must push the app context for it, as
    ``flask --app "flaskr:create_app()" init-db`` does. Run through the real entry point,
    from the project's directory, as a user would."""
    shutil.copytree(FIXTURES / "tutorial_blog", tmp_path / "tutorial_blog")

    result = subprocess.run(
        [HOOKSCOPE, "--app", "tutorial_blog:create_app()", "init-db"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Initialized the database.\n"
    with closing(sqlite3.connect(tmp_path / "instance" / "blog.sqlite")) as database:
        assert database.execute("SELECT title FROM post").fetchall() == [("hello, world",)]


def test_help_with_a_bad_app_target_reports_it_and_still_lists_the_builtins() -> None:
    result = hookscope("--app", "targets_nowhere", "--help")

    assert result.exit_code == 0
    assert result.stderr == (
        "Error: could not load 'targets_nowhere': no module named 'targets_nowhere'\n"
    )
    assert "  routes " in result.stdout


def test_an_unknown_command_is_named() -> None:
    result = hookscope("--app", APP_FILE, "migrate")

    assert result.exit_code == 2
    assert "No such command 'migrate'." in result.stderr


def test_an_app_command_with_a_bad_app_target_fails_cleanly() -> None:
    result = hookscope("--app", "targets_nowhere", "greet")

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: could not load 'targets_nowhere': no module named 'targets_nowhere'\n"
    )


def test_builtin_commands_do_not_load_the_app_target() -> None:
    result = hookscope("--app", "targets_nowhere", "routes", APP_FILE)

    assert result.exit_code == 0, result.output


# hookscope shell


def test_shell_runs_code_with_app_g_and_the_shell_context() -> None:
    result = hookscope(
        "shell",
        APP_FILE,
        input="print(app.name, answer)\ng.seen = 1\nprint(g.seen)\n",
        env={"PYTHONSTARTUP": ""},
    )

    assert result.exit_code == 0, result.output
    assert "App: targets_app" in result.stderr
    assert ">>> targets_app 42\n" in result.stdout
    assert ">>> 1\n" in result.stdout


def test_shell_runs_the_pythonstartup_file_first(tmp_path: Path) -> None:
    startup = tmp_path / "startup.py"
    startup.write_text("greeting = 'from startup'\n")

    result = hookscope(
        "shell", APP_FILE, input="print(greeting)\n", env={"PYTHONSTARTUP": str(startup)}
    )

    assert ">>> from startup\n" in result.stdout


def test_a_failing_pythonstartup_file_is_reported_and_the_shell_still_starts(
    tmp_path: Path,
) -> None:
    startup = tmp_path / "startup.py"
    startup.write_text("1 / 0\n")

    result = hookscope(
        "shell", APP_FILE, input="print(app.name)\n", env={"PYTHONSTARTUP": str(startup)}
    )

    assert f"Error in PYTHONSTARTUP file {startup}:" in result.stderr
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert ">>> targets_app\n" in result.stdout


# hookscope run: a real server process


def hookscope_run(*args: str) -> ServerProcess:
    """``hookscope run ARGS`` in a child process with a bare environment."""
    return ServerProcess(
        [HOOKSCOPE, "run", *args], env={"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_serves_the_app_on_loopback_and_stops_cleanly(
    servers: list[ServerProcess], stop_signal: signal.Signals
) -> None:
    server = hookscope_run(APP_FILE, "--port", "0")
    servers.append(server)
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)

    response = httpx.get(url + "/items/7", timeout=5)

    assert response.status_code == 200
    assert response.text == "item 7"
    assert server.stop(stop_signal) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", timeout=2)


def test_run_with_reload_serves_the_edited_code_on_the_same_port(
    servers: list[ServerProcess], tmp_path: Path
) -> None:
    app_file = tmp_path / "targets_reloaded.py"
    app_file.write_text((FIXTURES / "targets_app.py").read_text())
    server = hookscope_run(str(app_file), "--port", "0", "--reload")
    servers.append(server)
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)
    assert httpx.get(url + "/", timeout=5).text == "hello from targets_app"

    app_file.write_text(app_file.read_text().replace("hello from targets_app", "hello, edited"))

    server.wait_for(r"Detected change in .*targets_reloaded\.py")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/", timeout=2).text == "hello, edited":
                break
        except httpx.TransportError:
            pass  # the new server process is still starting
        time.sleep(0.05)
    else:
        raise AssertionError(f"the edit was never served: {server.all_output()}")
    assert server.stop(signal.SIGTERM) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/", timeout=2)


def test_without_debug_an_error_is_a_plain_500(servers: list[ServerProcess]) -> None:
    server = hookscope_run(APP_FILE, "--port", "0")
    servers.append(server)
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)

    response = httpx.get(url + "/boom", timeout=5)

    assert response.status_code == 500
    assert "Werkzeug Debugger" not in response.text
    assert server.stop(signal.SIGINT) == 0


def test_run_with_debug_on_loopback_shows_the_debugger_and_keeps_it_behind_the_pin(
    servers: list[ServerProcess],
) -> None:
    server = hookscope_run(APP_FILE, "--port", "0", "--debug")
    servers.append(server)
    server.wait_for(r"Debug mode: on")
    server.wait_for(r"Interactive debugger: on \(loopback only; its console asks for a PIN")
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)

    page = httpx.get(url + "/boom", timeout=5)
    assert page.status_code == 500
    assert "Werkzeug Debugger" in page.text
    secret = re.search(r'SECRET = "([^"]+)"', page.text)
    frame = re.search(r'id="frame-(\d+)"', page.text)
    assert secret is not None and frame is not None

    debugger = {"__debugger__": "yes", "s": secret.group(1)}
    wrong_pin = httpx.get(
        url + "/boom", params={**debugger, "cmd": "pinauth", "pin": "000-000-000"}, timeout=5
    )
    assert wrong_pin.json()["auth"] is False
    unauthenticated = httpx.get(
        url + "/boom",
        params={**debugger, "cmd": "'hookscope' + '_evaluated'", "frm": frame.group(1)},
        timeout=5,
    )
    assert "hookscope_evaluated" not in unauthenticated.text
    assert server.stop(signal.SIGINT) == 0


def test_run_on_a_busy_port_says_so(servers: list[ServerProcess]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = hookscope_run(APP_FILE, "--port", str(port))
        servers.append(server)

        assert server.process.wait(timeout=10) == 1
        assert f"Port {port} is in use by another program" in server.all_output()


def test_run_on_a_non_loopback_host_warns_and_keeps_the_debugger_off(
    servers: list[ServerProcess],
) -> None:
    # 192.0.2.1 is reserved for documentation: it resolves but cannot be bound, so the
    # warnings are printed without the test ever listening on a reachable interface.
    server = hookscope_run(APP_FILE, "--host", "192.0.2.1", "--port", "0", "--debug")
    servers.append(server)

    server.wait_for(r"WARNING: binding 192\.0\.2\.1, which other machines can reach")
    server.wait_for(r"The interactive debugger stays off on a non-loopback host")
    assert server.process.wait(timeout=10) != 0
    assert "Interactive debugger: on" not in server.all_output()


def test_run_refuses_a_host_that_does_not_resolve() -> None:
    result = hookscope("run", APP_FILE, "--host", "no-such-host.invalid")

    assert result.exit_code == 2
    assert "Invalid value for '--host' / '-h': cannot resolve 'no-such-host.invalid'" in (
        result.stderr
    )


def test_run_refuses_a_port_out_of_range() -> None:
    result = hookscope("run", APP_FILE, "--port", "70000")

    assert result.exit_code == 2
    assert "Invalid value for '--port' / '-p': 70000 is not in the range 0<=x<=65535" in (
        result.stderr
    )
