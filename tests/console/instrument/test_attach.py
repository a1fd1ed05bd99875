"""What the worker does with any target: load it as something it can serve, and trace it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client

from console.instrument import PlainWSGIApp, attach_tracer, load_served_app
from framework import App
from framework.tracing import TraceRecord
from tests.console.test_targets import fresh_fixture_imports  # noqa: F401 (autouse)

FIXTURES = Path(__file__).parent.parent / "fixtures"


def test_hookscope_imports_flask_only_for_a_flask_app() -> None:
    check = (
        "import sys, framework, console.instrument, console.worker, console.cli;"
        "print('flask' in sys.modules)"
    )
    imported = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("targets_app.py", App),
        ("targets_flask_factory.py", Flask),
        ("targets_application.py", App),
        ("targets_wsgi_function.py:hello", PlainWSGIApp),
    ],
)
def test_each_kind_of_target_loads_as_something_to_serve(target: str, kind: type) -> None:
    assert isinstance(load_served_app(str(FIXTURES / target)), kind)


def records_of(app: Any) -> list[TraceRecord]:
    records: list[TraceRecord] = []
    assert attach_tracer(app, records.append, mask_secrets=True)
    with Client(app).get("/", headers={"Authorization": "Bearer token"}) as response:
        response.get_data()
    return records


def test_a_framework_app_a_flask_app_and_a_wsgi_function_all_give_records() -> None:
    framework_app = App("plain")
    framework_app.add_url_rule("/", "index", lambda: "framework")
    flask_app = Flask("plain")
    flask_app.add_url_rule("/", "index", lambda: "flask")
    wsgi = load_served_app(str(FIXTURES / "targets_wsgi_function.py:hello"))

    for app in (framework_app, flask_app, wsgi):
        (record,) = records_of(app)
        trace = record.to_dict()
        assert trace["response"]["status"] == 200
        assert ["Authorization", "••••••"] in trace["request"]["headers"]  # masked


def test_something_that_cannot_be_traced_is_refused() -> None:
    assert attach_tracer(object(), print) is False
