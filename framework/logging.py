"""``app.logger``: a logger named after the app that writes to the request's error stream."""

from __future__ import annotations

import logging
import sys
import typing as t

from .globals import _cv_request

if t.TYPE_CHECKING:
    from .app import App


class WSGIErrorsStream:
    """Writes to ``wsgi.errors`` of the current request, or to stderr outside one."""

    @property
    def stream(self) -> t.TextIO:
        ctx = _cv_request.get(None)
        if ctx is not None:
            return t.cast(t.TextIO, ctx.request.environ["wsgi.errors"])
        return sys.stderr

    def write(self, text: str) -> int:
        return self.stream.write(text)

    def flush(self) -> None:
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()


class DefaultHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler the framework adds; recognised so it is never added twice."""

    def __init__(self) -> None:
        super().__init__(WSGIErrorsStream())
        self.setFormatter(
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
    if not has_level_handler(logger) and not any(
        isinstance(h, DefaultHandler) for h in logger.handlers
    ):
        logger.addHandler(DefaultHandler())
    return logger
