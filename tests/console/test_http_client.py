"""Test requests over real HTTP against an app served by Werkzeug on 127.0.0.1."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from console.http_client import AppClient, AppClients, RequestFailed

APP_FILE = Path(__file__).parent / "apps" / "http_target.py"


def load_app() -> Any:
    spec = importlib.util.spec_from_file_location("http_target", APP_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = load_app()
    traces: list[dict[str, Any]] = []
    app.add_tracer(traces.append)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def client(base_url: str) -> Iterator[AppClient]:
    with AppClient(base_url, timeout=5) as app_client:
        yield app_client


def body_json(result: Any) -> Any:
    return json.loads(result.body)


def test_a_login_persists_in_the_apps_cookie_jar(client: AppClient) -> None:
    assert client.send("GET", "/whoami").body == b"nobody"
    login = client.send("POST", "/login", form={"name": "ada"})
    assert login.status == 303 and login.header("Location") == "/whoami"
    assert [cookie.name for cookie in client.cookies] == ["session"]
    assert client.send("GET", "/whoami").body == b"ada"
    client.clear_cookies()
    assert client.send("GET", "/whoami").body == b"nobody"


def test_each_app_has_its_own_jar(base_url: str) -> None:
    clients = AppClients(timeout=5)
    try:
        first = clients.for_app("first", base_url)
        second = clients.for_app("second", base_url)
        first.send("POST", "/login", form={"name": "first"})
        assert first.send("GET", "/whoami").body == b"first"
        assert second.send("GET", "/whoami").body == b"nobody"
        assert clients.for_app("first", base_url) is first
    finally:
        clients.close()


def test_every_request_carries_its_request_id(client: AppClient) -> None:
    result = client.send("GET", "/echo")
    assert body_json(result)["request_id"] == result.request_id == result.trace_id
    chosen = client.send("GET", "/echo", request_id="mine-1")
    assert body_json(chosen)["request_id"] == "mine-1"
    from_header = client.send("GET", "/echo", headers={"X-Request-Id": "from-header"})
    assert from_header.request_id == "from-header"


def test_redirects_are_followed_on_request_with_the_chain_recorded(client: AppClient) -> None:
    not_followed = client.send("GET", "/hop/2")
    assert not_followed.status == 302 and not_followed.redirects == ()
    followed = client.send("GET", "/hop/2", follow_redirects=True)
    assert (followed.status, followed.body) == (200, b"landed")
    assert [hop.url.rsplit("/", 2)[-2:] for hop in followed.redirects] == [
        ["hop", "2"],
        ["hop", "1"],
    ]
    assert [hop.status for hop in followed.redirects] == [302, 302]
    ids = [hop.request_id for hop in followed.redirects] + [followed.request_id]
    assert len(set(ids)) == 3


def test_a_post_redirected_with_303_becomes_a_get(client: AppClient) -> None:
    result = client.send("POST", "/login", form={"name": "grace"}, follow_redirects=True)
    assert result.method == "GET" and result.body == b"grace"
    assert result.redirects[0].method == "POST"


def test_a_redirect_to_another_host_is_recorded_but_not_followed(client: AppClient) -> None:
    result = client.send("GET", "/away", follow_redirects=True)
    assert result.status == 302
    assert result.header("location") == "http://example.invalid/elsewhere"


def test_bodies_query_and_headers_are_sent(client: AppClient) -> None:
    as_json = body_json(client.send("PUT", "/echo", json={"a": [1, 2]}))
    assert as_json["json"] == {"a": [1, 2]} and as_json["method"] == "PUT"
    as_form = body_json(client.send("POST", "/echo", form={"f": "1"}))
    assert as_form["form"] == {"f": "1"}
    raw = body_json(client.send("POST", "/echo", content="plain text"))
    assert raw["data"] == "plain text"
    query = body_json(client.send("GET", "/echo?x=1", params={"y": "2"}))
    assert query["args"] == {"x": "1", "y": "2"}
    custom = body_json(client.send("GET", "/echo", headers=[("X-Custom", "[bold]hi")]))
    assert custom["custom"] == "[bold]hi"


def test_a_response_carries_status_headers_timing(client: AppClient) -> None:
    result = client.send("GET", "/missing")
    assert (result.status, result.reason) == (404, "NOT FOUND")
    assert result.header("content-type") == "text/html; charset=utf-8"
    assert result.elapsed_ms > 0


def test_a_big_body_is_cut_at_the_limit(base_url: str) -> None:
    with AppClient(base_url, max_body=1000) as small:
        result = small.send("GET", "/big")
    assert len(result.body) == 1000 and result.body_truncated


def test_a_slow_response_times_out_with_a_clear_message(client: AppClient) -> None:
    with pytest.raises(RequestFailed, match=r"no response from .*/slow\?seconds=3 within 0.5 s"):
        client.send("GET", "/slow?seconds=3", timeout=0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (dict(path="http://example.com/"), "is not on this app"),
        (dict(path="/x\r\nX-Evil: 1"), "line break"),
        (dict(path="/echo", form={"a": "1"}, json={"b": 2}), "give only one body"),
        (dict(path="/echo", headers={"X-Bad": "a\r\nb"}), "cannot build the request|failed"),
        (dict(path="/echo", method="BAD METHOD"), "failed|cannot build"),
    ],
)
def test_bad_requests_are_one_line_errors(
    client: AppClient, call: dict[str, Any], message: str
) -> None:
    method = call.pop("method", "GET")
    with pytest.raises(RequestFailed, match=message) as caught:
        client.send(method, **call)
    assert "\n" not in str(caught.value)


def test_nothing_listening_is_a_clear_error() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with AppClient(f"http://127.0.0.1:{port}", timeout=2) as client:
        with pytest.raises(RequestFailed, match=f"cannot connect to http://127.0.0.1:{port}/"):
            client.send("GET", "/")
