"""A WSGI callable that is no app of either kind, served and traced by the console.

Werkzeug's ``@Request.application`` function or a hand-written ``(environ,
start_response)`` function has no routes and no hooks, so its traces hold the request and
the response and no steps. :class:`PlainWSGIApp` also answers what the worker asks of an
app (name, import name, root path, an empty url_map), so it is served like any other.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from werkzeug.routing import Map

from console.instrument.record import CountedBody, RequestWriter
from framework.tracing import TracerRegistry

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


class PlainWSGIApp:
    """``wsgi`` served as it is, each request traced while tracers listen."""

    def __init__(self, wsgi: WSGIApplication) -> None:
        self.wsgi = wsgi
        self.import_name: str = getattr(wsgi, "__module__", None) or "__main__"
        self.name: str = getattr(wsgi, "__name__", None) or type(wsgi).__name__
        module_file = getattr(sys.modules.get(self.import_name), "__file__", None)
        self.root_path = (
            os.path.dirname(os.path.abspath(module_file)) if module_file else os.getcwd()
        )
        self.instance_path = os.path.join(self.root_path, "instance")
        self.url_map = Map()
        self.view_functions: dict[str, Any] = {}
        self.blueprints: dict[str, Any] = {}
        self.logger = logging.getLogger(self.import_name)
        self.tracers = TracerRegistry()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self.tracers.active:
            return self.wsgi(environ, start_response)
        writer = RequestWriter(self, environ)

        def reporting_start_response(
            status: str, headers: list[tuple[str, str]], *exc_info: Any
        ) -> Any:
            writer.wsgi_responded(status, headers)
            return start_response(status, headers, *exc_info)

        try:
            body = self.wsgi(environ, cast("StartResponse", reporting_start_response))
        except BaseException as error:
            writer.escaped(error)
            raise
        return CountedBody(body, writer)  # start_response may come with the first chunk
