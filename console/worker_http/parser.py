"""Request framing: the bytes of one connection turned into request heads and bodies.

The parsing itself is llhttp's (Node's HTTP parser, through httptools): strict where
HTTP/1.1 asks for strictness, because on a kept-alive connection every leniency about where
a request ends is a way to hide a second request in the first one's body. A Content-Length
that is not a plain decimal number, two of them, one beside Transfer-Encoding, a bare CR, a
NUL or another control character in a header field, a malformed chunk: each ends the
connection with an error instead of guessing.

llhttp checks the framing; this module adds what a server must check on top of it (exactly
one Host in HTTP/1.1, HTTP/1.0 or 1.1 only, no transfer coding but chunked) and bounds what
a client may make the server hold (the head's size, the target's, the number of fields).

A :class:`RequestParser` is fed whatever the socket gave and queues, in order, what the
bytes carried: a :class:`RequestHead`, the body's bytes, :data:`Marker.END_OF_BODY`, and
then the next request's head when the client sent more than one. A problem is queued where
it happened, as a :class:`MalformedRequest`, so the requests before it are still served.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from enum import Enum, auto

import httptools

from console.worker_http.limits import ServerLimits

#: A request line with a method llhttp does not know: answered 501, not 400. (A method is
#: a token, RFC 9110, 5.6.2.)
_REQUEST_LINE = re.compile(rb"(?P<method>[!#$%&'*+\-.^_`|~0-9A-Za-z]+) \S+ HTTP/\d\.\d")
_SUPPORTED_VERSIONS = frozenset({"1.0", "1.1"})


class MalformedRequest(Exception):
    """A request the server refuses itself: the status to answer with and why."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class IncompleteRequest(MalformedRequest):
    """The connection ended in the middle of a request."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


class Marker(Enum):
    """Events that carry no data."""

    END_OF_BODY = auto()
    #: The client closed its side between two requests.
    CONNECTION_CLOSED = auto()


@dataclass(slots=True, eq=False)
class RequestHead:
    """A request line and its header fields, as received, with what they say about framing.

    The last three fields follow the body as it arrives (the parser updates them), so that
    the connection's owner can tell whether the whole body is in before it runs the app.
    """

    method: str
    target: bytes
    http_version: str
    headers: list[tuple[bytes, bytes]]
    keep_alive: bool
    content_length: int | None
    chunked: bool
    expects_continue: bool
    body_received: int = 0
    body_complete: bool = False
    #: The body ended early: the connection closed, or the framing broke, before its end.
    body_failed: bool = False


Event = RequestHead | bytes | Marker | MalformedRequest


@dataclass(slots=True)
class _ArrivingHead:
    """What the head of the request now arriving has said so far."""

    target: bytearray = field(default_factory=bytearray)
    fields: list[tuple[bytes, bytes]] = field(default_factory=list)
    fields_size: int = 0
    hosts: int = 0
    content_length: int | None = None
    chunked: bool = False
    expects_continue: bool = False
    connection_options: list[bytes] = field(default_factory=list)


class _State(Enum):
    BETWEEN_REQUESTS = auto()
    IN_HEAD = auto()
    IN_BODY = auto()


class RequestParser:
    """Parses the requests arriving on one connection; see the module's docstring.

    The ``on_*`` methods are llhttp's callbacks, not for other callers.
    """

    def __init__(self, limits: ServerLimits) -> None:
        self._limits = limits
        self._llhttp = httptools.HttpRequestParser(self)
        self._events: deque[Event] = deque()
        self._state = _State.BETWEEN_REQUESTS
        self._finished = False
        self._current: RequestHead | None = None
        self._last_head: RequestHead | None = None
        #: The problem that ended parsing, once one did (it is also queued as an event).
        self.failure: MalformedRequest | None = None
        self._head_bytes = 0
        self._completed_during_feed = False
        self._arriving = _ArrivingHead()

    # --- what the connection's owner asks ------------------------------------------------

    def first(self) -> Event | None:
        """The oldest event not taken yet, left in place; None until more bytes arrive."""
        return self._events[0] if self._events else None

    def take(self) -> Event | None:
        """The oldest event not taken yet; None until more bytes arrive."""
        return self._events.popleft() if self._events else None

    @property
    def holds_nothing(self) -> bool:
        """No byte of a request not yet served is held here (the socket may move elsewhere)."""
        return not self._events and self._state is _State.BETWEEN_REQUESTS

    @property
    def request_begun(self) -> bool:
        """Some of a request's head has arrived, but not all of it."""
        return self._state is _State.IN_HEAD

    def feed(self, data: bytes) -> None:
        """Parse the next bytes from the connection; ``b""`` means the client closed it."""
        if self._finished:
            return
        if not data:
            self._connection_ended()
            return
        began_between_requests = self._state is _State.BETWEEN_REQUESTS
        self._completed_during_feed = False
        try:
            self._llhttp.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._switch_declined()
            return
        except httptools.HttpParserCallbackError as error:
            problem = error.__context__
            if not isinstance(problem, MalformedRequest):
                raise
            self._fail(problem)
            return
        except httptools.HttpParserInvalidMethodError:
            at_start = began_between_requests and not self._completed_during_feed
            self._fail(_method_problem(data if at_start else b""))
            return
        except httptools.HttpParserInvalidURLError as error:
            self._fail(MalformedRequest(400, f"malformed request target: {error}"))
            return
        except httptools.HttpParserError as error:
            self._fail(MalformedRequest(400, f"malformed request: {error}"))
            return
        if self._state is _State.IN_HEAD:
            # A head still incomplete is counted by the reads it spans (a field's size is
            # only known once it ends), so this bound holds to within one read.
            self._head_bytes += len(data)
            if self._head_bytes > self._limits.max_head_bytes:
                self._fail(MalformedRequest(431, self._head_too_large()))

    # --- llhttp's callbacks ---------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._state = _State.IN_HEAD
        self._head_bytes = 0
        self._arriving = _ArrivingHead()

    def on_url(self, fragment: bytes) -> None:
        self._arriving.target += fragment
        if len(self._arriving.target) > self._limits.max_target_bytes:
            limit = self._limits.max_target_bytes
            raise MalformedRequest(414, f"the request target is longer than {limit} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._state is _State.IN_BODY:
            return  # a trailer field after a chunked body: WSGI has no place for it
        arriving = self._arriving
        value = value.rstrip(b" \t")  # llhttp leaves the whitespace after a value
        arriving.fields.append((name, value))
        arriving.fields_size += len(name) + len(value) + 4
        if len(arriving.fields) > self._limits.max_header_fields:
            limit = self._limits.max_header_fields
            raise MalformedRequest(431, f"the request has more than {limit} header fields")
        if len(arriving.target) + arriving.fields_size > self._limits.max_head_bytes:
            raise MalformedRequest(431, self._head_too_large())
        lowered = name.lower()
        if lowered == b"host":
            arriving.hosts += 1
        elif lowered == b"content-length":
            arriving.content_length = int(value)  # llhttp accepts digits only, and one field
        elif lowered == b"transfer-encoding":
            if value.strip(b" \t").lower() != b"chunked":
                coding = value.decode("latin-1")
                raise MalformedRequest(
                    501,
                    f"Transfer-Encoding {coding!r} is not supported; "
                    "send the body chunked or with a Content-Length",
                )
            arriving.chunked = True
        elif lowered == b"expect":
            arriving.expects_continue = value.strip(b" \t").lower() == b"100-continue"
        elif lowered == b"connection":
            arriving.connection_options += value.lower().split(b",")

    def on_headers_complete(self) -> None:
        version = self._llhttp.get_http_version()
        if version not in _SUPPORTED_VERSIONS:
            raise MalformedRequest(505, f"HTTP/{version} is not supported; send HTTP/1.1")
        arriving = self._arriving
        if arriving.hosts > 1:
            raise MalformedRequest(400, "the request has more than one Host header field")
        if arriving.hosts == 0 and version == "1.1":
            raise MalformedRequest(400, "an HTTP/1.1 request needs a Host header field")
        options = {option.strip(b" \t") for option in arriving.connection_options}
        keep_alive = b"close" not in options if version == "1.1" else b"keep-alive" in options
        head = RequestHead(
            method=self._llhttp.get_method().decode("ascii"),
            target=bytes(arriving.target),
            http_version=version,
            headers=arriving.fields,
            keep_alive=keep_alive,
            content_length=arriving.content_length,
            chunked=arriving.chunked,
            expects_continue=arriving.expects_continue and version == "1.1",
        )
        self._events.append(head)
        self._current = self._last_head = head
        self._state = _State.IN_BODY

    def on_body(self, data: bytes) -> None:
        assert self._current is not None  # llhttp calls this between the head and the end
        self._current.body_received += len(data)
        self._events.append(data)

    def on_message_complete(self) -> None:
        assert self._current is not None
        self._current.body_complete = True
        self._events.append(Marker.END_OF_BODY)
        self._current = None
        self._state = _State.BETWEEN_REQUESTS
        self._completed_during_feed = True

    # --- the rest -------------------------------------------------------------------------

    def _head_too_large(self) -> str:
        return f"the request head is larger than {self._limits.max_head_bytes} bytes"

    def _fail(self, problem: MalformedRequest) -> None:
        self._finished = True
        self.failure = problem
        if self._current is not None:
            self._current.body_failed = True
        self._events.append(problem)

    def _connection_ended(self) -> None:
        self._finished = True
        if self._state is _State.BETWEEN_REQUESTS:
            self._events.append(Marker.CONNECTION_CLOSED)
        elif self._current is None:
            self._fail(
                IncompleteRequest("the connection ended before the request head was complete")
            )
        else:
            received = self._current.body_received
            declared = self._current.content_length
            expected = "its last chunk" if declared is None else f"{declared}"
            reason = f"the connection ended after {received} bytes of a body of {expected}"
            self._fail(IncompleteRequest(reason))

    def _switch_declined(self) -> None:
        """An ``Upgrade`` or ``CONNECT`` request: llhttp stops after its head, taking the
        rest for another protocol. Served as a plain request, it is the connection's last;
        with a body (which llhttp did not read) it is refused."""
        self._finished = True
        head = self._last_head
        assert head is not None and self._events[-1] is Marker.END_OF_BODY
        head.keep_alive = False
        if head.chunked or head.content_length:
            self._events.pop()
            self._events.pop()
            reason = "a request asking to switch protocols (Upgrade, CONNECT) cannot carry a body"
            self._fail(MalformedRequest(501, reason))


def _method_problem(request_start: bytes) -> MalformedRequest:
    """501 for a well-formed request line whose method llhttp does not know, else 400."""
    line = request_start.lstrip(b"\r\n").partition(b"\r\n")[0]
    match = _REQUEST_LINE.fullmatch(line)
    if match:
        shown = match["method"][:40].decode("ascii")
        return MalformedRequest(501, f"the method {shown!r} is not supported by this server")
    return MalformedRequest(400, "malformed request line: no known method")


__all__ = [
    "Event",
    "IncompleteRequest",
    "MalformedRequest",
    "Marker",
    "RequestHead",
    "RequestParser",
]
