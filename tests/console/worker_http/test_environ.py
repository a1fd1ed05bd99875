"""The environ an app sees is the one Werkzeug's development server gives it: the same
request reaches an app under ``hookscope run`` and under the console alike."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.console.worker_http.wire import StartResponse, responses, send_and_read_all, serving

#: What differs by design: who serves, on which ports, and objects that are no text.
SERVER_SPECIFIC = {"SERVER_SOFTWARE", "SERVER_PORT", "REMOTE_PORT", "werkzeug.socket"}


def environ_as_json(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    environ["wsgi.input"].read()
    shown = {
        key: value
        for key, value in environ.items()
        if key not in SERVER_SPECIFIC and isinstance(value, str | int | bool | tuple)
    }
    body = json.dumps(shown, sort_keys=True).encode()
    start_response("200 OK", [("Content-Length", str(len(body)))])
    return [body]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log in the test output."""


@contextmanager
def werkzeug_server() -> Iterator[Any]:
    server = make_server(
        "127.0.0.1", 0, environ_as_json, threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def environ_from(server: Any, data: bytes) -> dict[str, Any]:
    [response] = responses(send_and_read_all(server, data))
    assert response.status == 200
    environ: dict[str, Any] = json.loads(response.body)
    return environ


def request(target: bytes, *fields: bytes, body: bytes = b"", version: bytes = b"1.1") -> bytes:
    head = b"POST " + target + b" HTTP/" + version + b"\r\nHost: example.test\r\n"
    head += b"".join(field + b"\r\n" for field in fields)
    head += b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) if body else b""
    return head + (b"" if body else b"Connection: close\r\n\r\n") + body


CASES = [
    ("plain", request(b"/a/b?x=1&y=2")),
    ("percent-encoded-utf8", request(b"/caf%C3%A9/%E2%82%AC?q=%C3%A9")),
    ("percent-encoded-invalid-utf8", request(b"/%ff%fe?a=%ff")),
    ("encoded-slash-and-space", request(b"/a%2Fb%20c")),
    ("fragment", request(b"/page?x=1#section")),
    ("absolute-form", request(b"http://other.test:8080/abs?x=1")),
    ("double-slash", request(b"//double/slash")),
    ("asterisk", request(b"*")),
    ("underscore-field-dropped", request(b"/", b"X_Forwarded_For: 6.6.6.6", b"X-Real: 1")),
    ("repeated-fields-joined", request(b"/", b"Accept: a", b"Accept: b", b"X-Dup: 1")),
    ("content-type-and-length", request(b"/", b"Content-Type: text/plain", body=b"hello")),
    ("http-1.0", request(b"/old", version=b"1.0")),
    ("latin1-value", request(b"/", b"X-Name: caf\xe9")),
]


@pytest.mark.parametrize("data", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_the_environ_matches_werkzeugs_development_server(data: bytes) -> None:
    with serving(environ_as_json) as ours, werkzeug_server() as werkzeugs:
        assert environ_from(ours, data) == environ_from(werkzeugs, data)


def test_a_chunked_body_is_marked_terminated_as_werkzeug_does() -> None:
    data = (
        b"PUT / HTTP/1.1\r\nHost: example.test\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    )
    with serving(environ_as_json) as ours, werkzeug_server() as werkzeugs:
        mine, theirs = environ_from(ours, data), environ_from(werkzeugs, data)

    assert mine == theirs
    assert mine["wsgi.input_terminated"] is True and "CONTENT_LENGTH" not in mine
