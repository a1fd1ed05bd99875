"""Writing responses: a WSGI app's (``start_response``, ``write``, its iterable) and the
server's own refusals.

The server, not the app, frames the response on the wire: it keeps the app's
Content-Length (and sends no byte beyond it), chunks a body of unknown length for an
HTTP/1.1 client, sends no body for HEAD, 1xx, 204 and 304, and decides whether the
connection stays open — ``Transfer-Encoding`` and ``Connection`` from the app are hop-by-hop
fields it replaces (an app's ``Connection: close`` is honoured).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from http import HTTPStatus
from typing import Any

from console.worker_http.body import RequestBody
from console.worker_http.connection import ClientConnection
from console.worker_http.environ import SERVER_SOFTWARE
from console.worker_http.parser import RequestHead

_NO_BODY_STATUSES = frozenset({204, 304})
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding"})
_LAST_CHUNK = b"0\r\n\r\n"


class HttpDate:
    """The ``Date`` header value, formatted once per second rather than once per response."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def __call__(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:  # a race only formats the same second twice
            self._value, self._second = formatdate(now, usegmt=True), second
        return self._value


def error_response(status: int, reason: str, date: str) -> bytes:
    """A complete response refusing a request: ``status``, and ``reason`` as plain text."""
    phrase = HTTPStatus(status).phrase
    body = f"{status} {phrase}: {reason}\n".encode()
    head = (
        f"HTTP/1.1 {status} {phrase}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n"
        f"Server: {SERVER_SOFTWARE}\r\n"
        f"Date: {date}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class ResponseWriter:
    """One WSGI response to ``head``, written to ``connection``.

    Args:
        connection: where the response goes.
        head: the request answered.
        body: its body, asked at the head of the response whether what the app leaves of
            it can be skipped to keep the connection.
        transfer_timeout: seconds the client may read nothing before the response is cut.
        max_unread_body: see :class:`~console.worker_http.limits.ServerLimits`.
        closing: asked at the head of the response: the server lets go of its
            connections, so this one closes after the response.
        date: gives the ``Date`` header value.
    """

    def __init__(
        self,
        connection: ClientConnection,
        head: RequestHead,
        body: RequestBody,
        *,
        transfer_timeout: float,
        max_unread_body: int,
        closing: Callable[[], bool],
        date: Callable[[], str],
    ) -> None:
        self._connection = connection
        self._head = head
        self._body = body
        self._timeout = transfer_timeout
        self._max_unread_body = max_unread_body
        self._closing = closing
        self._date = date
        self._status = ""
        self._headers: list[tuple[str, str]] = []
        self._has_body = True
        self._chunked = False
        self._length: int | None = None
        self._sent = 0
        self._overflowed = False
        self.headers_sent = False
        #: The whole response went out as framed: the connection may carry another one.
        self.complete = False
        #: Decided when the head goes out: whether the connection stays open after.
        self.keep_alive = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None:
            try:
                if self.headers_sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        elif self._status:
            raise RuntimeError("start_response was called twice without exc_info")
        self._status, self._headers = status, headers
        return self.write

    def run(self, app: Callable[..., Iterable[bytes]], environ: dict[str, Any]) -> None:
        """Call ``app`` and send what it gives; its iterable is closed whatever happens."""
        iterable = app(environ, self.start_response)
        try:
            chunks = iterable
            if isinstance(iterable, list | tuple) and len(iterable) > 1:
                chunks = [b"".join(iterable)]  # one write for the whole body when at hand
            for chunk in chunks:
                self.write(chunk)
            if not self.headers_sent:
                self.write(b"")
            if self._chunked:
                self._connection.send(_LAST_CHUNK, self._timeout)
            self.complete = not self._overflowed and self._length in (None, self._sent)
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def write(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError(f"a WSGI app must give bytes, not {type(data).__name__}")
        if not self.headers_sent:
            head = self._head_bytes()
            self.headers_sent = True
            self._connection.send(head + self._framed(data), self._timeout)
        elif data:
            self._connection.send(self._framed(data), self._timeout)

    def _framed(self, data: bytes) -> bytes:
        if not self._has_body or not data:
            return b""
        if self._chunked:
            self._sent += len(data)
            return b"%x\r\n%b\r\n" % (len(data), data)
        if self._length is not None and self._sent + len(data) > self._length:
            data = data[: self._length - self._sent]  # beyond it, it would pose as a response
            self._overflowed = True
        self._sent += len(data)
        return data

    def _head_bytes(self) -> bytes:
        if not self._status:
            raise RuntimeError("the app sent a body before calling start_response")
        head = self._head
        code = int(self._status[:3])
        keep_alive = (
            head.keep_alive
            and not self._closing()
            and self._body.can_skip_rest(self._max_unread_body)
        )
        lines = [f"HTTP/1.1 {self._status}"]
        named = set()
        for name, value in self._headers:
            if "\n" in value or "\r" in value or "\n" in name or "\r" in name:
                raise ValueError(f"the response header {name!r} holds a line break")
            lowered = name.lower()
            named.add(lowered)
            if lowered in _HOP_BY_HOP:
                keep_alive = keep_alive and not (
                    lowered == "connection" and "close" in value.lower()
                )
                continue
            if lowered == "content-length":
                self._length = int(value)
            lines.append(f"{name}: {value}")
        self._has_body = not (head.method == "HEAD" or code < 200 or code in _NO_BODY_STATUSES)
        if self._length is None and self._has_body:
            if head.http_version == "1.1":
                self._chunked = True
                lines.append("Transfer-Encoding: chunked")
            else:
                keep_alive = False  # the end of the body is the end of the connection
        if not self._has_body:
            self._length = None
        if not keep_alive:
            lines.append("Connection: close")
        elif head.http_version == "1.0":
            lines.append("Connection: keep-alive")
        if "server" not in named:
            lines.append(f"Server: {SERVER_SOFTWARE}")
        if "date" not in named:
            lines.append(f"Date: {self._date()}")
        self.keep_alive = keep_alive
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


__all__ = ["HttpDate", "ResponseWriter", "error_response"]
