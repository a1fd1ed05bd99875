"""The framework app is a plain WSGI callable: it runs under gunicorn and waitress as is.

A signed-cookie session needs no shared state, so a login answered by one worker
process is honoured by another.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(command: list[str], port: int) -> Iterator[str]:
    """Start a server process, wait until it answers, stop it with SIGTERM at the end."""
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"server did not start: {output}")
                time.sleep(0.1)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
    assert process.returncode in (0, -signal.SIGTERM), process.returncode


def gunicorn(port: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--workers",
        "3",
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "tests.deploy.pid_wsgi:app",
    ]


def waitress(port: int) -> list[str]:
    return [
        str(BIN / "waitress-serve"),
        "--listen",
        f"127.0.0.1:{port}",
        "--threads",
        "4",
        "tests.deploy.pid_wsgi:app",
    ]


@contextmanager
def logged_in(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=10) as client:
        response = client.post("/login", data={"user": "admin", "pwd": "password"})
        assert response.status_code == 302
        assert response.headers["location"] == "/"
        assert "session" in client.cookies
        yield client


@pytest.mark.parametrize("server", [gunicorn, waitress], ids=["gunicorn", "waitress"])
def test_login_then_pages_behind_the_gate(server) -> None:
    port = free_port()
    with serving(server(port), port) as base:
        assert httpx.get(f"{base}/", timeout=10).status_code == 302
        with logged_in(base) as client:
            assert "welcome, admin" in client.get("/").text
            assert client.get("/profile").status_code == 200
            assert client.get("/logout").status_code == 302
            assert client.get("/").status_code == 302


def test_a_session_set_by_one_gunicorn_worker_is_read_by_another() -> None:
    port = free_port()
    with serving(gunicorn(port), port) as base:
        with logged_in(base) as client:
            answered_by = set()
            for _ in range(60):
                # A new connection each time, so the kernel spreads them over the workers.
                response = httpx.get(f"{base}/profile", cookies=client.cookies, timeout=10)
                assert response.status_code == 200
                answered_by.add(response.headers["X-Worker-Pid"])
                if len(answered_by) > 1:
                    break

    assert len(answered_by) > 1
