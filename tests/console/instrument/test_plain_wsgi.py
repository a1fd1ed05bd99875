"""A bare WSGI callable served by the console: traces with the request and the response."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from console.instrument.plain_wsgi import PlainWSGIApp

StartResponse = Callable[..., Any]


def hello(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    start_response("201 Created", [("Content-Type", "text/plain"), ("X-Hello", "1")])
    return [b"hello ", b"raw"]


def late_start(environ: dict[str, Any], start_response: StartResponse) -> Iterator[bytes]:
    """A generator: start_response is called only when the server asks for the body."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"streamed"


def broken(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    raise RuntimeError("broken app")


@Request.application
def echo(request: Request) -> Response:
    return Response(f"{request.method} {request.path} {request.form.get('x', '')}")


def traced(wsgi: Any) -> tuple[PlainWSGIApp, list[dict[str, Any]]]:
    app = PlainWSGIApp(wsgi)
    traces: list[dict[str, Any]] = []
    app.tracers.add(traces.append)
    return app, traces


def test_a_request_and_its_response_are_traced_with_no_steps() -> None:
    app, traces = traced(hello)

    with Client(app).get("/any/path?x=1", headers={"X-Request-Id": "raw-1"}) as response:
        assert (response.status_code, response.get_data()) == (201, b"hello raw")
    trace = traces[0]
    assert (trace["id"], trace["app"], trace["steps"]) == ("raw-1", "hello", [])
    assert trace["request"]["path"] == "/any/path" and trace["request"]["query_string"] == "x=1"
    assert trace["response"]["status"] == 201
    assert ["X-Hello", "1"] in trace["response"]["headers"]
    assert (trace["response"]["body_size"], trace["response"]["body_preview"]) == (9, "hello raw")
    assert trace["session"]["opened"] is False


def test_start_response_called_with_the_first_chunk_is_seen() -> None:
    app, traces = traced(late_start)

    with Client(app).get("/") as response:
        assert response.get_data() == b"streamed"
    assert traces[0]["response"]["status"] == 200
    assert traces[0]["response"]["body_preview"] == "streamed"


def test_werkzeugs_request_application_reads_its_form_as_usual() -> None:
    app, traces = traced(echo)

    with Client(app).post("/form", data={"x": "42"}) as response:
        assert response.get_data() == b"POST /form 42"
    assert traces[0]["request"]["body_preview"] == "x=42"


def test_an_exception_from_the_app_is_the_traces_exception() -> None:
    app, traces = traced(broken)

    with pytest.raises(RuntimeError, match="broken app"):
        Client(app).get("/")

    assert traces[0]["exception"]["type"] == "RuntimeError"
    assert traces[0]["response"] is None


def test_what_the_worker_reads_of_an_app_is_there() -> None:
    app = PlainWSGIApp(echo)

    assert (app.name, app.import_name) == ("echo", __name__)
    assert app.root_path == __file__.rpartition("/")[0]
    assert list(app.url_map.iter_rules()) == []
    assert Client(app).get("/x").get_data() == b"GET /x "  # no tracer: served as is
