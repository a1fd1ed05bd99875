"""The traced twin of ``App.wsgi_app``, taken only while tracers are attached."""

from __future__ import annotations

import sys
import typing as t

from ..globals import _cv_app, _cv_request
from .record import TraceRecord

if t.TYPE_CHECKING:
    from ..app import App
    from ..ctx import RequestContext


class TracedBody:
    """A streamed body, counted as it is sent; the trace ends when the server closes it."""

    def __init__(
        self, record: TraceRecord, app_iter: t.Iterable[bytes], ctx: RequestContext
    ) -> None:
        self._record = record
        self._app_iter = app_iter
        self._ctx = ctx
        self._size = 0
        self._preview = bytearray()
        self._limit = record._preview_limit

    def __iter__(self) -> t.Iterator[bytes]:
        limit = self._limit
        for chunk in self._app_iter:
            self._size += len(chunk)
            if len(self._preview) < limit:
                self._preview += chunk[: limit - len(self._preview)]
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._app_iter, "close", None)
            if close is not None:
                close()
        finally:
            self._record.body_sent(self._size, bytes(self._preview))
            self._record.finish(self._ctx)


def traced_wsgi_app(
    app: App, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
) -> t.Iterable[bytes]:
    """``App.wsgi_app`` with a :class:`TraceRecord` attached to the request context."""
    record = TraceRecord(app, environ)
    ctx = app.request_context(environ)
    ctx.recorder = record
    error: BaseException | None = None
    app_iter: t.Iterable[bytes] | None = None
    streamed = False
    answered = False  # False in the finally blocks below: an exception is on its way out
    try:
        try:
            ctx.push()
            record.routed(ctx)
            response = app.full_dispatch_request(ctx)
        except Exception as e:
            error = e
            record.unhandled(e)
            response = app.handle_exception(e)
        except BaseException:
            error = sys.exc_info()[1]
            raise
        try:
            app_iter = response(environ, start_response)
        except Exception as e:  # a header Werkzeug cannot send (see App.wsgi_app)
            error = e
            record.unhandled(e)
            response = app.handle_exception(e)
            app_iter = response(environ, start_response)
        streamed = response.is_streamed or response.direct_passthrough
        record.response_ready(ctx, response, streamed)
        answered = True
    finally:
        if "werkzeug.debug.preserve_context" in environ:
            environ["werkzeug.debug.preserve_context"](_cv_app.get())
            environ["werkzeug.debug.preserve_context"](_cv_request.get())
        if error is not None and app.should_ignore_error(error):
            error = None
        try:
            ctx.pop(error)
        except BaseException:  # a teardown function raised
            answered = False
            raise
        finally:
            if not streamed:
                if not answered and not record.has_exception:
                    record.unhandled(t.cast(BaseException, sys.exc_info()[1]))
                record.finish(ctx)
    if streamed:
        return TracedBody(record, app_iter, ctx)
    return app_iter
