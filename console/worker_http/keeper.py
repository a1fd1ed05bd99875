"""The connection keeper: one thread that holds every connection not running a request.

A thread per connection ties up a thread for every idle browser tab and for every client
that sends its request a byte a second. Here one thread watches them all with a selector:
it accepts, reads request heads (and bodies up to a small size) as they trickle in,
enforces the timeouts and the cap on connections, and gives each complete request to a
request thread. After the response the connection comes back here to wait for the next.

A connection here is in one of three states, each kept in arrival order, so the ones whose
time is up are always at the front:

* *awaiting*: no byte of its next request yet; closed after ``idle_timeout``, or earlier
  when a new connection needs its place;
* *receiving*: part of a request has arrived; answered 408 after ``header_timeout`` (or,
  when the head is complete and only the body is slow, given to a thread);
* *closing*: refused and answered; read (and dropped) a little longer, so that a client
  still sending reads the answer rather than a reset.
"""

from __future__ import annotations

import logging
import os
import selectors
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import NamedTuple

from console.worker_http.connection import ClientConnection
from console.worker_http.handoff import Retirement
from console.worker_http.limits import ServerLimits
from console.worker_http.parser import MalformedRequest, Marker, RequestHead
from console.worker_http.response import error_response

#: Connections accepted in one go before the keeper looks at the others again.
_ACCEPT_BATCH = 64
#: After the process ran out of descriptors, accepting pauses this long.
_ACCEPT_PAUSE = 0.1

Dispatch = Callable[[ClientConnection], None]


def request_ready(head: RequestHead, limits: ServerLimits) -> bool:
    """Whether a request can go to a thread: its body is in, or it is too large to wait
    for, or the client waits for ``100 Continue`` before sending it."""
    prefetch = limits.prefetch_body_bytes
    return (
        head.body_complete
        or head.expects_continue
        or head.body_received >= prefetch
        or (head.content_length or 0) > prefetch
    )


class HeldConnections(NamedTuple):
    """How many connections the keeper holds, by state (see the module's docstring)."""

    awaiting: int
    receiving: int
    closing: int


class OpenConnections:
    """How many connections the server holds (here or running a request)."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        return self._count

    def add(self) -> None:
        with self._changed:
            self._count += 1

    def remove(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_until_none(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count <= 0, timeout)


class ConnectionKeeper:
    """See the module's docstring.

    Args:
        limits: the server's limits.
        retirement: tells when to let go of connections, and where they go.
        open_connections: counts each connection from its arrival until it is closed or
            handed over.
        dispatch: runs a request whose head (and prefetched body) has arrived; the
            connection comes back through :meth:`take_back`, or is closed there.
        date: gives the ``Date`` header value of refusals.
        logger: where trouble accepting connections is told.
    """

    def __init__(
        self,
        *,
        limits: ServerLimits,
        retirement: Retirement,
        open_connections: OpenConnections,
        dispatch: Dispatch,
        date: Callable[[], str],
        logger: logging.Logger,
    ) -> None:
        self._limits = limits
        self._retirement = retirement
        self._open = open_connections
        self._dispatch_request = dispatch
        self._date = date
        self._logger = logger
        self._selector = selectors.DefaultSelector()
        self._awaiting: OrderedDict[ClientConnection, None] = OrderedDict()
        self._receiving: OrderedDict[ClientConnection, None] = OrderedDict()
        self._closing: OrderedDict[ClientConnection, None] = OrderedDict()
        self._listener: socket.socket | None = None
        self._accept_resumes_at: float | None = None
        self._inbox: deque[Callable[[], None]] = deque()
        self._inbox_lock = threading.Lock()
        self._wake_signal, self._wake_trigger = os.pipe()
        os.set_blocking(self._wake_signal, False)
        os.set_blocking(self._wake_trigger, False)
        self._thread: threading.Thread | None = None
        self._running = False
        self._stopped = False

    # --- from other threads ---------------------------------------------------------------

    def held(self) -> HeldConnections:
        """A snapshot, for diagnostics (read without a lock: a count may be off by one)."""
        return HeldConnections(len(self._awaiting), len(self._receiving), len(self._closing))

    def start(self) -> None:
        with self._inbox_lock:
            if self._thread is not None or self._stopped:
                return
            self._running = True
            self._thread = threading.Thread(
                target=self._run, name="http-connection-keeper", daemon=True
            )
        self._thread.start()

    def accept_from(self, listener: socket.socket) -> None:
        """Start accepting connections on ``listener`` (non-blocking)."""
        self.start()
        self._call_soon(lambda: self._start_accepting(listener))

    def stop_accepting(self) -> None:
        """Stop accepting; returns once no connection can be accepted here any more."""
        stopped = threading.Event()

        def stop() -> None:
            self._stop_accepting()
            stopped.set()

        if self._call_soon(stop):
            stopped.wait()

    def welcome(self, connection: ClientConnection) -> None:
        """Hold a connection another worker handed over, as if it had just been accepted."""
        self.start()
        if not self._call_soon(lambda: self._welcome(connection)):
            connection.close()

    def take_back(self, connection: ClientConnection) -> None:
        """A request thread is done with ``connection``: wait for its next request."""
        if not self._call_soon(lambda: self._hold(connection)):
            connection.close()
            self._open.remove()

    def linger(self, connection: ClientConnection) -> None:
        """Close ``connection``, whose writing side is shut, once the client has read what
        was sent: until then what it still sends is read and dropped (a close with unread
        bytes would reset the connection, and the client could lose the answer)."""
        if not self._call_soon(lambda: self._linger(connection, time.monotonic())):
            connection.socket.close()

    def stop(self) -> None:
        """Close every connection held here and end the thread."""
        with self._inbox_lock:
            self._stopped = True
        if self._call_soon(self._stop_running):
            assert self._thread is not None
            self._thread.join()
        os.close(self._wake_signal)
        os.close(self._wake_trigger)
        self._selector.close()

    def _call_soon(self, action: Callable[[], None]) -> bool:
        """Run ``action`` on the keeper's thread; False when that thread is not running."""
        with self._inbox_lock:
            if not self._running:
                return False
            if not self._inbox:
                os.write(self._wake_trigger, b"\0")
            self._inbox.append(action)
        return True

    # --- the keeper's thread --------------------------------------------------------------

    def _run(self) -> None:
        self._selector.register(self._wake_signal, selectors.EVENT_READ, self._on_wake)
        self._selector.register(self._retirement.signal, selectors.EVENT_READ, self._on_retire)
        while self._running:
            ready = self._selector.select(self._seconds_to_next_deadline())
            now = time.monotonic()
            for key, _events in ready:
                if isinstance(key.data, ClientConnection):
                    self._on_readable_safely(key.data, now)
                else:
                    key.data(now)
            self._expire(now)
        for held in (self._awaiting, self._receiving):
            for connection in held:
                connection.close()
                self._open.remove()
        for connection in self._closing:
            connection.socket.close()

    def _stop_running(self) -> None:
        with self._inbox_lock:
            self._running = False

    def _on_wake(self, now: float) -> None:
        with self._inbox_lock:
            os.read(self._wake_signal, 4096)
            actions = list(self._inbox)
            self._inbox.clear()
        for action in actions:
            action()

    def _seconds_to_next_deadline(self) -> float | None:
        deadlines = [
            next(iter(held)).deadline
            for held in (self._awaiting, self._receiving, self._closing)
            if held
        ]
        if self._accept_resumes_at is not None:
            deadlines.append(self._accept_resumes_at)
        if not deadlines:
            return None
        return max(min(deadlines) - time.monotonic(), 0.0)

    # accepting

    def _start_accepting(self, listener: socket.socket) -> None:
        listener.setblocking(False)
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, self._accept)

    def _stop_accepting(self) -> None:
        if self._listener is not None and self._accept_resumes_at is None:
            self._selector.unregister(self._listener)
        self._listener = None
        self._accept_resumes_at = None

    def _accept(self, now: float) -> None:
        if self._listener is None:
            return  # accepting stopped earlier in this round
        for _ in range(_ACCEPT_BATCH):
            try:
                client, address = self._listener.accept()
            except BlockingIOError:
                return  # none left (or another worker sharing the socket took it)
            except ConnectionAbortedError:
                continue
            except OSError as error:  # out of descriptors or memory: wait, then try again
                self._logger.warning("cannot accept a connection (%s); pausing briefly", error)
                self._selector.unregister(self._listener)
                self._accept_resumes_at = now + _ACCEPT_PAUSE
                return
            self._admit(client, address, now)

    def _admit(self, client: socket.socket, address: tuple[str, int], now: float) -> None:
        if self._open.count >= self._limits.max_connections and not self._close_longest_idle(now):
            _refuse_at_once(client, self._server_full())
            return
        self._open.add()
        self._await_request(ClientConnection(client, address, self._limits), now)

    def _server_full(self) -> bytes:
        limit = self._limits.max_connections
        reason = f"the server holds its limit of {limit} connections, all busy; try again"
        return error_response(503, reason, self._date())

    def _close_longest_idle(self, now: float) -> bool:
        """Close the connection that has waited longest for its next request; False when
        every connection is in the middle of one. (A connection whose request arrived
        but is not read yet is read first: it is not idle.)"""
        for connection in list(self._awaiting):
            connection.receive()
            self._examine(connection, now)
            if connection in self._awaiting:
                self._close(connection)
                return True
        return False

    def _welcome(self, connection: ClientConnection) -> None:
        self._open.add()
        self._hold(connection)

    def _hold(self, connection: ClientConnection) -> None:
        """Hold a connection (handed over, or back from a request thread) until its next
        request, unless the server retires and it is to be let go."""
        if self._retirement.may_let_go(connection):
            self._let_go(connection)
            return
        now = time.monotonic()
        self._await_request(connection, now)
        self._examine(connection, now)

    # reading requests

    def _await_request(self, connection: ClientConnection, now: float) -> None:
        connection.deadline = now + self._limits.idle_timeout
        self._awaiting[connection] = None
        self._selector.register(connection.socket, selectors.EVENT_READ, connection)

    def _on_readable_safely(self, connection: ClientConnection, now: float) -> None:
        """A bug met on one connection ends that connection, not the keeper."""
        try:
            self._on_readable(connection, now)
        except Exception as error:
            self._logger.error("a connection failed in the keeper", exc_info=error)
            if connection in self._awaiting or connection in self._receiving:
                self._close(connection)

    def _on_readable(self, connection: ClientConnection, now: float) -> None:
        if connection in self._closing:
            if not connection.drop_input():
                self._finish_closing(connection)
        elif connection in self._awaiting or connection in self._receiving:
            connection.receive()
            self._examine(connection, now)

    def _examine(self, connection: ClientConnection, now: float) -> None:
        """Decide what the bytes received so far call for."""
        parser = connection.parser
        event = parser.first()
        if isinstance(event, RequestHead):
            if event.body_failed:
                assert parser.failure is not None
                self._refuse(connection, parser.failure, now)
            elif request_ready(event, self._limits):
                self._dispatch(connection)
            else:
                self._start_receiving(connection, now)
        elif isinstance(event, MalformedRequest):
            self._refuse(connection, event, now)
        elif event is Marker.CONNECTION_CLOSED:
            self._close(connection)
        elif parser.request_begun:
            self._start_receiving(connection, now)

    def _start_receiving(self, connection: ClientConnection, now: float) -> None:
        if connection in self._awaiting:
            del self._awaiting[connection]
            connection.deadline = now + self._limits.header_timeout
            self._receiving[connection] = None

    def _dispatch(self, connection: ClientConnection) -> None:
        self._forget(connection)
        self._dispatch_request(connection)

    def _expire(self, now: float) -> None:
        while self._awaiting and next(iter(self._awaiting)).deadline <= now:
            self._close(next(iter(self._awaiting)))
        while self._receiving and next(iter(self._receiving)).deadline <= now:
            connection = next(iter(self._receiving))
            head = connection.parser.first()
            if isinstance(head, RequestHead) and not head.body_failed:
                self._dispatch(connection)  # only the body is slow: a thread waits for it
            else:
                timeout = self._limits.header_timeout
                reason = f"the request head did not arrive within {timeout:g} s"
                self._refuse(connection, MalformedRequest(408, reason), now)
        while self._closing and next(iter(self._closing)).deadline <= now:
            self._finish_closing(next(iter(self._closing)))
        if self._accept_resumes_at is not None and self._accept_resumes_at <= now:
            self._accept_resumes_at = None
            if self._listener is not None:
                self._selector.register(self._listener, selectors.EVENT_READ, self._accept)

    # letting go

    def _forget(self, connection: ClientConnection) -> None:
        self._awaiting.pop(connection, None)
        self._receiving.pop(connection, None)
        self._selector.unregister(connection.socket)

    def _close(self, connection: ClientConnection) -> None:
        self._forget(connection)
        connection.close()
        self._open.remove()

    def _let_go(self, connection: ClientConnection) -> None:
        """Hand over or close a connection that is not (or no longer) registered here."""
        try:
            self._retirement.let_go(connection)
        finally:
            self._open.remove()

    def _refuse(self, connection: ClientConnection, problem: MalformedRequest, now: float) -> None:
        """Answer ``problem`` and close: the bytes after a malformed request mean nothing."""
        connection.send_at_once(error_response(problem.status, problem.reason, self._date()))
        connection.shut_writing()
        self._forget(connection)
        self._open.remove()
        self._linger(connection, now)

    def _linger(self, connection: ClientConnection, now: float) -> None:
        connection.deadline = now + self._limits.closing_linger
        self._closing[connection] = None
        self._selector.register(connection.socket, selectors.EVENT_READ, connection)

    def _finish_closing(self, connection: ClientConnection) -> None:
        del self._closing[connection]
        self._selector.unregister(connection.socket)
        connection.socket.close()

    def _on_retire(self, now: float) -> None:
        self._selector.unregister(self._retirement.signal)
        for connection in list(self._awaiting):
            if self._retirement.may_let_go(connection):
                self._forget(connection)
                self._let_go(connection)
            else:
                self._examine(connection, now)


def _refuse_at_once(client: socket.socket, answer: bytes) -> None:
    """Answer a connection the server cannot hold, and close it without a reset (what the
    client already sent is read and dropped first)."""
    connection = ClientConnection(client, ("", 0), ServerLimits())
    connection.send_at_once(answer)
    connection.drop_input()
    connection.close()


__all__ = [
    "ConnectionKeeper",
    "Dispatch",
    "HeldConnections",
    "OpenConnections",
    "request_ready",
]
