"""OPTIONS, HEAD and an unknown method on every route of every demo app, over a real server.

The demos are what users point hookscope at first; each of their rules must answer the
automatic methods the way Flask's rules do, and shrug off a method nobody registered.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from werkzeug.routing import Rule

import demo_apps
from framework import App
from tests.reliability.conftest import build_request, raw_request, serving

# A value each converter accepts, by converter class name.
SAMPLES = {
    "IntegerConverter": 7,
    "FloatConverter": 1.5,
    "UUIDConverter": "12345678-1234-5678-1234-567812345678",
    "PathConverter": "a/b",
    "RegexConverter": "12",
}


def demo_names() -> list[str]:
    return sorted(
        name.removesuffix(".py")
        for name in os.listdir(demo_apps.__path__[0])
        if not name.startswith(("_", ".")) and name != "README.md"
    )


def framework_apps() -> list[tuple[str, App]]:
    apps = []
    for name in demo_names():
        app = getattr(importlib.import_module(f"demo_apps.{name}"), "app", None)
        if isinstance(app, App):
            apps.append((name, app))
    return apps


def sample_value(converter: Any) -> Any:
    items = getattr(converter, "items", None)  # AnyConverter: one of its words
    if items:
        return sorted(items)[0]
    return SAMPLES.get(type(converter).__name__, "alice")


def request_for(app: App, rule: Rule) -> tuple[bytes, bytes]:
    """(Host header, path) that reach ``rule``, subdomain included."""
    values = {name: sample_value(conv) for name, conv in rule._converters.items()}
    domain_part, path = rule.build(values, append_unknown=False)  # type: ignore[misc]
    server_name = app.config["SERVER_NAME"] or "127.0.0.1"
    subdomain = domain_part.partition("|")[0]
    host = f"{subdomain}.{server_name}" if subdomain else server_name
    return host.encode(), path.encode()


def rules_of_every_demo() -> list[tuple[str, App, Rule]]:
    return [
        (name, app, rule)
        for name, app in framework_apps()
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.subdomain))
    ]


def rule_id(rule: Rule) -> str:
    return f"{rule.subdomain or ''}{rule.rule}"


RULES = [
    pytest.param(name, app, rule, id=f"{name}:{rule_id(rule)}")
    for name, app, rule in rules_of_every_demo()
]


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[str, int]]:
    """Every framework demo served at once, each on its own port."""
    with ExitStack() as stack:
        yield {app.name: stack.enter_context(serving(app)) for _, app in framework_apps()}


def send(ports: dict[str, int], app: App, method: bytes, rule: Rule) -> Any:
    host, path = request_for(app, rule)
    return raw_request(ports[app.name], build_request(method, path, host=host))


METHODS = [b"OPTIONS", b"HEAD", b"GET", b"FROBNICATE"]

# Runs in a child process where ``framework`` is a two-line shim over Flask, so each demo
# module runs unchanged on Flask 3.1; prints Flask's (status, Allow) for every request.
FLASK_REFERENCE = """
import importlib, json, sys
answers = []
for demo, host, path, method in json.load(sys.stdin):
    app = importlib.import_module("demo_apps." + demo).app
    response = app.test_client().open(path, method=method, headers={"Host": host})
    answers.append([response.status_code, response.headers.get("Allow")])
    response.close()
print(json.dumps(answers))
"""
SHIM = "from flask import *  # noqa\nfrom flask import Flask as App, json, signals, views  # noqa\n"


def demo_requests() -> list[tuple[str, App, Rule, bytes]]:
    return [
        (name, app, rule, method) for name, app, rule in rules_of_every_demo() for method in METHODS
    ]


@pytest.fixture(scope="module")
def flask_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    """Flask 3.1's (status, Allow) for each demo request, keyed by (demo, rule id, method)."""
    shim = tmp_path_factory.mktemp("flask_shim")
    (shim / "framework").mkdir()
    (shim / "framework" / "__init__.py").write_text(SHIM)
    requests = demo_requests()
    payload = []
    for demo, app, rule, method in requests:
        host, path = request_for(app, rule)
        payload.append([demo, host.decode(), path.decode(), method.decode()])
    root = os.path.dirname(os.path.dirname(demo_apps.__path__[0]))
    completed = subprocess.run(
        [sys.executable, "-c", FLASK_REFERENCE],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(shim),
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(shim), root])},
        check=True,
    )
    answers = json.loads(completed.stdout.strip().splitlines()[-1])
    return {
        (demo, rule_id(rule), method.decode()): tuple(answer)
        for (demo, _, rule, method), answer in zip(requests, answers, strict=True)
    }


def allowed(allow_header: str | None) -> set[str]:
    return set((allow_header or "").split(", "))


@pytest.mark.parametrize(("demo", "app", "rule"), RULES)
def test_automatic_and_unknown_methods_answer_as_on_flask(
    ports: dict[str, int],
    flask_answers: dict[tuple[str, str, str], Any],
    demo: str,
    app: App,
    rule: Rule,
) -> None:
    """OPTIONS, HEAD, GET and a made-up method: Flask's status (and Allow), never a 500."""
    for method in METHODS:
        response = send(ports, app, method, rule)
        flask_status, flask_allow = flask_answers[(demo, rule_id(rule), method.decode())]

        assert response.status == flask_status, method
        assert response.status is not None and response.status < 500, method
        if method == b"OPTIONS":  # a set: its order changes from process to process
            assert allowed(response.header("Allow")) == allowed(flask_allow)
        if method == b"HEAD":
            assert response.body == b""
