"""``app.logger``: a logger named after the app that writes to the request's error stream."""

from __future__ import annotations

import logging
import sys
import typing as t

from .globals import _cv_request
from .proxies import function_proxy

if t.TYPE_CHECKING:
    from .app import App


def _current_errors_stream() -> t.TextIO:
    ctx = _cv_request.get(None)
    if ctx is not None:
        return t.cast(t.TextIO, ctx.request.environ["wsgi.errors"])
    return sys.stderr


#: Flask's documented names, kept so its logging recipes work unchanged:
#: ``app.logger.removeHandler(default_handler)`` and, in ``dictConfig``,
#: ``"stream": "ext://framework.logging.wsgi_errors_stream"``. Neither holds state of
#: its own: the stream is a proxy for the current request's ``wsgi.errors`` (``sys.stderr``
#: outside a request), looked up each time it is used.
wsgi_errors_stream: t.TextIO = function_proxy(
    "WSGIErrorsStreamProxy",
    _current_errors_stream,
    "Stands for the current request's ``wsgi.errors`` stream, or ``sys.stderr``.",
)
default_handler = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(
    logging.Formatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
)


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether some handler on the logger's path would emit its records."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


def create_logger(app: App) -> logging.Logger:
    """The app's logger; DEBUG level in debug mode; a stream handler only if none would log."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
