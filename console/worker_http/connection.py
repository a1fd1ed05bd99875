"""One client connection: its socket, the parser of what it sent, and non-blocking I/O on it.

The socket stays non-blocking for its whole life, whichever thread holds it: the keeper
reads it only when the selector says it is readable, and a request's thread tries first and
waits (``poll``) only when the socket has nothing yet — the common case costs one system
call, not a wait and a call.
"""

from __future__ import annotations

import select
import socket

from console.worker_http.limits import ServerLimits
from console.worker_http.parser import RequestParser

READ_SIZE = 65536


class ClientGone(Exception):
    """The client closed or reset the connection, or stopped reading the response."""


class ClientConnection:
    """A client's socket and what has been read from it."""

    __slots__ = ("socket", "client_address", "parser", "deadline")

    def __init__(
        self, client: socket.socket, client_address: tuple[str, int], limits: ServerLimits
    ) -> None:
        client.setblocking(False)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.socket = client
        self.client_address = client_address
        self.parser = RequestParser(limits)
        #: When whoever holds the connection stops waiting for it (a monotonic time).
        self.deadline = 0.0

    def fileno(self) -> int:
        return self.socket.fileno()

    def receive(self) -> None:
        """Parse what has arrived, without waiting; a reset counts as the client's end."""
        try:
            data = self.socket.recv(READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self.parser.feed(data)

    def receive_waiting(self, timeout: float) -> None:
        """Parse what arrives next; TimeoutError when nothing came within ``timeout``."""
        try:
            data = self.socket.recv(READ_SIZE)
        except BlockingIOError:
            if not wait_for(self.socket, select.POLLIN, timeout):
                raise TimeoutError(f"nothing arrived within {timeout:g} s") from None
            self.receive()
            return
        except OSError:
            data = b""
        self.parser.feed(data)

    def wait_for_input(self, timeout: float, *others: int) -> set[int]:
        """Wait until the client sends something or one of ``others`` (descriptors) turns
        readable, at most ``timeout`` seconds; the descriptors ready (this socket's too)."""
        poller = select.poll()
        poller.register(self.socket, select.POLLIN)
        for descriptor in others:
            poller.register(descriptor, select.POLLIN)
        return {descriptor for descriptor, _events in poller.poll(timeout * 1000)}

    def send(self, data: bytes, timeout: float) -> None:
        """Send all of ``data``.

        Raises:
            ClientGone: the client is gone, or took nothing for ``timeout`` seconds.
        """
        try:
            sent = self.socket.send(data)
        except BlockingIOError:
            sent = 0
        except OSError as error:
            raise ClientGone(str(error)) from error
        if sent == len(data):
            return
        rest = memoryview(data)[sent:]
        while rest:
            if not wait_for(self.socket, select.POLLOUT, timeout):
                raise ClientGone(f"the client read nothing for {timeout:g} s")
            try:
                rest = rest[self.socket.send(rest) :]
            except BlockingIOError:
                continue
            except OSError as error:
                raise ClientGone(str(error)) from error

    def send_at_once(self, data: bytes) -> None:
        """Send what the socket takes now (a short answer before closing); drop the rest."""
        try:
            self.socket.send(data)
        except OSError:
            pass

    def drop_input(self) -> bool:
        """Read and drop what has arrived; False once the client has closed its side."""
        try:
            return bool(self.socket.recv(READ_SIZE))
        except BlockingIOError:
            return True
        except OSError:
            return False

    def shut_writing(self) -> None:
        """Tell the client nothing more is coming (it reads what was sent, then the end)."""
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        self.shut_writing()
        self.socket.close()

    def release(self) -> None:
        """Close this process's descriptor only: the connection lives on in another process
        (a shutdown would end it there too)."""
        self.socket.close()


def wait_for(client: socket.socket, events: int, timeout: float | None) -> bool:
    """Wait until ``client`` is ready for ``events`` (``select.POLLIN``...); False on
    timeout (None: no timeout)."""
    poller = select.poll()
    poller.register(client, events)
    return bool(poller.poll(None if timeout is None else timeout * 1000))


__all__ = ["READ_SIZE", "ClientConnection", "ClientGone", "wait_for"]
