"""Malformed URLs, oversized requests, odd methods and hosts: a clear status, never a crash.

Every case runs against the target app on the framework (with a tracer, as the console
runs it, and without) and on Flask 3.1, each behind Werkzeug's threaded server on
127.0.0.1, and on the traced framework behind the console worker's server, and ends by
checking that the next ordinary request is still answered. The worker's parser (llhttp) is
stricter than Python's http.server: where it refuses what Werkzeug's server lets through,
the case says what it answers instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from werkzeug.routing import Rule

from tests.reliability.conftest import LiveServer, build_request, live_server, raw_request

# (id, request target, expected status, text the body must contain)
MALFORMED_TARGETS = [
    ("percent-bad-hex-path", b"/echo%zz", 404, b"Not Found"),
    ("percent-truncated-path", b"/files/%", 404, b"Not Found"),
    ("percent-bad-hex-query", b"/echo?a=%zz&b=%", 200, b'"a":["%zz"],"b":["%"]'),
    ("raw-invalid-utf8-path", b"/echo\xff\xfe", 404, b"Not Found"),
    ("encoded-invalid-utf8-path", b"/echo%ff%fe", 404, b"Not Found"),
    ("encoded-invalid-utf8-query", b"/echo?a=%ff%fe", 200, b'"a":["%FF%FE"]'),
    ("raw-latin1-query", b"/echo?a=\xff", 200, b'"a":["\\u00ff"]'),
    ("encoded-nul-path", b"/echo%00", 404, b"Not Found"),
    ("encoded-nul-query", b"/echo?a=%00", 200, b'"a":["\\u0000"]'),
    ("overlong-utf8-dot", b"/static/%c0%ae%c0%ae/secret.txt", 404, b"Not Found"),
    ("long-query-60k", b"/echo?a=" + b"a" * 60_000, 200, b"a" * 1000),
    ("long-path-60k", b"/" + b"a" * 60_000, 404, b"Not Found"),
    ("asterisk-target", b"*", 404, b"Not Found"),
    ("absolute-form-target", b"http://127.0.0.1/echo?a=1", 200, b'"a":["1"]'),
]


@pytest.mark.parametrize(
    ("target", "status", "expected"),
    [case[1:] for case in MALFORMED_TARGETS],
    ids=[case[0] for case in MALFORMED_TARGETS],
)
def test_malformed_target(server: LiveServer, target: bytes, status: int, expected: bytes) -> None:
    response = server.request(b"GET", target)

    if server.on_worker and not target.isascii():
        # A request target is ASCII (RFC 9112, 3.2); raw bytes past it are refused.
        status, expected = 400, b"malformed request target"
    assert response.status == status
    assert expected in response.body
    server.assert_alive()


# Limits of Python's http.server, which Werkzeug's server builds on, and of the worker's
# server: they answer before the app is reached, the same for every flavour.
# (id, request bytes, expected status, reason in the body: Werkzeug's, the worker's)
OVERSIZED_REQUESTS = [
    (
        "request-line-70k",
        build_request(b"GET", b"/" + b"a" * 70_000),
        414,
        b"Request-URI Too Long",
        b"the request target is longer than 65536 bytes",
    ),
    (
        "header-line-70k",
        build_request(b"GET", b"/", [(b"X-Big", b"a" * 70_000)]),
        431,
        b"Line too long",
        b"the request head is larger than 65536 bytes",
    ),
    (
        "header-120-lines",
        build_request(b"GET", b"/", [(f"X-H{i}", b"v") for i in range(120)]),
        431,
        b"Too many headers",
        b"the request has more than 100 header fields",
    ),
    (
        "cookie-header-60k",
        build_request(b"GET", b"/session", [(b"Cookie", b"session=" + b"a" * 60_000)]),
        200,
        b"{}",
        b"{}",
    ),
]


@pytest.mark.parametrize(
    ("data", "status", "reason", "workers_reason"),
    [case[1:] for case in OVERSIZED_REQUESTS],
    ids=[case[0] for case in OVERSIZED_REQUESTS],
)
def test_oversized_request(
    server: LiveServer, data: bytes, status: int, reason: bytes, workers_reason: bytes
) -> None:
    response = server.send(data)

    assert response.status == status
    assert (workers_reason if server.on_worker else reason) in response.body
    server.assert_alive()


# Request lines Python's server rejects itself; when it cannot read an HTTP version it
# answers HTTP/0.9-style (a bare body, no status line), so the code is read from the body.
# (id, request bytes, the error code the body names)
UNPARSEABLE_REQUESTS = [
    ("space-in-method", b"GE T / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", b"400"),
    ("binary-garbage", b"\x00\x01\x02\x03\r\n\r\n", b"400"),
    ("http-2.0-version", b"GET / HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n", b"505"),
    ("bogus-version", b"GET / HTTP/x.y\r\nHost: x\r\nConnection: close\r\n\r\n", b"400"),
]


@pytest.mark.parametrize(
    ("data", "code"),
    [case[1:] for case in UNPARSEABLE_REQUESTS],
    ids=[case[0] for case in UNPARSEABLE_REQUESTS],
)
def test_unparseable_request_line(server: LiveServer, data: bytes, code: bytes) -> None:
    response = server.send(data)

    if server.on_worker:
        assert response.status == int(code), "with a status line"
    else:
        assert b"Error code: " + code in response.body
    server.assert_alive()


def test_http_0_9_request_gets_a_bare_body(server: LiveServer) -> None:
    response = server.send(b"GET /\r\n\r\n")

    if server.on_worker:
        assert (response.status, b"HTTP/0.9 is not supported" in response.body) == (505, True)
    else:
        assert (response.status, response.body) == (None, b"alive")
    server.assert_alive()


def test_header_line_without_colon_is_ignored(server: LiveServer) -> None:
    response = server.send(
        b"GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\nConnection: close\r\n\r\n"
    )

    if server.on_worker:
        assert (response.status, b"Invalid header token" in response.body) == (400, True)
    else:
        assert (response.status, response.body) == (200, b"alive")
    server.assert_alive()


# (id, method, path, expected status, expected status on the worker, which answers a
# method its parser does not know 501 itself, as RFC 9110 (15.6.2) suggests; methods are
# case-sensitive, so "get" is such a method)
METHODS = [
    ("unknown-method-on-route", b"FROBNICATE", b"/", 405, 501),
    ("unknown-method-no-route", b"FROBNICATE", b"/nowhere", 404, 501),
    ("lowercase-get", b"get", b"/", 200, 501),
    ("delete-on-get-route", b"DELETE", b"/", 405, 405),
    ("get-on-put-only-route", b"GET", b"/put-only", 405, 405),
    ("connect-method", b"CONNECT", b"/", 405, 405),
    ("trace-method", b"TRACE", b"/", 405, 405),
    ("method-256-chars", b"M" * 256, b"/", 405, 501),
]


@pytest.mark.parametrize(
    ("method", "path", "status", "workers_status"),
    [case[1:] for case in METHODS],
    ids=[case[0] for case in METHODS],
)
def test_methods(
    server: LiveServer, method: bytes, path: bytes, status: int, workers_status: int
) -> None:
    response = server.request(method, path)

    if server.on_worker:
        status = workers_status
    assert response.status == status
    if status == 405:
        assert response.header("Allow")
    server.assert_alive()


TRACED_CASES = [
    *[(case[0], build_request(b"GET", case[1])) for case in MALFORMED_TARGETS],
    *[(case[0], case[1]) for case in OVERSIZED_REQUESTS],
    *[(case[0], build_request(case[1], case[2])) for case in METHODS],
]


@pytest.mark.parametrize("data", [c[1] for c in TRACED_CASES], ids=[c[0] for c in TRACED_CASES])
def test_hostile_request_is_traced_truthfully(framework_server: LiveServer, data: bytes) -> None:
    """What reaches the app leaves one trace, with the status the client saw, as plain JSON
    (the console displays it); what the HTTP server refuses itself leaves none."""
    response, trace = framework_server.send_traced(data)

    if response.status in {414, 431}:
        assert trace is None
    else:
        assert trace is not None
        assert trace["response"]["status"] == response.status
        assert isinstance(trace["request"]["path"], str)
        json.dumps(trace, allow_nan=False)


# (id, X-Request-Id value sent, whether the trace keeps it as its id)
REQUEST_IDS = [
    ("plain", b"abc-123", True),
    ("markup-like", b"<b>[red]x[/red]</b>", True),
    ("latin1-letter", b"caf\xe9", True),
    ("200-chars", b"a" * 200, True),
    ("201-chars", b"a" * 201, False),
    ("empty", b"", False),
    ("terminal-escape", b"\x1b[31mred\x1b[0m", False),
    ("nul-byte", b"a\x00b", False),
    ("bell-and-backspace", b"a\x07\x08", False),
]


@pytest.mark.parametrize(
    ("value", "kept"), [c[1:] for c in REQUEST_IDS], ids=[c[0] for c in REQUEST_IDS]
)
def test_hostile_request_id_is_kept_only_when_printable(
    framework_server: LiveServer, value: bytes, kept: bool
) -> None:
    """The trace id comes from X-Request-Id when it is short printable text; anything else
    (control characters, terminal escapes, empty, over 200 characters) gets a fresh id."""
    data = build_request(b"GET", b"/", [(b"X-Request-Id", value)])

    response, trace = framework_server.send_traced(data)

    assert response.status == 200
    assert trace is not None
    assert (trace["id"] == value.decode("latin-1")) is kept
    assert trace["id"] and trace["id"].isprintable()


def sample_url(rule: Rule) -> str:
    """A URL the rule matches: each converter's argument filled with a value it accepts."""
    samples = {
        "IntegerConverter": 7,
        "FloatConverter": 1.5,
        "UUIDConverter": "12345678-1234-5678-1234-567812345678",
        "PathConverter": "report.txt",
    }
    values = {
        name: samples.get(type(converter).__name__, "ok")
        for name, converter in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def route_table(app: object) -> list[tuple[str, str, list[str]]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)  # type: ignore[attr-defined]
    return [(rule.rule, sample_url(rule), sorted(rule.methods or ())) for rule in rules]


def test_routes_are_the_same_on_both_flavours(
    framework_server: LiveServer, flask_server: LiveServer
) -> None:
    assert route_table(framework_server.app) == route_table(flask_server.app)


def test_options_on_every_route_answers_allow(
    framework_server: LiveServer, flask_server: LiveServer
) -> None:
    """OPTIONS on every rule: the same status and Allow header as Flask, no view runs."""
    for rule, url, methods in route_table(framework_server.app):
        ours = framework_server.request(b"OPTIONS", url)
        flasks = flask_server.request(b"OPTIONS", url)

        assert (ours.status, ours.header("Allow")) == (flasks.status, flasks.header("Allow")), rule
        assert ours.status == 200, rule
        assert sorted((ours.header("Allow") or "").split(", ")) == methods, rule
    framework_server.assert_alive()


def test_head_on_every_route_matches_get_without_a_body(
    framework_server: LiveServer, flask_server: LiveServer
) -> None:
    """HEAD on every rule: Flask's status and Content-Length, and no body bytes."""
    for rule, url, methods in route_table(framework_server.app):
        if "/session/fill/" in rule:
            continue  # a 7-byte session is fine, but keep HEAD free of side effects anyway
        ours = framework_server.request(b"HEAD", url)
        flasks = flask_server.request(b"HEAD", url)

        assert ours.status == flasks.status, rule
        assert ours.header("Content-Length") == flasks.header("Content-Length"), rule
        assert ours.body == b"", rule
        if "HEAD" not in methods:
            assert ours.status == 405, rule
    framework_server.assert_alive()


# (id, SERVER_NAME, subdomain_matching, Host header, expected status)
HOSTS = [
    ("matching-host", "app.test", False, b"app.test", 200),
    ("other-host-no-subdomain-matching", "app.test", False, b"evil.test", 200),
    ("other-host-subdomain-matching", "app.test", True, b"evil.test", 404),
    ("subdomain-of-server-name", "app.test", True, b"www.app.test", 404),
    ("host-with-bad-port", "app.test", True, b"app.test:notaport", 404),
    ("empty-host", "app.test", True, b"", 404),
    ("host-with-bad-utf8", "app.test", True, b"\xff\xfe.test", 404),
]


# Werkzeug warns when the Host does not match SERVER_NAME; that is its report, not a failure.
@pytest.mark.filterwarnings("ignore:Current server name .* doesn't match:UserWarning")
@pytest.mark.parametrize("flavour", ["framework", "flask"])
@pytest.mark.parametrize(
    ("server_name", "subdomain_matching", "host", "status"),
    [case[1:] for case in HOSTS],
    ids=[case[0] for case in HOSTS],
)
def test_host_against_server_name(
    tmp_path: Path,
    flavour: str,
    server_name: str,
    subdomain_matching: bool,
    host: bytes,
    status: int,
) -> None:
    """Flask 3.1 routes any Host unless subdomain_matching is on; then only SERVER_NAME."""
    with live_server(
        flavour, tmp_path, subdomain_matching=subdomain_matching, SERVER_NAME=server_name
    ) as live:
        data = b"GET / HTTP/1.1\r\nHost: " + host + b"\r\nConnection: close\r\n\r\n"
        response = raw_request(live.port, data)

        assert response.status == status
        alive = raw_request(
            live.port, b"GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n"
        )
        assert (alive.status, alive.body) == (200, b"alive")
