"""The one place that fills a ``framework.tracing.TraceRecord`` from outside the framework.

A Flask app (or a bare WSGI callable) gets the framework's trace format and builder: this
module turns what the instrumentation sees (Flask's hooks and signals, a WSGI exchange) into
the calls a framework request makes on its record. Nothing else in console.instrument knows
the record; what the record reads of an app or a request context is given to it here, by
duck typing (``AppView``, ``ContextView``), so no framework class is needed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request

from framework.tracing import TraceRecord, TracerRegistry
from framework.tracing.describe import plain_session


class DecoratorAwareTracerRegistry(TracerRegistry):
    """The framework's registry, naming a step after the decorators that wrap its function:
    a view behind Flask-Login's ``@login_required`` is the step ``login_required(private)``,
    so a redirect it answers with is laid at the decorator's door, not the view's."""

    def __init__(self) -> None:
        super().__init__()
        self._decorated: dict[Any, tuple[str, str | None, int | None]] = {}

    def source_of(self, func: Any) -> tuple[str, str | None, int | None]:
        try:
            return self._decorated[func]
        except (KeyError, TypeError):
            pass
        name, file, line = super().source_of(func)
        for decorator in reversed(decorators_of(func)):
            name = f"{decorator}({name})"
        with contextlib.suppress(TypeError):
            self._decorated[func] = (name, file, line)
        return name, file, line


def decorators_of(function: Any) -> list[str]:
    """The decorators around ``function``, outermost first: each layer that kept the
    function's name with ``functools.wraps`` is named by the function that made it."""
    names: list[str] = []
    seen: set[int] = set()
    while id(function) not in seen:
        seen.add(id(function))
        inner = getattr(function, "__wrapped__", None)
        if inner is None:
            break
        code = getattr(function, "__code__", None)
        if code is not None:
            names.append(code.co_qualname.partition(".<locals>")[0])
        function = inner
    return names


class AppView:
    """What a TraceRecord reads as its app: the tracers here, everything else (the name,
    the session interface, the config, the logger) from the instrumented app itself."""

    def __init__(self, app: Any, tracers: TracerRegistry) -> None:
        self._app = app
        self.tracers = tracers

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)


class ContextView:
    """What a TraceRecord reads of a request context: the request, and the flashes it took
    from the session (None if it took none). One per request, filled in as it goes."""

    def __init__(self) -> None:
        self.request: Any = None
        self.flashes: Any = None


class PlainResponse:
    """A WSGI response as its status line and headers, for a record's response part."""

    def __init__(self, status: str, headers: list[tuple[str, str]]) -> None:
        code = status.partition(" ")[0]
        self.status_code = int(code) if code.isdigit() else 0
        self.headers = Headers(headers)
        self.response = None


class RequestWriter:
    """Fills the record of one request as the instrumented app reports what it does."""

    def __init__(self, app: Any, environ: dict[str, Any]) -> None:
        # Typed loosely: the record is given duck-typed contexts and responses (above).
        self.record: Any = TraceRecord(app, environ)
        #: ``step(kind, blueprint, function, call, *args)``: call ``call`` (which runs
        #: ``function``) and record it as a step; the record's own method, for speed.
        self.step: Callable[..., Any] = self.record.call
        self.preview_limit: int = app.tracers.body_preview_limit
        self._environ = environ
        self._context = ContextView()
        self._session: Any = None
        self._session_before: dict[str, Any] | None = None
        self._has_exception = False
        self._streamed = False

    # -- what the app reports, in the order it happens ---------------------------------

    def routed(self, request: Any) -> None:
        """The request was matched against the url_map (Flask did it while pushing it)."""
        self._context.request = request
        self.record.routed(self._context)

    def session_opened(self, session: Any, is_null: bool) -> None:
        """The request's session as opened, before any hook ran; it counts as used only if
        the request reads or writes it (see :meth:`responded`), as a framework request
        opens its session on first use."""
        self._session = session
        self._session_before = None if is_null else plain_session(session)

    def template_rendered(self, name: str | None, start: float) -> None:
        self.record.template_rendered(name, start)

    def unhandled(self, error: BaseException) -> None:
        self._has_exception = True
        self.record.unhandled(error)

    def responded(self, response: Any, flashes: Any) -> None:
        """The app's response is final (after_request hooks ran, the session was saved);
        ``flashes`` are the messages the request took from the session, or None."""
        session = self._session
        used = session is not None and (
            getattr(session, "accessed", True) or getattr(session, "modified", True)
        )
        if used:
            self.record.session_opened(session, content_before=self._session_before)
        self._streamed = bool(response.is_streamed or response.direct_passthrough)
        context = self._context
        context.flashes = flashes
        self.record.response_ready(context, response, self._streamed)

    def wsgi_responded(self, status: str, headers: list[tuple[str, str]]) -> None:
        """A bare WSGI app called ``start_response``; its body is counted as it is sent."""
        self.record.response_ready(self._context, PlainResponse(status, headers), True)

    def escaped(self, error: BaseException) -> None:
        """An exception left the app (an unhandled error it propagates, a teardown that
        raised): it is the trace's exception unless one was recorded, and the trace ends."""
        if not self._has_exception:
            self.unhandled(error)
        self.finish()

    def body(self, app_iter: Iterable[bytes]) -> Iterable[bytes]:
        """The response body to hand to the server; the trace ends now, or when a body sent
        as it is produced has been sent."""
        if self._streamed:
            return CountedBody(app_iter, self)
        self.finish()
        return app_iter

    def finish(self) -> None:
        if self._context.request is None:  # never routed: a bare WSGI app, or Flask failed
            self._context.request = Request(self._environ)  # before its first hook
        self.record.finish(self._context)


class CountedBody:
    """A response body counted as the server sends it; the trace ends when it is closed."""

    def __init__(self, app_iter: Iterable[bytes], writer: RequestWriter) -> None:
        self._app_iter = app_iter
        self._writer = writer
        self._size = 0
        self._preview = bytearray()
        self._limit = writer.preview_limit

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._app_iter:
            self._size += len(chunk)
            if len(self._preview) < self._limit:
                self._preview += chunk[: self._limit - len(self._preview)]
            yield chunk

    def close(self) -> None:
        try:
            close: Callable[[], object] | None = getattr(self._app_iter, "close", None)
            if close is not None:
                close()
        finally:
            self._writer.record.body_sent(self._size, bytes(self._preview))
            self._writer.finish()
