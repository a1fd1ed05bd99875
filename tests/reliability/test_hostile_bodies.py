"""Request bodies that lie, overflow or do not parse: a clear 4xx, nothing saved outside.

The limits come from the target app: MAX_CONTENT_LENGTH 64 KiB, MAX_FORM_PARTS 20,
MAX_FORM_MEMORY_SIZE 16 KiB.
"""

from __future__ import annotations

import gc
import json
import socket
import time
from typing import Any

import pytest

from tests.reliability.conftest import LiveServer, build_request, read_response
from tests.reliability.target_app import MAX_CONTENT_LENGTH, SECRET_TEXT

JSON = [(b"Content-Type", b"application/json")]
URLENCODED = [(b"Content-Type", b"application/x-www-form-urlencoded")]
BOUNDARY = b"hostile-boundary"
MULTIPART = [(b"Content-Type", b"multipart/form-data; boundary=" + BOUNDARY)]


def multipart(*parts: tuple[bytes, bytes | None, bytes]) -> bytes:
    """A multipart body of (field name, file name or None, value) parts."""
    body = b""
    for name, filename, value in parts:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        body += b"--" + BOUNDARY + b"\r\nContent-Disposition: " + disposition + b"\r\n\r\n"
        body += value + b"\r\n"
    return body + b"--" + BOUNDARY + b"--\r\n"


def chunked(path: bytes, content_type: bytes, body: bytes, chunk_size: int = 10_000) -> bytes:
    """A request whose body is sent with ``Transfer-Encoding: chunked`` (no length up front)."""
    head = (
        b"POST "
        + path
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
        + content_type
        + b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunks = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]
    return head + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


#: The framework's 400 for a body that is not JSON (the decoder's reason shows in debug mode).
NOT_JSON = b"The request body is not valid JSON."
# (id, body, expected status, what the framework says in the body)
MALFORMED_JSON = [
    ("unclosed-object", b"{bad", 400, NOT_JSON),
    ("empty-body", b"", 400, NOT_JSON),
    ("invalid-utf8", b'"\xff"', 400, NOT_JSON),
    ("trailing-garbage", b"{} {}", 400, NOT_JSON),
    ("5000-digit-integer", b"1" * 5000, 400, NOT_JSON),
    ("lone-surrogate-escape", b'"\\ud800"', 200, b'"received":"\\ud800"'),
    ("nan-literal", b"NaN", 200, b'"received":NaN'),
    ("utf16-with-bom", '{"a": 1}'.encode("utf-16"), 200, b'"received":{"a":1}'),
]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [case[1:] for case in MALFORMED_JSON],
    ids=[case[0] for case in MALFORMED_JSON],
)
def test_malformed_json(server: LiveServer, body: bytes, status: int, reason: bytes) -> None:
    response = server.send(build_request(b"POST", b"/json", JSON, body, content_length=len(body)))

    assert response.status == status
    if status == 200 or server.flavour == "framework":
        # Flask's 400 is Werkzeug's generic one; the framework's says the body is not JSON
        # (framework/wrappers.py, Request.on_json_loading_failed).
        assert reason in response.body
    server.assert_alive()


def test_deeply_nested_json_is_a_400_naming_the_reason(framework_server: LiveServer) -> None:
    response = framework_server.request(b"POST", b"/json", JSON, b"[" * 50_000)

    assert response.status == 400
    assert NOT_JSON in response.body
    framework_server.assert_alive()


def test_deeply_nested_json_is_a_500_on_flask(flask_server: LiveServer) -> None:
    """Flask 3.1 lets the RecursionError through; the framework does better (above)."""
    response = flask_server.request(b"POST", b"/json", JSON, b"[" * 50_000)

    assert response.status == 500
    assert any("RecursionError" in m for m in flask_server.take_errors())
    flask_server.assert_alive()


# (id, Content-Type header or None, expected status)
JSON_CONTENT_TYPES = [
    ("no-content-type", None, 415),
    ("text-plain", b"text/plain", 415),
    ("form-urlencoded", b"application/x-www-form-urlencoded", 415),
    ("json-lookalike", b"application/jsonx", 415),
    ("empty-content-type", b"", 415),
    ("structured-suffix", b"application/vnd.api+json", 200),
    ("json-with-charset", b"application/json; charset=utf-8", 200),
    ("json-upper-case", b"APPLICATION/JSON", 200),
]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [case[1:] for case in JSON_CONTENT_TYPES],
    ids=[case[0] for case in JSON_CONTENT_TYPES],
)
def test_get_json_checks_the_content_type(
    server: LiveServer, content_type: bytes | None, status: int
) -> None:
    headers = [] if content_type is None else [(b"Content-Type", content_type)]
    response = server.request(b"POST", b"/json", headers, b'{"a": 1}')

    assert response.status == status
    if status == 415:
        assert b"Content-Type was not &#39;application/json&#39;" in response.body
    else:
        assert json.loads(response.body) == {"received": {"a": 1}}
    server.assert_alive()


# (id, request bytes, expected status)
LENGTH_LIES = [
    (
        "content-length-not-a-number",
        build_request(b"POST", b"/json", [*JSON, (b"Content-Length", b"abc")], b""),
        400,
    ),
    (
        "content-length-negative",
        build_request(b"POST", b"/json", [*JSON, (b"Content-Length", b"-5")], b""),
        400,
    ),
    (
        "content-length-above-max-no-body",
        build_request(b"POST", b"/json", JSON, content_length=MAX_CONTENT_LENGTH + 1),
        413,
    ),
    (
        "content-length-huge",
        build_request(b"POST", b"/json", JSON, content_length=10**18),
        413,
    ),
    (
        "json-body-above-max",
        build_request(b"POST", b"/json", JSON, b"1" * (MAX_CONTENT_LENGTH + 1)),
        413,
    ),
    (
        "form-body-above-max",
        build_request(b"POST", b"/form", URLENCODED, b"a=" + b"x" * MAX_CONTENT_LENGTH),
        413,
    ),
    (
        "multipart-file-above-max",
        build_request(
            b"POST", b"/form", MULTIPART, multipart((b"f", b"a.bin", b"x" * MAX_CONTENT_LENGTH))
        ),
        413,
    ),
    (
        "chunked-multipart-above-max",
        chunked(
            b"/form",
            MULTIPART[0][1],
            multipart((b"f", b"a.bin", b"x" * MAX_CONTENT_LENGTH)),
        ),
        413,
    ),
    (
        "chunked-json-above-max",
        chunked(b"/json", b"application/json", b'"' + b"x" * MAX_CONTENT_LENGTH + b'"'),
        400,
    ),
    (
        "chunked-bad-chunk-size",
        b"POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        400,
    ),
]


@pytest.mark.parametrize(
    ("data", "status"),
    [case[1:] for case in LENGTH_LIES],
    ids=[case[0] for case in LENGTH_LIES],
)
def test_body_length_lies_and_limits(server: LiveServer, data: bytes, status: int) -> None:
    response = server.send(data, half_close=True)

    assert response.status == status
    server.assert_alive()


def test_chunked_form_above_max_is_cut_at_the_limit_as_in_flask(server: LiveServer) -> None:
    """A chunked url-encoded body past MAX_CONTENT_LENGTH is truncated, not refused.

    No length is declared, so nothing is refused up front, and Werkzeug 3.1 stops
    reading at the limit: the field arrives cut to the limit and the view sees a 200.
    Flask 3.1 does the same; this pins the behaviour so a change is noticed.
    """
    body = b"a=" + b"x" * MAX_CONTENT_LENGTH
    response = server.send(chunked(b"/form", URLENCODED[0][1], body))

    assert response.status == 200
    assert json.loads(response.body)["fields"] == {"a": MAX_CONTENT_LENGTH - 2}
    server.assert_alive()


def test_content_length_larger_than_the_body_fails_when_the_client_stops(
    server: LiveServer,
) -> None:
    """The client promises 1000 bytes, sends 10 and closes its side: a 400, at once."""
    data = build_request(b"POST", b"/json", JSON, b'{"a": 1} ', content_length=1000)

    started = time.monotonic()
    response = server.send(data, half_close=True)

    assert response.status == 400
    assert time.monotonic() - started < 2
    server.assert_alive()


def test_a_stalled_body_does_not_block_other_requests(server: LiveServer) -> None:
    """A client that never sends the body it announced ties up one thread, not the server."""
    stalled = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    try:
        stalled.sendall(build_request(b"POST", b"/json", JSON, b"{", content_length=1000))
        for _ in range(3):
            server.assert_alive()
    finally:
        stalled.close()
    server.assert_alive()


def test_early_413_is_sent_before_the_body_is_read(server: LiveServer) -> None:
    """Above MAX_CONTENT_LENGTH the answer comes without waiting for the announced body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(build_request(b"POST", b"/json", JSON, content_length=10**9))
        response = read_response(sock)

    assert response.status == 413
    server.assert_alive()


# (id, multipart body, expected status, expected form as the view reports it)
MULTIPART_CASES: list[tuple[str, bytes, int, dict[str, Any] | None]] = [
    (
        "one-field-one-file",
        multipart((b"a", None, b"1"), (b"f", b"x.txt", b"data")),
        200,
        {"fields": {"a": 1}, "files": {"f": 4}},
    ),
    (
        "five-fields",
        multipart(*[(b"a%d" % i, None, b"1") for i in range(5)]),
        200,
        {"fields": {f"a{i}": 1 for i in range(5)}, "files": {}},
    ),
    (
        "25-fields-over-max-parts",
        multipart(*[(b"a%d" % i, None, b"1") for i in range(25)]),
        413,
        None,
    ),
    ("field-over-max-memory", multipart((b"a", None, b"x" * 20_000)), 413, None),
    (
        "file-under-max-memory",
        multipart((b"f", b"f.bin", b"x" * 8_000)),
        200,
        {"fields": {}, "files": {"f": 8_000}},
    ),
    ("truncated-body", multipart((b"a", None, b"1"))[:-10], 200, {"fields": {}, "files": {}}),
    ("binary-garbage", b"\x00\xff" * 100, 200, {"fields": {}, "files": {}}),
]


@pytest.mark.parametrize(
    ("body", "status", "form"),
    [case[1:] for case in MULTIPART_CASES],
    ids=[case[0] for case in MULTIPART_CASES],
)
def test_multipart_limits(server: LiveServer, body: bytes, status: int, form: object) -> None:
    response = server.request(b"POST", b"/form", MULTIPART, body)

    assert response.status == status
    if form is not None:
        assert json.loads(response.body) == form
    else:
        assert b"exceeds the capacity limit" in response.body
    server.assert_alive()


def test_too_many_file_parts_is_a_413_and_the_parsed_files_are_left_unclosed(
    server: LiveServer,
) -> None:
    """A 413 for 25 file parts, as for fields; Werkzeug 3.1 leaves the spooled temporary
    files of the parts it had read unclosed (a ResourceWarning when they are collected),
    on Flask as on the framework. Pinned here so a fix upstream is noticed."""
    body = multipart(*[(b"f%d" % i, b"f.txt", b"1") for i in range(25)])

    with pytest.warns(ResourceWarning, match="SpooledTemporaryFile") as leaked:
        response = server.request(b"POST", b"/form", MULTIPART, body)
        deadline = time.monotonic() + 2
        while not leaked.list and time.monotonic() < deadline:
            gc.collect()
            time.sleep(0.01)

    assert response.status == 413
    server.assert_alive()


# (id, Content-Type, body, expected status)
FORM_ODDITIES = [
    ("multipart-without-boundary", b"multipart/form-data", multipart((b"a", None, b"1")), 200),
    (
        "multipart-wrong-boundary",
        b"multipart/form-data; boundary=other",
        multipart((b"a", None, b"1")),
        200,
    ),
    ("urlencoded-bad-escapes", URLENCODED[0][1], b"%zz=%ff&&=&a", 200),
    ("urlencoded-25-fields", URLENCODED[0][1], b"&".join(b"a%d=1" % i for i in range(25)), 200),
    ("urlencoded-2000-fields", URLENCODED[0][1], b"&".join(b"a%d=1" % i for i in range(2000)), 200),
    ("urlencoded-field-over-max-memory", URLENCODED[0][1], b"a=" + b"x" * 20_000, 200),
]


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [case[1:] for case in FORM_ODDITIES],
    ids=[case[0] for case in FORM_ODDITIES],
)
def test_form_oddities_parse_to_what_they_can(
    server: LiveServer, content_type: bytes, body: bytes, status: int
) -> None:
    """Werkzeug drops what it cannot parse; max_form_parts and max_form_memory_size apply
    to multipart bodies only (url-encoded ones are bounded by MAX_CONTENT_LENGTH alone)."""
    response = server.request(b"POST", b"/form", [(b"Content-Type", content_type)], body)

    assert response.status == status
    server.assert_alive()


# (id, the file name the client sends, the name it is saved under)
UPLOAD_NAMES = [
    ("dotdot-etc-passwd", b"../../etc/passwd", "etc_passwd"),
    ("bare-dotdot", b"..", "unnamed"),
    ("empty-name", b"", "unnamed"),
    ("absolute-path", b"/tmp/evil", "tmp_evil"),
    ("windows-backslashes", b"..\\..\\evil.txt", "evil.txt"),
    ("nul-byte", b"evil\x00.txt", "evil.txt"),
    ("non-ascii", "../é.txt".encode(), "e.txt"),
    ("windows-device-name", b"CON", "CON"),  # only renamed on Windows, where it matters
]


@pytest.mark.parametrize(
    ("filename", "saved_as"),
    [case[1:] for case in UPLOAD_NAMES],
    ids=[case[0] for case in UPLOAD_NAMES],
)
def test_upload_is_saved_inside_the_upload_folder(
    server: LiveServer, filename: bytes, saved_as: str
) -> None:
    before = {p for p in server.folders.root.rglob("*")}
    body = multipart((b"file", filename, b"uploaded " + SECRET_TEXT.encode()))

    response = server.request(b"POST", b"/upload", MULTIPART, body)

    assert response.status == 200
    assert json.loads(response.body) == {"saved_as": saved_as}
    created = {p for p in server.folders.root.rglob("*")} - before
    assert all(p.parent == server.folders.uploads for p in created)
    assert (server.folders.uploads / saved_as).read_bytes().startswith(b"uploaded ")
    server.assert_alive()


def test_upload_without_the_file_field_is_a_400(server: LiveServer) -> None:
    response = server.request(b"POST", b"/upload", MULTIPART, multipart((b"other", b"x", b"1")))

    assert response.status == 400
    server.assert_alive()
