"""One exchange on a connection: a request's environ, the app's call, the response, and
what the app left of the request body skipped so that the next request starts clean."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from console.worker_http.body import RequestBody
from console.worker_http.connection import ClientConnection, ClientGone
from console.worker_http.environ import build_environ
from console.worker_http.limits import ServerLimits
from console.worker_http.parser import RequestHead
from console.worker_http.response import ResponseWriter, error_response

#: Errors of the server itself and of apps that raise past their framework.
logger = logging.getLogger("hookscope.http")


@dataclass(frozen=True)
class ExchangeSettings:
    """What every exchange of one server shares.

    Attributes:
        app: the WSGI app.
        server_address: the listening socket's (host, port).
        limits: the server's limits.
        closing: whether the server is letting go of its connections (so the response
            closes this one).
        date: gives the ``Date`` header value.
    """

    app: Callable[..., Any]
    server_address: tuple[str, int]
    limits: ServerLimits
    closing: Callable[[], bool]
    date: Callable[[], str]


def exchange(connection: ClientConnection, head: RequestHead, settings: ExchangeSettings) -> bool:
    """Answer ``head`` with the app; True when the connection can carry another request."""
    limits = settings.limits
    body = RequestBody(connection, head, limits.transfer_timeout)
    environ = build_environ(head, body, settings.server_address, connection.client_address)
    response = ResponseWriter(
        connection,
        head,
        body,
        transfer_timeout=limits.transfer_timeout,
        max_unread_body=limits.max_unread_body,
        closing=settings.closing,
        date=settings.date,
    )
    try:
        response.run(settings.app, environ)
    except ClientGone:
        return False
    except Exception as error:
        logger.error("Error on request %s %s", head.method, environ["REQUEST_URI"], exc_info=error)
        if not response.headers_sent:
            reason = f"the app raised {type(error).__name__}; its traceback is in the log"
            try:
                connection.send(error_response(500, reason, settings.date()), 1.0)
            except ClientGone:
                pass
        return False
    if not (response.complete and response.keep_alive) or body.failed:
        return False
    return body.skip_rest(limits.max_unread_body)


__all__ = ["ExchangeSettings", "exchange", "logger"]
