"""Header injection: a CR or LF in a redirect target or a header value set by a view.

The value comes from the query string, so an attacker chooses it. It must be refused
(a 500 from Werkzeug's header check) or encoded, and never reach the wire as a line of
its own: each case inspects the raw bytes of the response head.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.reliability.conftest import (
    LiveServer,
    RawResponse,
    build_request,
    expect_server_error,
)


def head_lines(response: RawResponse) -> list[bytes]:
    return response.raw.partition(b"\r\n\r\n")[0].split(b"\r\n")[1:]


def assert_nothing_injected(response: RawResponse, *, set_cookies: int = 0) -> None:
    """No injected header, and every line of the head is a single ``Name: value``."""
    names = response.header_names()
    assert "x-evil" not in names
    assert names.count("set-cookie") == set_cookies
    for line in head_lines(response):
        name, colon, _ = line.partition(b":")
        assert colon and name and b" " not in name, line
        assert b"\r" not in line and b"\n" not in line


# (id, request target, expected status, Location (or X-Echo) header sent, or None)
CASES = [
    ("redirect-crlf", b"/redirect?to=/x%0d%0aSet-Cookie:%20evil=1", 500, None),
    ("redirect-lf", b"/redirect?to=/x%0aSet-Cookie:%20evil=1", 500, None),
    ("redirect-cr", b"/redirect?to=/x%0dSet-Cookie:%20evil=1", 500, None),
    ("redirect-crlf-crlf-body", b"/redirect?to=/x%0d%0a%0d%0a<script>", 500, None),
    (
        "redirect-unicode-line-separator",
        b"/redirect?to=/x%e2%80%a8Set-Cookie:%20evil=1",
        302,
        "/x%E2%80%A8Set-Cookie:%20evil=1",
    ),
    (
        "redirect-next-line",
        b"/redirect?to=/x%c2%85Set-Cookie:%20evil=1",
        302,
        "/x%C2%85Set-Cookie:%20evil=1",
    ),
    ("redirect-nul", b"/redirect?to=/x%00y", 302, "/x%00y"),
    ("redirect-non-ascii", b"/redirect?to=/%e2%82%ac", 302, "/%E2%82%AC"),
    ("header-crlf", b"/header?value=a%0d%0aSet-Cookie:%20evil=1", 500, None),
    ("header-cr", b"/header?value=a%0dX-Evil:%201", 500, None),
    ("header-lf", b"/header?value=a%0aX-Evil:%201", 500, None),
    ("header-vertical-tab", b"/header?value=a%0bb", 200, "a\x0bb"),
    ("header-form-feed", b"/header?value=a%0cb", 200, "a\x0cb"),
    ("header-tab", b"/header?value=a%09b", 200, "a\tb"),
    ("header-nul", b"/header?value=a%00b", 200, "a\x00b"),
    ("header-latin1", b"/header?value=%c3%a9", 200, "é"),
    ("header-next-line", b"/header?value=%c2%85X-Evil:%201", 200, "\x85X-Evil: 1"),
]


@pytest.mark.parametrize(
    ("target", "status", "sent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_crlf_is_refused_or_encoded(
    server: LiveServer, target: bytes, status: int, sent: str | None
) -> None:
    response = server.request(b"GET", target)

    assert response.status == status
    assert_nothing_injected(response)
    header = "Location" if target.startswith(b"/redirect") else "X-Echo"
    assert response.header(header) == sent
    if status == 500:
        assert any("must not contain newline" in m for m in server.take_errors())
    server.assert_alive()


def test_refused_header_is_a_clear_500_in_the_trace(framework_server: LiveServer) -> None:
    data = build_request(b"GET", b"/header?value=a%0d%0aSet-Cookie:%20evil=1")

    response, trace = framework_server.send_traced(data)

    assert response.status == 500
    assert trace is not None
    assert trace["response"]["status"] == 500
    assert trace["exception"]["type"] == "ValueError"
    assert "newline" in trace["exception"]["message"]


@pytest.mark.parametrize(
    "target",
    [b"/session/set/k/a%0d%0aSet-Cookie:%20evil=1", b"/session/set/k%0d%0aX-Evil:%201/v"],
    ids=["crlf-in-session-value", "crlf-in-session-key"],
)
def test_crlf_in_the_session_stays_inside_the_signed_cookie(
    server: LiveServer, target: bytes
) -> None:
    response = server.request(b"GET", target)

    assert response.status == 200
    assert_nothing_injected(response, set_cookies=1)
    assert (response.header("Set-Cookie") or "").startswith("session=")


@pytest.mark.parametrize(
    "target",
    [b"/header?value=%e2%82%ac", b"/header?value=%e2%80%a8X-Evil:%201"],
    ids=["euro-sign", "unicode-line-separator"],
)
def test_header_outside_latin1_makes_flask_drop_the_connection(
    flask_server: LiveServer, target: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Werkzeug's server cannot encode the value, logs "Error on request" and closes the
    connection without a response under Flask; the server lives. (The framework refuses
    the header with a 500 instead: see the next test.)"""
    server = flask_server
    response = server.request(b"GET", target)

    assert (response.status, response.raw) == (None, b"")
    expect_server_error(caplog, "UnicodeEncodeError: 'latin-1' codec can't encode")
    server.assert_alive()


def test_header_outside_latin1_is_refused_with_a_500(framework_server: LiveServer) -> None:
    """The framework checks header values before the server sees them: a logged 500
    naming the header, in the trace too, instead of a dropped connection."""
    response, trace = framework_server.send_traced(
        build_request(b"GET", b"/header?value=%e2%82%ac")
    )

    assert response.status == 500
    assert trace is not None
    assert trace["response"]["status"] == 500
    logged = framework_server.take_errors()
    assert any("'X-Echo' has a value that is not latin-1" in m for m in logged), logged
    framework_server.assert_alive()


# Redirect targets Werkzeug cannot turn into a URI when it writes the Location header
# (urlsplit or IDNA refuses them). (id, target, the error the server logs)
UNENCODABLE_LOCATIONS = [
    ("unclosed-ipv6-bracket", "http://[", "Invalid IPv6 URL"),
    ("scheme-relative-bracket", "//[", "Invalid IPv6 URL"),
    ("ipv6-without-bracket-end", "http://[::1", "Invalid IPv6 URL"),
    ("port-not-a-number", "http://a:b", "Port could not be cast to integer"),
    ("port-out-of-range", "http://a:99999", "Port out of range"),
    ("line-separator-in-host", "http://\u2028/", "Invalid character"),
    ("host-label-over-63", "http://" + "a" * 70 + ".com/", "label empty or too long"),
    ("empty-host-label", "http://x..y/", "label empty or too long"),
]


def redirect_target(location: str) -> bytes:
    return b"/redirect?to=" + quote(location, safe="").encode()


@pytest.mark.parametrize(
    ("location", "error"),
    [c[1:] for c in UNENCODABLE_LOCATIONS],
    ids=[c[0] for c in UNENCODABLE_LOCATIONS],
)
def test_unencodable_location_is_the_apps_own_500(
    framework_server: LiveServer, location: str, error: str
) -> None:
    """The framework catches the conversion error like any other: a 500 from the app,
    logged with the reason and recorded in the trace, never an error in the server."""
    data = build_request(b"GET", redirect_target(location))

    response, trace = framework_server.send_traced(data)

    assert response.status == 500
    assert response.header("Location") is None
    logged = framework_server.take_errors()
    assert any("Exception on /redirect [GET]" in m and error in m for m in logged), logged
    assert trace is not None
    assert trace["response"]["status"] == 500
    assert trace["exception"] is not None
    framework_server.assert_alive()


@pytest.mark.parametrize(
    ("location", "error"),
    [c[1:] for c in UNENCODABLE_LOCATIONS],
    ids=[c[0] for c in UNENCODABLE_LOCATIONS],
)
def test_unencodable_location_escapes_to_the_server_on_flask(
    flask_server: LiveServer, location: str, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Flask 3.1 lets the error escape the app: Werkzeug's server logs "Error on request"
    and answers its own 500. The server lives."""
    response = flask_server.request(b"GET", redirect_target(location))

    assert response.status == 500
    expect_server_error(caplog, error)
    flask_server.assert_alive()
