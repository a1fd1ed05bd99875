"""The worker's HTTP server: the keeper, the request threads and the retirement, together.

A connection's life: accepted by the keeper, which reads its request; given to a request
thread, which runs the app and answers; back to the keeper to wait for the next request —
or, once the server retires, handed over to the successor or closed (see ``handoff``).
"""

from __future__ import annotations

import dataclasses
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from console.worker_http.connection import ClientConnection, wait_for
from console.worker_http.exchange import ExchangeSettings, exchange, logger
from console.worker_http.handoff import ConnectionTaker, Retirement
from console.worker_http.keeper import (
    ConnectionKeeper,
    HeldConnections,
    OpenConnections,
    request_ready,
)
from console.worker_http.limits import ServerLimits
from console.worker_http.parser import RequestHead
from console.worker_http.response import HttpDate
from console.worker_http.threads import RequestThreads

#: Seconds a request thread waits on its connection for the next request before it gives
#: the connection back to the keeper (see ``_next_request_arrived``).
NEXT_REQUEST_WAIT = 0.05


class WorkerHTTPServer:
    """Serves a WSGI app over HTTP/1.1 with keep-alive on a listening socket.

    Args:
        host: the address to listen on, when no ``fd`` is given.
        port: the port to listen on (0: any free one), when no ``fd`` is given.
        app: the WSGI app.
        fd: a listening socket to serve instead (it is duplicated: the caller may close
            its descriptor).
        limits: what a client may take of the server.
    """

    def __init__(
        self,
        host: str,
        port: int,
        app: Callable[..., Any],
        *,
        fd: int | None = None,
        limits: ServerLimits | None = None,
    ) -> None:
        if fd is None:
            self.socket = socket.create_server((host, port))
        else:
            self.socket = socket.fromfd(fd, socket.AF_INET, socket.SOCK_STREAM)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self.server_port = self.server_address[1]
        self.limits = limits or ServerLimits()
        self._retirement = Retirement()
        self._open = OpenConnections()
        date = HttpDate()
        self._settings = ExchangeSettings(
            app=app,
            server_address=self.server_address,
            limits=self.limits,
            closing=lambda: self._retirement.closes_connections,
            date=date,
        )
        self._threads = RequestThreads(self.limits.max_threads, "http-request", logger)
        self._keeper = ConnectionKeeper(
            limits=self.limits,
            retirement=self._retirement,
            open_connections=self._open,
            dispatch=self._dispatch,
            date=date,
            logger=logger,
        )
        self._serving = threading.Lock()
        self._shut_down = threading.Event()

    @property
    def app(self) -> Callable[..., Any]:
        return self._settings.app

    @app.setter
    def app(self, app: Callable[..., Any]) -> None:
        self._settings = dataclasses.replace(self._settings, app=app)

    @property
    def open_connections(self) -> int:
        """Connections held now: waiting for a request or running one."""
        return self._open.count

    def held_connections(self) -> HeldConnections:
        """The connections waiting between requests, by state (see ``keeper``)."""
        return self._keeper.held()

    @property
    def request_threads(self) -> int:
        """Threads alive to run requests (they end after a while without work)."""
        return self._threads.count

    # --- serving --------------------------------------------------------------------------

    def serve_forever(self) -> None:
        """Accept connections until :meth:`shutdown`."""
        with self._serving:
            if self._shut_down.is_set():
                return
            self._keeper.accept_from(self.socket)
        self._shut_down.wait()

    def shutdown(self) -> None:
        """Stop accepting connections; returns once none can be accepted here any more.

        (Connections already open are served on; :meth:`retire` lets go of them.)
        """
        with self._serving:
            self._shut_down.set()
            self._keeper.stop_accepting()

    def handle_request(self) -> None:
        """Accept one connection and return once it is answered and closed."""
        wait_for(self.socket, select.POLLIN, None)
        client, _address = self.socket.accept()
        self.adopt(client)
        self._open.wait_until_none(self.limits.header_timeout)

    def server_close(self) -> None:
        """Close the listening socket and every connection waiting for a request."""
        self._keeper.stop()
        self._threads.close()
        self.socket.close()

    # --- retiring -------------------------------------------------------------------------

    @property
    def retire_signal(self) -> int:
        """A descriptor that turns readable, and stays so, once the server retires."""
        return self._retirement.signal

    def retire(self, hand_off: ConnectionTaker | None) -> None:
        """Let go of every kept-alive connection: to ``hand_off``, or closed when it is None."""
        self._retirement.retire(hand_off)

    def adopt(self, connection: socket.socket) -> None:
        """Serve a connection another worker handed over, as if it had just been accepted."""
        try:
            address = connection.getpeername()
        except OSError:
            connection.close()
            return
        self._keeper.welcome(ClientConnection(connection, address, self.limits))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every connection is closed or handed over; False on timeout."""
        return self._open.wait_until_none(timeout)

    def close_retire_signal(self) -> None:
        """Release the retire signal's pipe, once no connection can wait on it any more."""
        self._retirement.close()

    # --- a request thread's work ----------------------------------------------------------

    def _dispatch(self, connection: ClientConnection) -> None:
        self._threads.submit(lambda: self._serve(connection))

    def _serve(self, connection: ClientConnection) -> None:
        """Answer the requests that have arrived on ``connection``, then let it go on."""
        try:
            keep = self._answer_arrived_requests(connection)
        except BaseException:
            connection.close()
            self._open.remove()
            raise
        if not keep:
            connection.shut_writing()
            self._open.remove()
            self._keeper.linger(connection)
        elif self._retirement.may_let_go(connection):
            try:
                self._retirement.let_go(connection)
            finally:
                self._open.remove()
        else:
            self._keeper.take_back(connection)

    def _answer_arrived_requests(self, connection: ClientConnection) -> bool:
        """Answer requests as long as they arrive; False when the connection must close."""
        parser = connection.parser
        while True:
            head = parser.take()
            assert isinstance(head, RequestHead)  # the keeper gives only such connections
            if not exchange(connection, head, self._settings):
                return False
            if not self._next_request_arrived(connection):
                return True

    def _next_request_arrived(self, connection: ClientConnection) -> bool:
        """Whether the next request is here to be answered on this thread."""
        parser = connection.parser
        if self._retirement.retiring:
            if self._retirement.may_let_go(connection):
                return False
        elif parser.holds_nothing:
            if not self._wait_for_next_request(connection):
                return False
            connection.receive()
        following = parser.first()
        return isinstance(following, RequestHead) and request_ready(following, self.limits)

    def _wait_for_next_request(self, connection: ClientConnection) -> bool:
        """Wait a moment for the client's next request; False if it did not come, or a job
        needs this thread, or the server retires.

        A client that just had its answer usually sends its next request at once; waiting
        for it here costs less than the round through the keeper.
        """
        threads, retirement = self._threads, self._retirement
        if threads.jobs_waiting:
            return False
        deadline = time.monotonic() + NEXT_REQUEST_WAIT
        with threads.standing_by():
            while (left := deadline - time.monotonic()) > 0:
                ready = connection.wait_for_input(left, threads.backlog_signal, retirement.signal)
                if retirement.signal in ready:
                    return False
                if threads.backlog_signal in ready and threads.claim_job():
                    return False
                if connection.fileno() in ready:
                    return True
        return False
