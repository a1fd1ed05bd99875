"""A port that never goes dark: 503 and the reason, while no version of an app can serve.

The supervisor binds every app's listening socket and keeps it for the app's whole life, so
while no worker accepts (the first load failed or timed out, the target does not exist, a
crash loop stopped restarting) connections would pile up in the kernel's backlog: clients
hang, and the next worker to start would serve requests whose clients gave up long ago.

Instead the supervisor answers them itself, from one thread for every app: it accepts, reads
the request head, answers ``503 Service Unavailable`` with the reason (plain text, or a small
HTML page when the client accepts HTML) and ``Connection: close``, and closes. Why here and
not in a "broken" worker process: the supervisor already holds the socket and knows the
reason (the load error with its traceback, the crash with the worker's last output), it
needs no process start to begin answering, and stopping is immediate and synchronous
(:meth:`UnavailableResponder.release` returns once the socket is no longer watched), which
is what keeps the switch clean: nothing answers on the port between the responder letting
go and a worker going live, and no connection waits to be replayed.

Everything is non-blocking: a client that sends nothing, or reads nothing, costs a slot until
its deadline; past :data:`MAX_CLIENTS` connections are closed at once.
"""

from __future__ import annotations

import collections
import html
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

#: Connections answered at the same time, at most; beyond it they are closed unanswered.
MAX_CLIENTS = 256
#: How long a client may take to send its request head (bytes) before it is answered anyway.
READ_TIMEOUT = 2.0
MAX_HEAD = 65_536
#: After the answer, the rest of what the client sends is read and dropped for this long, so
#: closing with unread data does not reset the connection before the answer arrives.
LINGER = 1.0


@dataclass(frozen=True)
class UnavailablePage:
    """What the port answers while an app cannot serve."""

    app: str
    reason: str
    details: str = ""

    def as_text(self) -> str:
        parts = [f"503 Service Unavailable: {self.app} cannot serve right now.", self.reason]
        if self.details:
            parts.append(self.details.rstrip())
        parts.append("hookscope loads the app again when one of its files changes.")
        return "\n\n".join(parts) + "\n"

    def as_html(self) -> str:
        details = f"<pre>{html.escape(self.details.rstrip())}</pre>" if self.details else ""
        app = html.escape(self.app)
        return (
            "<!doctype html>\n<html><head><meta charset=utf-8>"
            f"<title>{app}: 503 Service Unavailable</title>"
            "<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;"
            "padding:1em;overflow:auto}</style></head><body>"
            f"<h1>{app} cannot serve right now</h1><p>{html.escape(self.reason)}</p>"
            f"{details}<p>hookscope loads the app again when one of its files changes; "
            "reload this page then.</p></body></html>\n"
        )

    def response(self, head: bytes) -> bytes:
        """The whole HTTP response to a request whose head is ``head``."""
        request_line, _, fields = head.partition(b"\r\n")
        method = request_line.split(b" ", 1)[0]
        wants_html = any(
            name.strip().lower() == b"accept" and b"text/html" in value.lower()
            for name, _, value in (line.partition(b":") for line in fields.split(b"\r\n"))
        )
        if wants_html:
            body, kind = self.as_html().encode(), "text/html; charset=utf-8"
        else:
            body, kind = self.as_text().encode(), "text/plain; charset=utf-8"
        head_lines = (
            "HTTP/1.1 503 Service Unavailable\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n"
            "Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
        )
        return head_lines.encode() + (b"" if method == b"HEAD" else body)


@dataclass
class _Client:
    page: UnavailablePage
    deadline: float
    received: bytearray = field(default_factory=bytearray)
    outgoing: bytes = b""
    lingering: bool = False


class UnavailableResponder:
    """Answers 503 on the listening sockets it is given, from one thread, until released."""

    def __init__(
        self, read_timeout: float = READ_TIMEOUT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._read_timeout = read_timeout
        self._clock = clock
        self._selector = selectors.DefaultSelector()
        self._wakeup_receiver, self._wakeup_sender = socket.socketpair()
        self._wakeup_receiver.setblocking(False)
        self._wakeup_sender.setblocking(False)
        self._selector.register(self._wakeup_receiver, selectors.EVENT_READ)
        self._tasks: collections.deque[Callable[[], None]] = collections.deque()
        self._pages: dict[socket.socket, UnavailablePage] = {}
        self._clients: dict[socket.socket, _Client] = {}
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    def answer(self, listener: socket.socket, page: UnavailablePage) -> None:
        """Answer every connection to ``listener`` with ``page``, until :meth:`release`."""
        self._run_on_thread(lambda: self._listen(listener, page))

    def release(self, listener: socket.socket) -> None:
        """Stop accepting on ``listener``; returns once no connection can be accepted here.

        Connections already accepted still get their answer.
        """
        if self._thread is None:
            return
        released = threading.Event()

        def forget() -> None:
            if self._pages.pop(listener, None) is not None:
                self._selector.unregister(listener)
            released.set()

        self._run_on_thread(forget)
        released.wait(timeout=5.0)

    def close(self) -> None:
        """Stop the thread and close every connection (the listeners belong to the caller)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._wake()
            thread.join(timeout=5.0)
        for connection in list(self._clients):
            connection.close()
        self._clients.clear()
        self._selector.close()
        self._wakeup_receiver.close()
        self._wakeup_sender.close()

    # --- the thread ---------------------------------------------------------------------

    def _run_on_thread(self, task: Callable[[], None]) -> None:
        with self._lock:
            if self._closed:
                return
            self._tasks.append(task)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="hookscope-unavailable", daemon=True
                )
                self._thread.start()
        self._wake()

    def _wake(self) -> None:
        try:
            self._wakeup_sender.send(b"!")
        except (BlockingIOError, OSError):
            pass  # a wake-up is already pending, or we are closing

    def _loop(self) -> None:
        while not self._closed:
            timeout = self._next_timeout()
            for key, events in self._selector.select(timeout):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self._wakeup_receiver:
                    self._drain_wakeups()
                elif sock in self._pages:
                    self._accept(sock)
                elif sock in self._clients:
                    self._serve(sock, events)
            while self._tasks:
                self._tasks.popleft()()
            self._expire()

    def _next_timeout(self) -> float | None:
        if not self._clients:
            return None
        nearest = min(client.deadline for client in self._clients.values())
        return max(nearest - self._clock(), 0.0)

    def _drain_wakeups(self) -> None:
        try:
            while self._wakeup_receiver.recv(4096):
                pass
        except BlockingIOError:
            pass

    def _listen(self, listener: socket.socket, page: UnavailablePage) -> None:
        if listener in self._pages:
            self._pages[listener] = page
            return
        self._pages[listener] = page
        self._selector.register(listener, selectors.EVENT_READ)
        self._accept(listener)  # connections already waiting in the backlog

    def _accept(self, listener: socket.socket) -> None:
        page = self._pages[listener]
        while True:
            try:
                connection, _address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. too many open files: the rest wait for the next turn
            if len(self._clients) >= MAX_CLIENTS:
                connection.close()
                continue
            connection.setblocking(False)
            self._clients[connection] = _Client(page, self._clock() + self._read_timeout)
            self._selector.register(connection, selectors.EVENT_READ)

    def _serve(self, connection: socket.socket, events: int) -> None:
        client = self._clients[connection]
        if events & selectors.EVENT_READ:
            try:
                chunk = connection.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._drop(connection)  # gave up before the answer, or finished lingering
                return
            if client.lingering:
                return
            client.received += chunk
            head_end = client.received.find(b"\r\n\r\n")
            if head_end >= 0 or len(client.received) > MAX_HEAD:
                self._respond(connection, client, bytes(client.received[: max(head_end, 0)]))
        elif events & selectors.EVENT_WRITE:
            self._write(connection, client)

    def _respond(self, connection: socket.socket, client: _Client, head: bytes) -> None:
        client.outgoing = client.page.response(head)
        client.received.clear()
        client.deadline = self._clock() + self._read_timeout
        self._selector.modify(connection, selectors.EVENT_WRITE)
        self._write(connection, client)

    def _write(self, connection: socket.socket, client: _Client) -> None:
        try:
            sent = connection.send(client.outgoing)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(connection)
            return
        client.outgoing = client.outgoing[sent:]
        if client.outgoing:
            return
        try:
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            self._drop(connection)
            return
        client.lingering = True
        client.deadline = self._clock() + LINGER
        self._selector.modify(connection, selectors.EVENT_READ)

    def _expire(self) -> None:
        now = self._clock()
        for connection, client in list(self._clients.items()):
            if now < client.deadline:
                continue
            if client.lingering or client.outgoing:
                self._drop(connection)
            else:  # the head never came whole: answer what there is
                self._respond(connection, client, bytes(client.received))

    def _drop(self, connection: socket.socket) -> None:
        self._clients.pop(connection, None)
        try:
            self._selector.unregister(connection)
        except (KeyError, ValueError):
            pass
        connection.close()


__all__ = ["MAX_CLIENTS", "UnavailablePage", "UnavailableResponder"]
