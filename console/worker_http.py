"""The worker's HTTP server: Werkzeug's threaded server with HTTP/1.1 keep-alive that a
retiring worker can let go of without failing a request.

Browsers, curl, httpx and load tools keep a connection open across requests. Werkzeug's own
handler answers every request with ``Connection: close`` (it cannot find the end of a
request body the app left unread), so each request would pay for a new connection and a new
thread. This handler reads request bodies through a counter, so it knows what is left to
skip, and keeps the connection.

Between two requests a connection waits for either the next request or the server's retire
signal. When a worker retires (a reload, or the console closing):

* with a successor (a reload), every kept-alive connection is *handed over*: the socket
  itself travels to the new worker (``hand_off``), idle ones at once and busy ones right
  after their current response. Whatever the client sends meanwhile waits in the kernel's
  buffer and is read by the new worker, so the client never notices the switch;
* without one (the console closing, or its supervisor gone), idle connections are closed
  and a busy one answers its current request with ``Connection: close``.

Either way no request is cut, and the old worker is left with nothing but the requests it
was already running, so it still exits promptly.
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

#: Takes a kept-alive connection, idle between two requests, away to another worker; the
#: socket is closed here once it returns, so it keeps a duplicate of what it needs.
ConnectionTaker = Callable[[socket.socket], None]
#: A request body left unread beyond this is not skipped; the connection is closed instead.
MAX_UNREAD_BODY = 1024 * 1024
#: How long skipping an unread request body may wait for the client to send it.
UNREAD_BODY_TIMEOUT = 2.0
_READ_SIZE = 65536
_NO_BODY_STATUSES = frozenset({204, 304})
_CONNECTION_ERRORS = (ConnectionError, TimeoutError)
_HTTP_VERSION = re.compile(r"HTTP/(?P<major>\d)\.(?P<minor>\d)")
#: A header field name: a token (RFC 9110, 5.6.2). No space before the colon, no folding.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_MAX_HEADER_LINE = 65536
_MAX_HEADER_FIELDS = 100


class ConnectionReader:
    """A buffered reader on a socket that knows whether it holds bytes not yet read.

    (``socket.makefile`` cannot say so without reading, and a connection with a request
    waiting in its buffer must not be handed to another process.)
    """

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self._buffer = bytearray()
        self.closed = False

    @property
    def buffered(self) -> bool:
        return bool(self._buffer)

    def _fill(self) -> bool:
        chunk = self._connection.recv(_READ_SIZE)
        self._buffer += chunk
        return bool(chunk)

    def _take(self, size: int) -> bytes:
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, limit: int = -1) -> bytes:
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0:
                size = end + 1
                return self._take(size if limit < 0 else min(size, limit))
            if 0 <= limit <= len(self._buffer):
                return self._take(limit)
            searched = len(self._buffer)
            if not self._fill():
                return self._take(len(self._buffer))

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            return self._take(len(self._buffer))
        if not self._buffer and size > 0:
            self._fill()
        return self._take(size)

    def readinto(self, target: Any) -> int:
        data = self.read(len(memoryview(target)))
        memoryview(target)[: len(data)] = data
        return len(data)

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines: list[bytes] = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def close(self) -> None:
        self.closed = True


class CountingInput:
    """``wsgi.input`` that counts what the app read, so the rest of the body can be skipped."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.consumed = 0

    def _count(self, data: bytes) -> bytes:
        self.consumed += len(data)
        return data

    def read(self, *args: Any) -> bytes:
        return self._count(self._stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._count(self._stream.readline(*args))

    def readinto(self, target: Any) -> int:
        size: int = self._stream.readinto(target)
        self.consumed += size
        return size

    def readlines(self, *args: Any) -> list[bytes]:
        return [self._count(line) for line in self._stream.readlines(*args)]

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def close(self) -> None:
        """The connection outlives the request; nothing to close."""


class _SocketWriter:
    """``wfile`` for http.server's error pages: writes straight to the socket."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self.closed = False

    def write(self, data: bytes) -> int:
        self._connection.sendall(data)
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered."""

    def close(self) -> None:
        self.closed = True


class _DateHeader:
    """The ``Date`` header value, formatted once per second rather than once per request."""

    def __init__(self) -> None:
        self._second = -1
        self._value = ""

    def __call__(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:  # a race only formats the same second twice
            self._value, self._second = formatdate(now, usegmt=True), second
        return self._value


class RequestHeaders:
    """A request's header fields, in order: what ``make_environ`` and the handler ask of them.

    (``http.client.parse_headers`` runs the e-mail parser, the largest cost of a request
    in the server before the app runs.)
    """

    def __init__(self, fields: list[tuple[str, str]]) -> None:
        self._fields = fields

    def items(self) -> list[tuple[str, str]]:
        return self._fields

    def get(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self._fields:
            if key.lower() == lowered:
                return value
        return default


class KeepAliveServer(ThreadedWSGIServer):
    """Werkzeug's threaded server that counts open connections and can retire them.

    ``wait_idle`` lets a retiring worker wait for its connections; ``retire`` wakes every
    connection waiting between two requests, which then goes to ``hand_off`` or is closed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open = 0
        self._open_changed = threading.Condition()
        self._retire_signal, self._retire_trigger = os.pipe()
        self.hand_off: ConnectionTaker | None = None
        self.retiring = False
        self.date_header = _DateHeader()
        self._handed_off: set[socket.socket] = set()
        self._handed_off_lock = threading.Lock()
        super().__init__(*args, **kwargs)  # (it calls server_close when given a descriptor)

    @property
    def retire_signal(self) -> int:
        """A descriptor that turns readable, and stays so, once the server retires."""
        return self._retire_signal

    def retire(self, hand_off: ConnectionTaker | None) -> None:
        """Let go of every kept-alive connection: to ``hand_off``, or closed when it is None."""
        self.hand_off = hand_off
        self.retiring = True
        os.write(self._retire_trigger, b"!")

    def adopt(self, connection: socket.socket) -> None:
        """Serve a connection another worker handed over, as if it had just been accepted."""
        try:
            peer = connection.getpeername()
        except OSError:
            connection.close()
            return
        self.process_request(connection, peer)

    def handed_off(self, connection: socket.socket) -> None:
        """``connection`` now belongs to another worker: close it here without a goodbye."""
        with self._handed_off_lock:
            self._handed_off.add(connection)

    def shutdown_request(self, request: Any) -> None:
        with self._handed_off_lock:
            gone = request in self._handed_off
            self._handed_off.discard(request)
        if gone:
            request.close()  # a shutdown() would end the connection for the new worker too
        else:
            super().shutdown_request(request)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_changed:
            self._open += 1
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._closed_one()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._closed_one()

    def _closed_one(self) -> None:
        with self._open_changed:
            self._open -= 1
            self._open_changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every connection is closed or handed over; False on timeout."""
        with self._open_changed:
            return self._open_changed.wait_for(lambda: self._open <= 0, timeout)

    def close_retire_signal(self) -> None:
        """Release the retire signal's pipe, once no connection can wait on it any more."""
        os.close(self._retire_signal)
        os.close(self._retire_trigger)


class KeepAliveHandler(WSGIRequestHandler):
    """Serves requests one after another on a connection until either side closes it."""

    protocol_version = "HTTP/1.1"
    server: KeepAliveServer

    def setup(self) -> None:
        self.connection = self.request
        self._reader = ConnectionReader(self.connection)
        self.rfile = self._reader  # type: ignore[assignment]
        self.wfile = _SocketWriter(self.connection)  # type: ignore[assignment]
        self._poller = select.poll()
        self._poller.register(self.connection, select.POLLIN)
        self._poller.register(self.server.retire_signal, select.POLLIN)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Every request already becomes a trace; a log line per request is noise."""

    def parse_request(self) -> bool:
        """Read the request line and header fields; on bad input answer 4xx/505 and say False.

        Takes the place of http.server's parser (which reads headers with the e-mail
        parser), with the same results: ``command``, ``path``, ``request_version``,
        ``headers``, ``close_connection``, and ``100 Continue`` sent when asked for.
        """
        self.command = None  # type: ignore[assignment]
        self.request_version = "HTTP/1.0"  # an error gets a status line (no HTTP/0.9 here)
        self.close_connection = True
        self.requestline = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n")
        words = self.requestline.split(" ")
        if len(words) != 3 or not words[0] or not words[1]:
            self.send_error(400, f"Bad request line {self.requestline!r}")
            return False
        self.command, self.path, version = words
        match = _HTTP_VERSION.fullmatch(version)
        if match is None:
            self.send_error(400, f"Bad request version {version!r}")
            return False
        if match["major"] != "1":
            self.send_error(505, f"HTTP version {version} is not supported")
            return False
        self.request_version = version
        fields = self._read_header_fields()
        if fields is None:
            return False
        self.headers = RequestHeaders(fields)  # type: ignore[assignment]
        connection = (self.headers.get("Connection") or "").lower()
        if version == "HTTP/1.0":
            self.close_connection = "keep-alive" not in connection
        else:
            self.close_connection = "close" in connection
        expect = (self.headers.get("Expect") or "").strip(" \t").lower()
        if expect == "100-continue" and version != "HTTP/1.0":
            self.connection.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def _read_header_fields(self) -> list[tuple[str, str]] | None:
        fields: list[tuple[str, str]] = []
        while True:
            line = self.rfile.readline(_MAX_HEADER_LINE + 1)
            if len(line) > _MAX_HEADER_LINE:
                self.send_error(431, "Header line too long")
                return None
            if line in (b"\r\n", b"\n", b""):
                return fields
            if len(fields) >= _MAX_HEADER_FIELDS:
                self.send_error(431, f"More than {_MAX_HEADER_FIELDS} header fields")
                return None
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if not colon or not _HEADER_NAME.fullmatch(name):
                self.send_error(400, f"Bad header line {line[:100]!r}")
                return None
            fields.append((name, value.strip(" \t\r\n")))

    def handle(self) -> None:
        try:
            while self._next_request_arrived():
                self.handle_one_request()
                if self.close_connection:
                    return
        except _CONNECTION_ERRORS:
            return  # the client went away; nothing to answer
        hand_off = self.server.hand_off
        if hand_off is not None and not self._reader.buffered:
            self.server.handed_off(self.connection)
            hand_off(self.connection)

    def _next_request_arrived(self) -> bool:
        """Wait for the next request, or for the server to retire (then False).

        A request already read into this process is served here, whatever happens: it cannot
        travel with the socket. Without a successor, a request already waiting is served too
        (the client sent it before it could know); its answer says ``Connection: close``.
        """
        if self._reader.buffered:
            return True
        ready = {fd for fd, _events in self._poller.poll()}
        if self.server.retire_signal in ready:
            return self.connection.fileno() in ready and self.server.hand_off is None
        return True

    def run_wsgi(self) -> None:
        # (``Expect: 100-continue`` was answered by ``parse_request``, HTTP/1.1 both sides.)
        environ = self.make_environ()
        body = CountingInput(environ["wsgi.input"])
        environ["wsgi.input"] = body
        response = _Response(self, environ)
        try:
            response.run(self.server.app)
        except _CONNECTION_ERRORS:
            self.close_connection = True
            return
        except Exception as error:
            self._answer_error(response, error)
        if not response.complete:
            self.close_connection = True
        if not self.close_connection:
            self._skip_unread_body(environ, body)

    def _answer_error(self, response: _Response, error: Exception) -> None:
        """The app (or its iterable) raised past the framework: a 500 if nothing was sent."""
        from werkzeug.debug.tbtools import DebugTraceback
        from werkzeug.exceptions import InternalServerError

        self.close_connection = True
        if not response.headers_sent:
            try:
                _Response(self, response.environ).run(InternalServerError())
            except Exception:
                pass  # the client is gone; the log line below still says what happened
        message = DebugTraceback(error).render_traceback_text()
        self.server.log("error", f"Error on request:\n{message}")

    def _skip_unread_body(self, environ: dict[str, Any], body: CountingInput) -> None:
        """Read past what the app left of the request body, so the next request starts clean.

        A chunked body or a large remainder closes the connection instead.
        """
        if environ.get("wsgi.input_terminated"):
            self.close_connection = True
            return
        try:
            declared = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        left = declared - body.consumed
        if left <= 0:
            return
        if left > MAX_UNREAD_BODY:
            self.close_connection = True
            return
        self.connection.settimeout(UNREAD_BODY_TIMEOUT)
        try:
            while left > 0:
                skipped = len(self.rfile.read(min(left, _READ_SIZE)))
                if not skipped:
                    break
                left -= skipped
        except OSError:
            left = 1
        finally:
            self.connection.settimeout(None)
        if left > 0:
            self.close_connection = True


class _Response:
    """One WSGI response written to the connection: status and headers with the first body
    bytes in one write, then the rest; chunked when the app gave no Content-Length."""

    def __init__(self, handler: KeepAliveHandler, environ: dict[str, Any]) -> None:
        self._handler = handler
        self.environ = environ
        self._status = ""
        self._headers: list[tuple[str, str]] = []
        self._chunked = False
        self._length: int | None = None
        self._sent = 0
        self.headers_sent = False
        self.complete = False

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
            raise AssertionError("start_response called twice without exc_info")
        self._status, self._headers = status, headers
        return self.write

    def run(self, app: Any) -> None:
        iterable: Iterable[bytes] = app(self.environ, self.start_response)
        try:
            chunks = iterable
            if isinstance(iterable, list | tuple) and len(iterable) > 1:
                chunks = [b"".join(iterable)]  # one write for the whole body when it is at hand
            for chunk in chunks:
                self.write(chunk)
            if not self.headers_sent:
                self.write(b"")
            if self._chunked:
                self._handler.connection.sendall(b"0\r\n\r\n")
            self.complete = self._length is None or self._sent == self._length
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    def write(self, data: bytes) -> None:
        if not isinstance(data, bytes):
            raise TypeError(f"a WSGI app must give bytes, not {type(data).__name__}")
        if not self.headers_sent:
            self._handler.connection.sendall(self._head() + self._framed(data))
            self.headers_sent = True
        elif data:
            self._handler.connection.sendall(self._framed(data))

    def _framed(self, data: bytes) -> bytes:
        if self.environ["REQUEST_METHOD"] == "HEAD":
            return b""
        self._sent += len(data)
        if self._chunked and data:
            return b"%x\r\n%b\r\n" % (len(data), data)
        return data

    def _head(self) -> bytes:
        if not self._status:
            raise AssertionError("the app wrote before calling start_response")
        handler = self._handler
        code = int(self._status.split(None, 1)[0])
        lines = [f"{handler.protocol_version} {self._status}"]
        close = handler.close_connection or (
            handler.server.retiring and handler.server.hand_off is None
        )
        for key, value in self._headers:
            lowered = key.lower()
            if lowered == "content-length":
                self._length = int(value)
            elif lowered == "connection":
                close = close or value.strip().lower() == "close"
                continue
            elif lowered == "transfer-encoding":
                continue
            lines.append(f"{key}: {value}")
        has_body = not (
            self.environ["REQUEST_METHOD"] == "HEAD" or code < 200 or code in _NO_BODY_STATUSES
        )
        if self._length is None and has_body:
            if handler.request_version >= "HTTP/1.1":
                self._chunked = True
                lines.append("Transfer-Encoding: chunked")
            else:
                close = True  # the end of the body is the end of the connection
        if not has_body:
            self._length = None
        if close:
            handler.close_connection = True
            lines.append("Connection: close")
        elif handler.request_version < "HTTP/1.1":
            lines.append("Connection: keep-alive")
        lines.append(f"Server: {handler.version_string()}")
        lines.append(f"Date: {handler.server.date_header()}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


__all__ = [
    "ConnectionReader",
    "CountingInput",
    "ConnectionTaker",
    "KeepAliveHandler",
    "KeepAliveServer",
]
