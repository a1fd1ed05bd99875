"""Every demo served over real HTTP on 127.0.0.1, the way a browser would reach it."""

from __future__ import annotations

import importlib
import os
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler
from wsgiref.simple_server import make_server as make_wsgiref_server

import pytest
from werkzeug.serving import make_server

import demo_apps

POLL_SECONDS = 0.05  # how soon serve_forever notices shutdown()

# (demo, main path, request headers, text the page must contain)
MAIN_PAGES = [
    ("hello_werkzeug", "/", {}, "Hello World!"),
    ("hello_wsgiref", "/", {}, "Hello from the framework, served by wsgiref"),
    ("login", "/login", {}, '<form method="post"'),
    ("config_demo", "/", {}, "<td>GREETING</td>"),
    ("add_url_rule", "/", {}, "<td>/login</td><td>n2</td>"),
    ("method_views", "/index?token=letmein", {}, "Index.GET"),
    ("route_options", "/", {"Host": "xx.com:5000"}, "hello, world! nid=888"),
    ("converters", "/", {}, "href='/index/89'"),
    ("request_response", "/?a=1", {}, "<td>request.full_path</td>"),
    ("sessions", "/", {}, "no session cookie yet"),
    ("flashing", "/index?v=xx", {}, "hello,world!"),
    ("auth_hooks", "/", {}, "<h1>login</h1>"),
    ("hook_order", "/", {}, "<li>after_req1</li>"),
    ("middleware", "/", {}, "<h1>middleware</h1>"),
    ("flask_blog", "/", {}, "No posts yet."),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep wsgiref's access log out of the test output."""


@contextmanager
def served_by_werkzeug(wsgi_app: Callable[..., Any]) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert not thread.is_alive()


@contextmanager
def served_by_wsgiref(wsgi_app: Callable[..., Any]) -> Iterator[str]:
    server = make_wsgiref_server("127.0.0.1", 0, wsgi_app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
    assert not thread.is_alive()


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


@pytest.mark.parametrize(("demo", "path", "headers", "expected"), MAIN_PAGES)
def test_main_page_over_http(demo, path, headers, expected, tmp_path) -> None:
    module = importlib.import_module(f"demo_apps.{demo}")
    app = module.app if hasattr(module, "app") else module.create_app(str(tmp_path))

    with served_by_werkzeug(app) as base_url:
        status, _, body = fetch(base_url + path, headers)

    assert status == 200
    assert expected in body


def test_every_demo_is_served() -> None:
    on_disk = {
        name.removesuffix(".py")
        for name in os.listdir(demo_apps.__path__[0])
        if not name.startswith(("_", ".")) and name != "README.md"
    }
    assert on_disk == {demo for demo, *_ in MAIN_PAGES}


def test_hello_wsgiref_raw_function_over_werkzeug() -> None:
    from demo_apps.hello_wsgiref import runserver

    with served_by_werkzeug(runserver) as base_url:
        status, headers, body = fetch(base_url + "/")

    assert (status, body) == (200, "<h1>Hello, web!</h1>")
    assert headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("name", ["runserver", "app"])
def test_hello_wsgiref_both_apps_over_the_stdlib_server(name) -> None:
    wsgi_app = getattr(importlib.import_module("demo_apps.hello_wsgiref"), name)

    with served_by_wsgiref(wsgi_app) as base_url:
        status, _, body = fetch(base_url + "/")

    assert status == 200
    assert "<h1>Hello" in body


def test_login_round_trip_over_http() -> None:
    from demo_apps.login import app

    with served_by_werkzeug(app) as base_url:
        data = b"user=admin&pwd=password"
        request = urllib.request.Request(base_url + "/login", data=data, method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.url == base_url + "/welcome"
            assert "logged in" in response.read().decode("utf-8")


def test_middleware_header_arrives_over_http() -> None:
    from demo_apps.middleware import app

    with served_by_werkzeug(app) as base_url:
        _, headers, _ = fetch(base_url + "/")

    assert float(headers["X-Elapsed-Ms"]) >= 0
