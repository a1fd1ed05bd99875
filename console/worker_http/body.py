"""``wsgi.input``: a request's body, read from the connection as the app asks for it.

The body ends where the framing says (Content-Length, or the last chunk), never at the
connection's end, so an app that reads "everything" stops at its own request. A body that
breaks off raises one of Werkzeug's HTTP errors, which the framework answers like any other:
400 when the connection ended early or a chunk was malformed, 408 when the client stopped
sending. ``100 Continue`` goes out the first time the app reads, so a client that asked
before sending its body sends it only to an app that wants it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from werkzeug.exceptions import BadRequest, ClientDisconnected, RequestTimeout

from console.worker_http.connection import ClientConnection
from console.worker_http.parser import IncompleteRequest, Marker, RequestHead

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class MalformedBody(BadRequest):
    """The body's framing broke (a malformed chunk): answered 400 with llhttp's reason."""


class RequestBody:
    """The body of one request on ``connection``, whose head is ``head``."""

    def __init__(self, connection: ClientConnection, head: RequestHead, timeout: float) -> None:
        self._connection = connection
        self._head = head
        self._timeout = timeout
        self._pending = b""
        self._ended = False
        self._continue_owed = head.expects_continue
        #: Set when the body broke off: the connection cannot carry another request.
        self.failed = False

    def can_skip_rest(self, limit: int) -> bool:
        """Whether what the app leaves of the body can be read past to reuse the connection:
        it has all arrived, or it is at most ``limit`` bytes more of a known length. (A
        client still waiting for ``100 Continue`` may send its body or not: no telling.)"""
        head = self._head
        if head.body_complete or self._ended:
            return True
        if self._continue_owed or head.content_length is None:
            return False
        return head.content_length - head.body_received <= limit

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = [self._take_pending()]
            while chunk := self._next_chunk():
                parts.append(chunk)
            return b"".join(parts)
        parts = []
        wanted = size
        while wanted > 0:
            if not self._pending:
                self._pending = self._next_chunk()
                if not self._pending:
                    break
            part = self._pending[:wanted]
            self._pending = self._pending[wanted:]
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)

    def readinto(self, target: Any) -> int:
        """Fill ``target``, as :meth:`read` would (less only at the body's end)."""
        view = memoryview(target).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        parts = []
        taken = 0
        while limit < 0 or taken < limit:
            if not self._pending:
                self._pending = self._next_chunk()
                if not self._pending:
                    break
            end = self._pending.find(b"\n") + 1 or len(self._pending)
            if limit >= 0:
                end = min(end, limit - taken)
            parts.append(self._pending[:end])
            self._pending = self._pending[end:]
            taken += end
            if parts[-1].endswith(b"\n"):
                break
        return b"".join(parts)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    def close(self) -> None:
        """The body belongs to the connection, which outlives the request."""

    def skip_rest(self, limit: int) -> bool:
        """Read past what the app left of the body; False if more than ``limit`` bytes
        were left, or the body broke off (the connection cannot be reused then)."""
        self._continue_owed = False  # the answer is out: the client sends or gives up
        skipped = len(self._take_pending())
        try:
            while chunk := self._next_chunk():
                skipped += len(chunk)
                if skipped > limit:
                    return False
        except (BadRequest, RequestTimeout):
            return False
        return True

    def _take_pending(self) -> bytes:
        pending, self._pending = self._pending, b""
        return pending

    def _next_chunk(self) -> bytes:
        """The next bytes of the body; ``b""`` once it has ended."""
        parser = self._connection.parser
        while not self._ended:
            event = parser.first()
            if event is None:
                self._receive()
                continue
            parser.take()
            if isinstance(event, bytes):
                return event
            if event is Marker.END_OF_BODY:
                self._ended = True
                break
            self.failed = True
            if isinstance(event, IncompleteRequest):
                raise ClientDisconnected(event.reason)
            raise MalformedBody(str(event))
        return b""

    def _receive(self) -> None:
        if self._continue_owed:
            self._continue_owed = False
            self._connection.send(_CONTINUE, self._timeout)
        try:
            self._connection.receive_waiting(self._timeout)
        except TimeoutError:
            self.failed = True
            raise RequestTimeout(
                f"the request body stalled for {self._timeout:g} s before its end"
            ) from None


__all__ = ["MalformedBody", "RequestBody"]
