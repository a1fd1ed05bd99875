"""``run``: the app on Werkzeug's development server, with ``flask run``'s options."""

from __future__ import annotations

import os
import ssl
import sys
import types
from pathlib import Path

import click
import httpx
import pytest

from framework.cli import run_command
from tests.server_process import ServerProcess

from .conftest import WriteModule

THIS_FILE = str(Path(__file__).resolve())


def options(*args: str) -> dict[str, object]:
    return run_command.make_context("run", list(args)).params


def test_a_certificate_file_is_paired_with_its_key_in_either_order() -> None:
    assert options("--cert", THIS_FILE, "--key", THIS_FILE)["cert"] == (THIS_FILE, THIS_FILE)
    assert options("--key", THIS_FILE, "--cert", THIS_FILE)["cert"] == (THIS_FILE, THIS_FILE)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cert", THIS_FILE], 'Required when using "--cert".'),
        (["--key", THIS_FILE], '"--cert" must also be specified.'),
        (["--cert", "no/such/cert.pem"], "'no/such/cert.pem' does not exist"),
    ],
)
def test_a_certificate_and_key_that_do_not_fit_are_refused(args: list[str], message: str) -> None:
    with pytest.raises(click.BadParameter) as caught:
        options(*args)

    assert message in caught.value.format_message()


def test_adhoc_needs_the_cryptography_library(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)  # makes the import fail
    with pytest.raises(click.BadParameter, match="requires the cryptography library"):
        options("--cert", "adhoc")

    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert options("--cert", "adhoc")["cert"] == "adhoc"
    with pytest.raises(click.BadParameter, match='When "--cert" is "adhoc", "--key" is not used'):
        options("--cert", "adhoc", "--key", THIS_FILE)


def test_an_ssl_context_is_named_by_its_import_name(monkeypatch: pytest.MonkeyPatch) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    monkeypatch.setitem(sys.modules, "shop_tls", types.SimpleNamespace(context=context))

    assert options("--cert", "shop_tls.context")["cert"] is context
    with pytest.raises(click.BadParameter, match="an SSLContext object"):
        options("--cert", "shop_tls.context", "--key", THIS_FILE)


def test_extra_files_and_exclude_patterns_take_several_paths_in_one_value() -> None:
    given = options(
        "--extra-files", os.pathsep.join(["a.cfg", "b.cfg"]), "--exclude-patterns", "*.tmp"
    )

    assert given["extra_files"] == ["a.cfg", "b.cfg"]
    assert given["exclude_patterns"] == ["*.tmp"]


SHOP_APP = """
    from framework import App

    app = App("shop")


    @app.route("/")
    def index():
        return "shop is open"


    app.run()  # ignored under `run`: it would start a second server
"""


def test_run_serves_the_app_and_ignores_app_run_in_the_module(
    write_module: WriteModule, servers: list[ServerProcess]
) -> None:
    path = write_module("shop.py", SHOP_APP)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    server = ServerProcess(
        [sys.executable, "-m", "framework.cli", "--app", "shop", "run", "--port", "0"],
        env=env,
        cwd=path.parent,
    )
    servers.append(server)

    url = server.wait_for(r"Running on (http://127\.0\.0\.1:\d+)").group(1)

    assert httpx.get(url + "/", timeout=5).text == "shop is open"
    assert " * Serving app 'shop'" in server.all_output()
    assert " * Debug mode: off" in server.all_output()
