"""Request framing, byte for byte: what a connection's bytes turn into, and what is refused.

These feed the parser directly, so every way of splitting the bytes can be tried; the same
requests go over real sockets in test_server.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.worker_http.limits import ServerLimits
from console.worker_http.parser import (
    Event,
    IncompleteRequest,
    MalformedRequest,
    Marker,
    RequestHead,
    RequestParser,
)

LIMITS = ServerLimits()


def parse(*pieces: bytes, limits: ServerLimits = LIMITS) -> list[Event]:
    """Every event the pieces carry, fed one after the other (``b""``: the client closed)."""
    parser = RequestParser(limits)
    for piece in pieces:
        parser.feed(piece)
    events = []
    while (event := parser.take()) is not None:
        events.append(event)
    return events


def requests(events: list[Event]) -> list[tuple[str, bytes, bytes]]:
    """(method, target, body) of each complete request among ``events``."""
    found: list[tuple[str, bytes, bytes]] = []
    head: RequestHead | None = None
    body = b""
    for event in events:
        if isinstance(event, RequestHead):
            head, body = event, b""
        elif isinstance(event, bytes):
            body += event
        elif event is Marker.END_OF_BODY:
            assert head is not None
            found.append((head.method, head.target, body))
    return found


def refusal(events: list[Event]) -> MalformedRequest:
    problems = [event for event in events if isinstance(event, MalformedRequest)]
    assert len(problems) == 1, events
    assert events[-1] is problems[0], "nothing is parsed after a refusal"
    return problems[0]


def chunked(body: bytes, size: int, extension: bytes = b"") -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x%s\r\n%s\r\n" % (len(c), extension, c) for c in chunks) + b"0\r\n\r\n"


def test_a_request_becomes_its_head_then_the_end_of_its_body() -> None:
    [head, end] = parse(b"GET /a?b=1 HTTP/1.1\r\nHost: t\r\nX-Custom:  spaced  \r\n\r\n")

    assert isinstance(head, RequestHead)
    assert (head.method, head.target, head.http_version) == ("GET", b"/a?b=1", "1.1")
    assert head.headers == [(b"Host", b"t"), (b"X-Custom", b"spaced")]
    assert (head.keep_alive, head.content_length, head.chunked) == (True, None, False)
    assert end is Marker.END_OF_BODY


def test_pipelined_requests_come_out_in_order() -> None:
    events = parse(
        b"POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
        b"GET /b HTTP/1.1\r\nHost: t\r\n\r\n"
    )

    assert requests(events) == [("POST", b"/a", b"hello"), ("GET", b"/b", b"")]


@pytest.mark.parametrize(
    ("request_bytes", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", True),
        (b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\nHost: t\r\nConnection: TE, Close\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", True),
    ],
)
def test_keep_alive_follows_the_version_and_connection_field(
    request_bytes: bytes, keep_alive: bool
) -> None:
    head = parse(request_bytes)[0]

    assert isinstance(head, RequestHead) and head.keep_alive is keep_alive


# The framings issue 17 found turning a body into a second request, and their kin:
# (id, request bytes, status, a word of the reason)
SMUGGLING = [
    ("length-not-a-number", b"Content-Length: abc\r\n", 400, "Content-Length"),
    ("length-list", b"Content-Length: 5, 10\r\n", 400, "Content-Length"),
    ("length-negative", b"Content-Length: -1\r\n", 400, "Content-Length"),
    ("length-hexadecimal", b"Content-Length: 0x5\r\n", 400, "Content-Length"),
    ("length-plus-sign", b"Content-Length: +5\r\n", 400, "Content-Length"),
    ("length-empty", b"Content-Length: \r\n", 400, "Content-Length"),
    ("two-different-lengths", b"Content-Length: 5\r\nContent-Length: 6\r\n", 400, "Content-Length"),
    ("two-equal-lengths", b"Content-Length: 5\r\nContent-Length: 5\r\n", 400, "Content-Length"),
    ("gzip-without-chunked", b"Transfer-Encoding: gzip\r\n", 501, "Transfer-Encoding"),
    ("gzip-then-chunked", b"Transfer-Encoding: gzip, chunked\r\n", 501, "Transfer-Encoding"),
    ("chunked-then-gzip", b"Transfer-Encoding: chunked, gzip\r\n", 400, "Transfer-Encoding"),
    ("chunked-and-length", b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 400, "Content"),
    ("bare-cr-in-value", b"X-A: a\rb\r\n", 400, "LF"),
    ("bare-cr-ending-a-value", b"X-A: a\r\r\n", 400, "LF"),
    ("nul-in-value", b"X-A: a\x00b\r\n", 400, "header value"),
    ("escape-in-value", b"X-A: \x1b[31mred\r\n", 400, "header value"),
    ("folded-value", b"X-A: 1\r\n folded\r\n", 400, "whitespace"),
    ("space-before-colon", b"X-A : 1\r\n", 400, "header"),
    ("line-without-colon", b"no colon here\r\n", 400, "header"),
]
HIDDEN = b"GET /hidden HTTP/1.1\r\nHost: t\r\n\r\n"


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [case[1:] for case in SMUGGLING],
    ids=[case[0] for case in SMUGGLING],
)
def test_ambiguous_framing_is_refused_and_hides_no_request(
    fields: bytes, status: int, reason: str
) -> None:
    data = b"POST /echo HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\nhello" + HIDDEN

    events = parse(data)

    problem = refusal(events)
    assert (problem.status, reason in problem.reason) == (status, True), problem.reason
    assert requests(events) == []


# (id, request bytes, status, a word of the reason)
BAD_HEADS = [
    ("no-host-in-http-1.1", b"GET / HTTP/1.1\r\n\r\n", 400, "Host"),
    ("two-hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "Host"),
    ("http-0.9", b"GET /\r\n\r\n", 505, "HTTP/0.9"),
    ("http-2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "HTTP/2.0"),
    ("http-1.2", b"GET / HTTP/1.2\r\nHost: t\r\n\r\n", 400, "version"),
    ("bogus-version", b"GET / HTTP/x.y\r\nHost: t\r\n\r\n", 400, "version"),
    ("unknown-method", b"FROBNICATE / HTTP/1.1\r\nHost: t\r\n\r\n", 501, "FROBNICATE"),
    ("lowercase-method", b"get / HTTP/1.1\r\nHost: t\r\n\r\n", 501, "'get'"),
    ("space-in-method", b"GE T / HTTP/1.1\r\nHost: t\r\n\r\n", 400, "method"),
    ("binary-garbage", b"\x00\x01\x02\x03\r\n\r\n", 400, "method"),
    ("tls-handshake", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "method"),
    ("raw-byte-in-target", b"GET /caf\xe9 HTTP/1.1\r\nHost: t\r\n\r\n", 400, "target"),
    ("space-in-target", b"GET /a b HTTP/1.1\r\nHost: t\r\n\r\n", 400, "HTTP/"),
    ("bare-lf-line-ends", b"GET / HTTP/1.1\nHost: t\n\n", 400, "CRLF"),
]


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [case[1:] for case in BAD_HEADS],
    ids=[case[0] for case in BAD_HEADS],
)
def test_a_malformed_head_is_refused_with_its_reason(data: bytes, status: int, reason: str) -> None:
    problem = refusal(parse(data))

    assert problem.status == status
    assert reason in problem.reason


def test_a_head_over_the_size_limit_is_431_and_a_target_over_its_own_is_414() -> None:
    limits = ServerLimits(max_head_bytes=1000, max_target_bytes=500)

    long_field = parse(
        b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"x" * 1000 + b"\r\n\r\n", limits=limits
    )
    long_target = parse(b"GET /" + b"a" * 600 + b" HTTP/1.1\r\nHost: t\r\n\r\n", limits=limits)
    many_small = parse(
        b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Small: 1234567890\r\n" * 60 + b"\r\n", limits=limits
    )

    assert refusal(long_field).status == 431
    assert refusal(long_target).status == 414
    assert refusal(many_small).status == 431


def test_a_head_that_never_ends_is_refused_once_it_passes_the_limit() -> None:
    """A field that is never finished: the parser must not hold more and more of it."""
    limits = ServerLimits(max_head_bytes=1000)
    parser = RequestParser(limits)
    parser.feed(b"GET / HTTP/1.1\r\nHost: t\r\nX-Endless: ")
    for _ in range(20):
        parser.feed(b"x" * 100)

    problem = parser.take()
    assert isinstance(problem, MalformedRequest) and problem.status == 431


def test_more_header_fields_than_the_limit_is_431() -> None:
    data = b"GET / HTTP/1.1\r\nHost: t\r\n" + b"X-Many: 1\r\n" * 100 + b"\r\n"

    problem = refusal(parse(data))

    assert (problem.status, problem.reason) == (431, "the request has more than 100 header fields")


def test_chunk_extensions_and_trailers_are_read_past() -> None:
    data = (
        b"POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n6;a=b;c\r\n world\r\n0\r\nX-Checksum: 1\r\nX-More: 2\r\n\r\n"
        + HIDDEN
    )

    events = parse(data)

    assert requests(events) == [("POST", b"/upload", b"hello world"), ("GET", b"/hidden", b"")]
    head = events[0]
    assert isinstance(head, RequestHead)
    assert (b"X-Checksum", b"1") not in head.headers, "trailers are not header fields"


@pytest.mark.parametrize(
    "body",
    [
        b"5\r\nhelloX0\r\n\r\n",  # the chunk's CRLF missing
        b"zz\r\n{}\r\n0\r\n\r\n",  # not a hexadecimal size
        b"ffffffffffffffffff\r\n",  # a size past 64 bits
        b"5\r\nhel",  # ends mid-chunk (the connection closes below)
    ],
    ids=["missing-crlf", "bad-size", "size-overflow", "cut-short"],
)
def test_a_broken_chunked_body_fails_the_request(body: bytes) -> None:
    data = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body

    events = parse(data, b"")

    head = events[0]
    assert isinstance(head, RequestHead) and head.body_failed
    assert refusal(events).status == 400
    assert Marker.END_OF_BODY not in events


def test_the_connection_ending_mid_request_is_an_incomplete_request() -> None:
    mid_head = parse(b"GET / HTTP/1.1\r\nHo", b"")
    mid_body = parse(b"PUT / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n1234", b"")
    between = parse(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", b"")

    assert isinstance(refusal(mid_head), IncompleteRequest)
    problem = refusal(mid_body)
    assert isinstance(problem, IncompleteRequest)
    assert problem.reason == "the connection ended after 4 bytes of a body of 10"
    assert between[-1] is Marker.CONNECTION_CLOSED


def test_expect_100_continue_is_noted_for_http_1_1_only() -> None:
    new = parse(b"PUT / HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n\r\n")[0]
    old = parse(b"PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")[0]

    assert isinstance(new, RequestHead) and new.expects_continue
    assert isinstance(old, RequestHead) and not old.expects_continue


def test_an_upgrade_request_is_served_as_the_connections_last() -> None:
    """llhttp takes the bytes after an Upgrade (or CONNECT) request for another protocol;
    the server switches to none, answers it as a plain request, and closes."""
    events = parse(
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + HIDDEN
    )

    assert requests(events) == [("GET", b"/", b"")]
    head = events[0]
    assert isinstance(head, RequestHead) and not head.keep_alive


def test_an_upgrade_request_with_a_body_is_refused() -> None:
    events = parse(
        b"POST / HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n"
        b"Content-Length: 5\r\n\r\nhello"
    )

    assert refusal(events).status == 501
    assert requests(events) == []


# --- any split of the bytes gives the same requests ------------------------------------------

PIPELINE = (
    b"POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    + chunked(bytes(range(256)) * 3, 100, extension=b";x=1")
    + b"PUT /sized HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"
    + b"GET /last?x=1 HTTP/1.1\r\nHost: t\r\nX-Long: "
    + b"v" * 300
    + b"\r\n\r\n"
)
EXPECTED = [
    ("POST", b"/chunked", bytes(range(256)) * 3),
    ("PUT", b"/sized", b"hello world"),
    ("GET", b"/last?x=1", b""),
]


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at each of ``cuts``, as reads from a socket would give it (never empty)."""
    bounds = [0, *sorted(set(cuts)), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def test_every_single_split_gives_the_same_requests() -> None:
    for cut in range(1, len(PIPELINE)):
        assert requests(parse(*split(PIPELINE, [cut]))) == EXPECTED, cut


@given(st.lists(st.integers(0, len(PIPELINE)), max_size=30))
def test_any_splits_give_the_same_requests(cuts: list[int]) -> None:
    assert requests(parse(*split(PIPELINE, cuts))) == EXPECTED


@given(st.binary(max_size=300_000), st.integers(1, 70_000))
def test_a_chunked_body_of_any_size_and_chunking_arrives_whole(body: bytes, size: int) -> None:
    data = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, size)
    pieces = [data[i : i + 65536] for i in range(0, len(data), 65536)]  # reads of a socket

    assert requests(parse(*pieces)) == [("POST", b"/", body)]
