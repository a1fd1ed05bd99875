"""Application and request contexts.

A request context is pushed for the duration of one request; it pushes an
application context when none for its app is active. The session is opened
lazily, on first access, so requests that never touch it pay nothing for it.
Both contexts carry the request's :class:`~framework.caller.Caller`, through which
the hooks and teardown functions of the request are called.
"""

from __future__ import annotations

import contextvars
import sys
import typing as t
from functools import update_wrapper
from types import TracebackType
from typing import Self

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as _BaseRequest

from . import signals
from .caller import PLAIN_CALLER, Caller
from .globals import _cv_app, _cv_request

if t.TYPE_CHECKING:
    from werkzeug.routing import MapAdapter

    from .app import App
    from .sessions import SessionMixin
    from .wrappers import Request, Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

_sentinel: t.Any = object()


class _AppCtxGlobals:
    """The ``g`` object: a plain namespace that lives as long as the app context."""

    def __getattr__(self, name: str) -> t.Any:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def get(self, name: str, default: t.Any = None) -> t.Any:
        return self.__dict__.get(name, default)

    def pop(self, name: str, default: t.Any = _sentinel) -> t.Any:
        if default is _sentinel:
            return self.__dict__.pop(name)
        return self.__dict__.pop(name, default)

    def setdefault(self, name: str, default: t.Any = None) -> t.Any:
        return self.__dict__.setdefault(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        ctx = _cv_app.get(None)
        if ctx is not None:
            return f"<framework.g of '{ctx.app.name}'>"
        return object.__repr__(self)


class _PushedContext:
    """``with ctx:`` pushes the context and pops it (with the exception, if any)."""

    def push(self) -> None:
        raise NotImplementedError

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.push()
        return self

    def __exit__(
        self,
        exc_type: type | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.pop(exc_value)


class AppContext(_PushedContext):
    """Binds an app to the current thread or task: ``current_app`` and ``g``."""

    #: Calls the teardown_appcontext functions: the caller of the request that pushed
    #: this context, or the plain one.
    caller: Caller = PLAIN_CALLER

    def __init__(self, app: App) -> None:
        self.app = app
        self.g: _AppCtxGlobals = app.app_ctx_globals_class()
        self._url_adapter: MapAdapter | None = _sentinel
        self._tokens: list[contextvars.Token[AppContext]] = []

    @property
    def url_adapter(self) -> MapAdapter | None:
        """For building URLs outside a request (None unless ``SERVER_NAME`` is set).

        Made by ``app.create_url_adapter(None)`` when first used, where Flask makes it
        with the context: a request that builds no URL outside itself never pays for it.
        """
        if self._url_adapter is _sentinel:
            self._url_adapter = self.app.create_url_adapter(None)
        return self._url_adapter

    @url_adapter.setter
    def url_adapter(self, value: MapAdapter | None) -> None:
        self._url_adapter = value

    def push(self) -> None:
        self._tokens.append(_cv_app.set(self))
        if signals.appcontext_pushed.receivers:
            signals.appcontext_pushed.send(self.app)

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        try:
            if len(self._tokens) == 1:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_appcontext(exc)
        finally:
            ctx = _cv_app.get()
            _cv_app.reset(self._tokens.pop())
        if ctx is not self:
            raise AssertionError(f"Popped wrong app context. ({ctx!r} instead of {self!r})")
        if signals.appcontext_popped.receivers:
            signals.appcontext_popped.send(self.app)


class RequestContext(_PushedContext):
    """Everything that belongs to one request: the request, the session, the flashes."""

    #: Calls the request's hooks, view and error handlers: bound by ``App.wsgi_app``
    #: (a trace recorder when the app has tracers), plain otherwise.
    caller: Caller = PLAIN_CALLER

    def __init__(
        self,
        app: App,
        environ: dict[str, t.Any],
        request: Request | None = None,
        session: SessionMixin | None = None,
    ) -> None:
        self.app = app
        if request is None:
            request = app.request_class(environ)
            request.json_module = app.json
        self.request = request
        self.url_adapter: MapAdapter | None = None
        try:
            self.url_adapter = app.create_url_adapter(request)
        except HTTPException as e:
            request.routing_exception = e
        self.flashes: list[tuple[str, str]] | None = None
        #: The session once opened (None until the request first uses it).
        self._opened_session = session
        self._after_request_functions: list[t.Callable[[Response], Response]] = []
        self._tokens: list[tuple[contextvars.Token[RequestContext], AppContext | None]] = []

    @property
    def session(self) -> SessionMixin:
        """The session, opened from the request's cookie the first time it is used.

        Every use marks it accessed (so the response varies on Cookie), as in Flask.
        """
        session = self._opened_session
        if session is None:
            session = self._session
        session.accessed = True
        return session

    @session.setter
    def session(self, value: SessionMixin) -> None:
        self._opened_session = value

    @property
    def _session(self) -> SessionMixin:
        """The session without marking it accessed (Flask's name), opened on first use."""
        session = self._opened_session
        if session is None:
            interface = self.app.session_interface
            session = interface.open_session(self.app, self.request)
            if session is None:
                session = interface.make_null_session(self.app)
            self._opened_session = session
            self.caller.session_opened(session)
        return session

    @_session.setter
    def _session(self, value: SessionMixin | None) -> None:
        self._opened_session = value

    def copy(self) -> RequestContext:
        """A context for the same request and session (opened now, so both share one
        object), to use in another thread."""
        return self.__class__(
            self.app, self.request.environ, request=self.request, session=self._session
        )

    def match_request(self) -> None:
        """Match the URL: the request's rule and view args, or its routing error."""
        try:
            matched = self.url_adapter.match(return_rule=True)  # type: ignore[union-attr]
        except HTTPException as e:
            self.request.routing_exception = e
        else:
            self.request.url_rule, self.request.view_args = matched  # type: ignore[assignment]

    def push(self) -> None:
        app_ctx = _cv_app.get(None)
        if app_ctx is None or app_ctx.app is not self.app:
            app_ctx = self.app.app_context()
            app_ctx.caller = self.caller
            app_ctx.push()
        else:
            app_ctx = None
        self._tokens.append((_cv_request.set(self), app_ctx))
        if self.url_adapter is not None:
            self.match_request()

    def pop(self, exc: BaseException | None = _sentinel) -> None:
        clear_request = len(self._tokens) == 1
        try:
            if clear_request:
                if exc is _sentinel:
                    exc = sys.exc_info()[1]
                self.app.do_teardown_request(exc)
                request = self.request
                # Request.close() only closes uploaded files; skip it when there are none.
                if "files" in request.__dict__ or type(request).close is not _BaseRequest.close:
                    request.close()
        finally:
            ctx = _cv_request.get()
            token, app_ctx = self._tokens.pop()
            _cv_request.reset(token)
            if clear_request:
                ctx.request.environ["werkzeug.request"] = None
            if app_ctx is not None:
                app_ctx.pop(exc)
            if ctx is not self:
                raise AssertionError(f"Popped wrong request context. ({ctx!r} instead of {self!r})")

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.request.url!r}"
            f" [{self.request.method}] of {self.app.name}>"
        )


def after_this_request(f: F) -> F:
    """Run ``f(response)`` after this request, before the app's after_request hooks."""
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'after_this_request' can only be used when a request"
            " context is active, such as in a view function."
        )
    ctx._after_request_functions.append(f)
    return f


def copy_current_request_context(f: F) -> F:
    """Decorate ``f`` so it runs in a copy of the current request context.

    Useful for a thread started from a view: the thread sees the same request
    and session.
    """
    ctx = _cv_request.get(None)
    if ctx is None:
        raise RuntimeError(
            "'copy_current_request_context' can only be used when a"
            " request context is active, such as in a view function."
        )
    ctx = ctx.copy()

    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        with ctx:
            return ctx.app.ensure_sync(f)(*args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def has_request_context() -> bool:
    return _cv_request.get(None) is not None


def has_app_context() -> bool:
    return _cv_app.get(None) is not None
