"""Property-based fuzzing: random paths, queries, headers, cookies and bodies, sent raw.

Each example goes to the target app on the framework (traced and untraced) and on Flask
3.1, all served by Werkzeug on 127.0.0.1. The properties: the framework answers (no hang,
no dropped connection), never with a 500 where the app has no bug to hit, with Flask's
status, the same with or without a tracer, never with the secret file beside the static
folder; its trace of the request is delivered, JSON-serialisable and shows the status the
client got; and the next ordinary request still works.
"""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from werkzeug.urls import iri_to_uri

from tests.reliability.conftest import LiveServer, RawResponse, build_request, expect_server_error
from tests.reliability.target_app import SECRET_TEXT

FUZZ_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# Bytes sent as they are in a request target; every other byte is percent-encoded.
PLAIN = set((string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/").encode())

# Route prefixes worth aiming at. /session/fill is left out: a huge size would make
# Werkzeug warn about the cookie, and the test run turns warnings into errors.
PREFIXES = [
    b"/",
    b"/echo",
    b"/static/",
    b"/files/",
    b"/files/sub/",
    b"/int/",
    b"/bounded/",
    b"/signed/",
    b"/float/",
    b"/uuid/",
    b"/session/set/",
    b"/redirect",
    b"/json",
    b"/put-only",
]

# Pieces that traversal and decoding bugs are made of.
TRICKY_PIECES = [
    b"..",
    b".",
    b"/",
    b"//",
    b"%2e",
    b"%2E%2e",
    b"%2f",
    b"%5c",
    b"\\",
    b"%00",
    b"%",
    b"%z",
    b"%zz",
    b"%ff",
    b"\xff",
    b"%c0%ae",
    b"secret.txt",
    b"hello.txt",
    b"~",
    b";",
]


def percent_encode(data: bytes) -> bytes:
    return b"".join(bytes([b]) if b in PLAIN else b"%%%02X" % b for b in data)


path_pieces = st.one_of(
    st.sampled_from(TRICKY_PIECES),
    st.binary(min_size=1, max_size=8).map(percent_encode),
    st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=8).map(str.encode),
)
fuzzed_paths = st.tuples(
    st.sampled_from(PREFIXES), st.lists(path_pieces, max_size=10).map(b"".join)
).map(b"".join)

header_values = st.binary(max_size=200).map(
    lambda value: value.replace(b"\r", b"").replace(b"\n", b"").strip(b" \t")
)
HEADER_NAMES = [
    b"Accept",
    b"Accept-Encoding",
    b"Accept-Language",
    b"Authorization",
    b"Content-Type",
    b"If-Modified-Since",
    b"If-None-Match",
    b"If-Range",
    b"Range",
    b"X-Forwarded-For",
    b"X-Request-Id",
    b"X-Fuzz",
]


def both(
    framework_server: LiveServer,
    plain_server: LiveServer,
    flask_server: LiveServer,
    data: bytes,
    **kwargs: Any,
) -> tuple[RawResponse, RawResponse]:
    """The framework's and Flask's response; the framework's trace must tell the truth:
    one trace per request, the status the client saw, and plain JSON for the console.
    The framework without a tracer (its plain dispatch) must answer the same."""
    ours, trace = framework_server.send_traced(data, **kwargs)
    if trace is not None:
        assert trace["response"]["status"] == ours.status
        json.dumps(trace)
    assert plain_server.send(data, **kwargs).status == ours.status
    return ours, flask_server.send(data, **kwargs)


def assert_sound(ours: RawResponse, flasks: RawResponse, *, may_fail: bool = False) -> None:
    """The framework answered, as Flask did, without a 500 (unless the route may fail)."""
    assert ours.status is not None
    if not may_fail:
        assert ours.status < 500, ours.body[-300:]
    assert ours.status == flasks.status
    assert SECRET_TEXT.encode() not in ours.raw


def assert_all_alive(*servers: LiveServer) -> None:
    for server in servers:
        server.assert_alive()
        server.take_errors()


@FUZZ_SETTINGS
@given(path=fuzzed_paths)
def test_fuzzed_paths(
    framework_server: LiveServer, plain_server: LiveServer, flask_server: LiveServer, path: bytes
) -> None:
    ours, flasks = both(framework_server, plain_server, flask_server, build_request(b"GET", path))

    assert_sound(ours, flasks)
    assert_all_alive(framework_server, plain_server, flask_server)


@FUZZ_SETTINGS
@given(
    query=st.lists(st.one_of(st.sampled_from(TRICKY_PIECES), st.binary(max_size=12)), max_size=8)
)
def test_fuzzed_query_strings(
    framework_server: LiveServer,
    plain_server: LiveServer,
    flask_server: LiveServer,
    query: list[bytes],
) -> None:
    """Raw bytes in the query (only what would split the request line is encoded)."""
    raw_query = b"".join(query)
    for unsafe in (b" ", b"\r", b"\n", b"\t", b"\x0b", b"\x0c", b"#"):
        raw_query = raw_query.replace(unsafe, b"%%%02X" % unsafe[0])
    target = b"/echo?" + raw_query

    ours, flasks = both(framework_server, plain_server, flask_server, build_request(b"GET", target))

    assert_sound(ours, flasks)
    if ours.status == 200:
        assert json.loads(ours.body) == json.loads(flasks.body)
    assert_all_alive(framework_server, plain_server, flask_server)


@FUZZ_SETTINGS
@given(
    headers=st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=6),
    target=st.sampled_from([b"/", b"/static/hello.txt", b"/files/report.txt", b"/session"]),
)
def test_fuzzed_header_values(
    framework_server: LiveServer,
    plain_server: LiveServer,
    flask_server: LiveServer,
    headers: list[tuple[bytes, bytes]],
    target: bytes,
) -> None:
    """Conditional and range headers reach send_file; the rest reach the request object."""
    data = build_request(b"GET", target, list(headers))

    ours, flasks = both(framework_server, plain_server, flask_server, data)

    assert_sound(ours, flasks)
    assert ours.body == flasks.body
    assert_all_alive(framework_server, plain_server, flask_server)


@FUZZ_SETTINGS
@given(
    cookie=st.one_of(
        header_values,
        st.binary(max_size=300).map(lambda v: b"session=" + percent_encode(v)),
        st.lists(
            st.sampled_from([b"session=", b"a=b", b";", b'"', b"\\", b"=", b"."]), max_size=12
        ).map(b"".join),
    )
)
def test_fuzzed_cookies(
    framework_server: LiveServer, plain_server: LiveServer, flask_server: LiveServer, cookie: bytes
) -> None:
    """Whatever the Cookie header holds, /session answers 200 with an empty session."""
    data = build_request(b"GET", b"/session", [(b"Cookie", cookie)])

    ours, flasks = both(framework_server, plain_server, flask_server, data)

    assert_sound(ours, flasks)
    assert (ours.status, json.loads(ours.body)) == (200, {})
    assert_all_alive(framework_server, plain_server, flask_server)


CONTENT_TYPES = [
    b"application/json",
    b"application/x-www-form-urlencoded",
    b"multipart/form-data; boundary=b",
    b"multipart/form-data",
    b"text/plain",
    b"application/json; charset=utf-16",
]
body_pieces = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"--b\r\n",
            b"--b--\r\n",
            b'Content-Disposition: form-data; name="a"\r\n\r\n',
            b'; filename="../x"',
            b"\r\n",
            b"{",
            b"}",
            b"[",
            b'"',
            b"\\u",
            b"=",
            b"&",
            b"%",
        ]
    ),
)


@FUZZ_SETTINGS
@given(
    path=st.sampled_from([b"/json", b"/form", b"/upload"]),
    content_type=st.sampled_from(CONTENT_TYPES),
    body=st.lists(body_pieces, max_size=12).map(b"".join),
    declared_extra=st.sampled_from([0, 0, 0, 5]),
)
def test_fuzzed_bodies(
    framework_server: LiveServer,
    plain_server: LiveServer,
    flask_server: LiveServer,
    path: bytes,
    content_type: bytes,
    body: bytes,
    declared_extra: int,
) -> None:
    """Random bodies, sometimes shorter than their Content-Length (the client then stops)."""
    data = build_request(
        b"POST",
        path,
        [(b"Content-Type", content_type)],
        body,
        content_length=len(body) + declared_extra,
    )

    ours, flasks = both(framework_server, plain_server, flask_server, data, half_close=True)

    assert_sound(ours, flasks)
    assert_all_alive(framework_server, plain_server, flask_server)


def location_survives_werkzeug(target: str) -> bool:
    """Whether Werkzeug can write ``target`` as a Location header (it converts it to a URI)."""
    try:
        iri_to_uri(target)
    except ValueError:  # UnicodeError from IDNA is a ValueError too
        return False
    return True


@FUZZ_SETTINGS
@given(
    target=st.one_of(
        st.text(max_size=40),
        st.tuples(
            st.sampled_from(["http://", "//", "https://user@", "/"]), st.text(max_size=30)
        ).map("".join),
    )
)
def test_fuzzed_redirect_targets(
    framework_server: LiveServer,
    plain_server: LiveServer,
    flask_server: LiveServer,
    target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Any text as a redirect target: a 302 with one clean Location line, or a 500 exactly
    when it holds CR or LF or when Werkzeug cannot make a URI of it (on Flask that one
    escapes to the server: see test_header_injection)."""
    query = quote(target, safe="").encode()
    request = build_request(b"GET", b"/redirect?to=" + query)

    ours, flasks = both(framework_server, plain_server, flask_server, request)

    assert_sound(ours, flasks, may_fail=True)
    if "\r" in target or "\n" in target:
        assert ours.status == 500
    elif not location_survives_werkzeug(target):
        assert ours.status == 500
        expect_server_error(caplog, "Error on request")  # Flask's; ours is handled
    else:
        assert ours.status == 302
    head = ours.raw.partition(b"\r\n\r\n")[0]
    assert all(b":" in line for line in head.split(b"\r\n")[1:])
    assert ours.header_names().count("location") == (1 if ours.status == 302 else 0)
    assert_all_alive(framework_server, plain_server, flask_server)
