"""Session cookies a browser (or an attacker) may hold: an empty session, never an error.

The cookies are built here with itsdangerous and Flask's tagged serializer, the way Flask
3.1 signs a session, so a cookie that differs from a good one only by the tampering
under test.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.reliability.conftest import LiveServer
from tests.reliability.target_app import SECRET_KEY

DAY = 86_400


def session_cookie(
    data: Any, *, secret: str = SECRET_KEY, age_seconds: int = 0, serializer: Any = None
) -> bytes:
    """A session cookie value as Flask would sign it ``age_seconds`` ago."""

    class BackdatedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    signer = URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=serializer or TaggedJSONSerializer(),
        signer=BackdatedSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return signer.dumps(data).encode()


GOOD = session_cookie({"user": "alice"})


def tampered(cookie: bytes) -> bytes:
    """The cookie with one character of its signature changed."""
    replacement = b"A" if cookie[-3:-2] != b"A" else b"B"
    return cookie[:-3] + replacement + cookie[-2:]


def read_session(server: LiveServer, cookie_header: bytes) -> tuple[int | None, Any]:
    response = server.request(b"GET", b"/session", [(b"Cookie", cookie_header)])
    return response.status, json.loads(response.body) if response.status == 200 else None


def test_a_good_cookie_is_read(server: LiveServer) -> None:
    assert read_session(server, b"session=" + GOOD) == (200, {"user": "alice"})


# (id, Cookie header value)
BAD_COOKIES = [
    ("tampered-signature", b"session=" + tampered(GOOD)),
    ("truncated", b"session=" + GOOD[:-5]),
    ("payload-only", b"session=" + GOOD.split(b".")[0]),
    ("expired-40-days", b"session=" + session_cookie({"user": "alice"}, age_seconds=40 * DAY)),
    ("signed-in-the-future", b"session=" + session_cookie({"user": "a"}, age_seconds=-40 * DAY)),
    ("wrong-key", b"session=" + session_cookie({"user": "alice"}, secret="not the key")),
    ("oversized-garbage-5k", b"session=" + b"x" * 5_000),
    ("oversized-garbage-60k", b"session=" + b"A." * 30_000),
    ("non-utf8-bytes", b"session=\xff\xfe\xfd"),
    ("non-utf8-inside-good", b"session=" + GOOD[:10] + b"\xff" + GOOD[10:]),
    ("empty-value", b"session="),
    ("only-dots", b"session=...."),
    ("compressed-marker-garbage", b"session=.eJzLSM3JyQcABiwCFQ.AAAA.BBBB"),
    ("quoted-with-bad-escape", b'session="\\q\\"'),
    ("nul-byte", b"session=abc\x00def"),
    ("duplicate-bad-first", b"session=garbage; session=" + GOOD),
]


@pytest.mark.parametrize(
    "cookie_header", [case[1] for case in BAD_COOKIES], ids=[case[0] for case in BAD_COOKIES]
)
def test_bad_cookie_gives_an_empty_session(server: LiveServer, cookie_header: bytes) -> None:
    if server.on_worker and b"\x00" in cookie_header:
        # The worker's parser refuses a NUL in any header field (RFC 9110, 5.5).
        assert read_session(server, cookie_header) == (400, None)
    else:
        assert read_session(server, cookie_header) == (200, {})
    assert read_session(server, b"session=" + GOOD) == (200, {"user": "alice"})
    server.assert_alive()


def test_duplicate_cookie_takes_the_first(server: LiveServer) -> None:
    assert read_session(server, b"session=" + GOOD + b"; session=garbage") == (
        200,
        {"user": "alice"},
    )


def test_oversized_but_validly_signed_cookie_is_read(server: LiveServer) -> None:
    """Size is the browser's limit, not the server's: a signed 5 KB cookie still loads."""
    cookie = session_cookie({"blob": "y" * 5_000, "user": "alice"})

    status, session = read_session(server, b"session=" + cookie)

    assert status == 200
    assert session["user"] == "alice"


# Payloads only the holder of the secret key can sign: a buggy or older version of the
# app may have written them. (id, signed payload)
ODD_SIGNED_PAYLOADS = [
    ("a-list", [1, 2]),
    ("a-string", "hello"),
    ("unknown-tag", {"a": {" t": 5}}),
    ("bad-uuid-tag", {"a": {" u": "zz"}}),
]


@pytest.mark.parametrize(
    "payload",
    [case[1] for case in ODD_SIGNED_PAYLOADS],
    ids=[case[0] for case in ODD_SIGNED_PAYLOADS],
)
def test_odd_signed_payload_is_an_empty_session_on_the_framework(
    framework_server: LiveServer, flask_server: LiveServer, payload: Any
) -> None:
    """The framework shrugs these off as an empty session; Flask 3.1 answers 500."""
    cookie = b"session=" + session_cookie(payload, serializer=json)

    assert read_session(framework_server, cookie) == (200, {})
    assert read_session(flask_server, cookie)[0] == 500
    flask_server.take_errors()
    framework_server.assert_alive()
    flask_server.assert_alive()


def test_a_session_too_big_for_a_cookie_is_reported_as_werkzeug_does(
    server: LiveServer,
) -> None:
    """Werkzeug warns (UserWarning) and still sends the cookie; the browser will drop it."""
    with pytest.warns(UserWarning, match="The 'session' cookie is too large") as warned:
        response = server.request(b"GET", b"/session/fill/5000")

    assert response.status == 200
    assert len(response.header("Set-Cookie") or "") > 4093
    assert "but the limit is 4093 bytes" in str(warned[0].message)
    server.assert_alive()


def test_a_session_just_under_the_limit_is_not_reported(server: LiveServer) -> None:
    response = server.request(b"GET", b"/session/fill/1000")

    assert response.status == 200
    assert len(response.header("Set-Cookie") or "") < 4093
