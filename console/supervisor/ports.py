"""Binding each app's port once, on loopback, for every worker it will ever have."""

from __future__ import annotations

import errno
import socket

HOST = "127.0.0.1"
MAX_PORT = 65_535
#: Connections the kernel holds while no worker accepts (start-up, a reload's handoff, a busy
#: worker). Past it, a client's SYN is dropped and retried a second later, so keep it well
#: above the connections a load test opens at once (the kernel caps it at somaxconn).
LISTEN_BACKLOG = 1024


class PortError(Exception):
    """A port could not be bound; the message is one line for the user."""


def bind(port: int, next_free_port: bool) -> socket.socket:
    """A non-blocking loopback listening socket on ``port`` (0: any free port).

    Raises:
        PortError: the port is taken (and ``next_free_port`` is off, or none of the next
            hundred is free), or cannot be bound.
    """
    attempts = 100 if next_free_port and port else 1
    stop = min(port + attempts, MAX_PORT + 1)
    for candidate in range(port, stop):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((HOST, candidate))
        except OSError as error:
            listener.close()
            if error.errno == errno.EADDRINUSE and next_free_port:
                continue
            if error.errno == errno.EADDRINUSE:
                raise PortError(
                    f"port {candidate} on {HOST} is already in use; choose another with "
                    "--port, or leave --port out to use free ports"
                ) from None
            raise PortError(f"cannot listen on {HOST}:{candidate}: {error.strerror}") from None
        listener.listen(LISTEN_BACKLOG)
        listener.setblocking(False)
        return listener
    raise PortError(f"no free port on {HOST} from {port} to {stop - 1}")


__all__ = ["HOST", "LISTEN_BACKLOG", "MAX_PORT", "PortError", "bind"]
