"""Retiring a server: letting go of its kept-alive connections without failing a request.

When a worker retires (a reload, or the console closing):

* with a successor (a reload), every kept-alive connection is *handed over*: the socket
  itself travels to the new worker, idle ones at once and busy ones right after their
  current response. Whatever the client sends meanwhile waits in the kernel's buffer and is
  read by the new worker, so the client never notices the switch. A connection from which
  this process already read part of a request keeps it until that request is answered:
  bytes read here cannot travel with the socket;
* without one (the console closing, or its supervisor gone), idle connections are closed,
  a request already waiting is still answered, and every response says
  ``Connection: close``.

Either way no request is cut, and the old worker is left with nothing but the requests it
was already running, so it still exits promptly.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from console.worker_http.connection import ClientConnection

#: Takes a kept-alive connection, idle between two requests, away to another worker; the
#: socket is closed here once it returns, so it keeps a duplicate of what it needs.
ConnectionTaker = Callable[[socket.socket], None]


class Retirement:
    """Whether the server retires, and where its connections go when it does."""

    def __init__(self) -> None:
        self._signal, self._trigger = os.pipe()
        self.retiring = False
        self.hand_off: ConnectionTaker | None = None

    @property
    def signal(self) -> int:
        """A descriptor that turns readable, and stays so, once the server retires."""
        return self._signal

    @property
    def closes_connections(self) -> bool:
        """Retiring without a successor: every response closes its connection."""
        return self.retiring and self.hand_off is None

    def retire(self, hand_off: ConnectionTaker | None) -> None:
        self.hand_off = hand_off
        self.retiring = True
        os.write(self._trigger, b"!")

    def may_let_go(self, connection: ClientConnection) -> bool:
        """Whether the server retires and ``connection`` holds no request to answer here.

        Without a successor, what the client already sent is read first: a request sent
        before the client could know is still answered (its answer closes the connection).
        """
        if not self.retiring:
            return False
        if self.hand_off is None:
            connection.receive()
        return connection.parser.holds_nothing

    def let_go(self, connection: ClientConnection) -> None:
        """Hand ``connection`` over to the successor, or close it when there is none.

        Only for a connection holding no byte of an unanswered request (see the module's
        docstring).
        """
        hand_off = self.hand_off
        if hand_off is None:
            connection.close()
            return
        try:
            hand_off(connection.socket)
        finally:
            connection.release()

    def close(self) -> None:
        """Release the signal's pipe, once nothing can wait on it any more."""
        os.close(self._signal)
        os.close(self._trigger)


__all__ = ["ConnectionTaker", "Retirement"]
