"""The worker's one use of its HTTP server (console/worker_http/): serve an app on the
listening socket the supervisor sent, and warm the server up in a spare.

The rest of the worker talks to the server through what it returns: ``serve_forever``,
``shutdown`` (stop accepting), ``retire`` (let go of kept-alive connections), ``adopt`` (take
one handed over), ``wait_idle`` and ``socket``.
"""

from __future__ import annotations

import socket
from typing import Any

HOST = "127.0.0.1"


def server_on(app: Any, listen_fd: int) -> Any:
    """A keep-alive server for ``app`` on a duplicate of the listening socket ``listen_fd``."""
    from console.worker_http import WorkerHTTPServer

    return WorkerHTTPServer(HOST, 0, app, fd=listen_fd)


def warm_up() -> None:
    """Import what every app needs, so a ``load`` pays only for the app's own modules.

    Beyond imports, one request is served end to end by a throwaway app on a throwaway
    socket: the server and the framework import more on first use.
    """
    import jinja2  # noqa: F401

    import console.targets  # noqa: F401
    from framework import App

    warmup = App("hookscope_warmup")
    warmup.add_url_rule("/", "index", lambda: "warm")
    if hasattr(warmup, "add_tracer"):
        warmup.add_tracer(lambda trace: None)
    with socket.create_server((HOST, 0)) as listener:
        server = server_on(warmup, listener.fileno())
        client = socket.create_connection(listener.getsockname(), timeout=5)
        try:
            client.sendall(b"GET / HTTP/1.0\r\nHost: warmup\r\n\r\n")
            server.handle_request()
            while client.recv(65536):
                pass
        finally:
            client.close()
            server.server_close()
            server.close_retire_signal()


__all__ = ["HOST", "server_on", "warm_up"]
