"""The request lifecycle: from the WSGI call through hooks and view to the response and
teardown, with Flask's overridable methods and their signatures.

Each method finds the request the way Flask does, in the context variable, so a
subclass written for Flask overrides it unchanged; and each is called on every request
(none is skipped as a shortcut). User code is called through the request's
:class:`~framework.caller.Caller`, so a traced request runs this same code.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing as t

from . import signals
from .caller import PLAIN_CALLER, StepKind
from .globals import _cv_app, _cv_request
from .responses import check_header_values
from .routing import describe_function
from .scaffold import innermost_first, outermost_first
from .tracing import TraceRecord

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule

    from .config import Config
    from .ctx import AppContext, RequestContext
    from .sessions import SessionInterface
    from .tracing import TracerRegistry
    from .wrappers import Request, Response

WSGIEnvironment = dict[str, t.Any]
StartResponse = t.Callable[..., t.Any]

_sentinel: t.Any = object()

# Enum members are slow to look up in Python 3.11; the hook loops use these.
_URL_VALUE_PREPROCESSOR = StepKind.URL_VALUE_PREPROCESSOR
_BEFORE_REQUEST = StepKind.BEFORE_REQUEST
_AFTER_REQUEST = StepKind.AFTER_REQUEST
_TEARDOWN_REQUEST = StepKind.TEARDOWN_REQUEST
_TEARDOWN_APPCONTEXT = StepKind.TEARDOWN_APPCONTEXT


class Dispatch:
    """The App's dispatch half: the WSGI entry point, the hook pipeline and teardown."""

    if t.TYPE_CHECKING:
        config: Config
        tracers: TracerRegistry
        session_interface: SessionInterface
        view_functions: dict[str, t.Callable[..., t.Any]]
        before_request_funcs: dict[str | None, list[t.Callable[[], t.Any]]]
        after_request_funcs: dict[str | None, list[t.Callable[[Response], Response]]]
        teardown_request_funcs: dict[str | None, list[t.Callable[[BaseException | None], None]]]
        teardown_appcontext_funcs: list[t.Callable[[BaseException | None], None]]
        url_value_preprocessors: dict[
            str | None, list[t.Callable[[str | None, dict[str, t.Any] | None], None]]
        ]
        _got_first_request: bool

        def request_context(self, environ: WSGIEnvironment) -> RequestContext: ...
        def make_response(self, rv: t.Any) -> Response: ...
        def make_default_options_response(self) -> Response: ...
        def raise_routing_exception(self, request: Request) -> t.NoReturn: ...
        def handle_user_exception(self, e: Exception) -> t.Any: ...
        def handle_exception(self, e: Exception) -> Response: ...
        def should_ignore_error(self, error: BaseException | None) -> bool: ...

        @property
        def logger(self) -> t.Any: ...

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """The WSGI application; wrap this attribute (not the app) with middleware.

        The request's caller is bound here, once: a :class:`~framework.tracing.TraceRecord`
        while tracers are attached, the plain caller otherwise.
        """
        caller = TraceRecord(self, environ) if self.tracers.active else PLAIN_CALLER  # type: ignore[arg-type]
        ctx = self.request_context(environ)
        ctx.caller = caller
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                caller.routed(ctx)
                response = self.full_dispatch_request()
            except Exception as e:
                error = e
                caller.unhandled(e)
                response = self.handle_exception(e)
            except:  # noqa: E722
                error = sys.exc_info()[1]
                caller.unhandled(t.cast(BaseException, error))
                raise
            try:
                body = response(environ, start_response)
            except Exception as e:
                # Werkzeug gives some headers (Location) their wire form only now; one
                # it cannot convert is the app's error, logged and answered like others.
                error = e
                caller.unhandled(e)
                response = self.handle_exception(e)
                body = response(environ, start_response)
            return caller.sending(ctx, response, body)
        finally:
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and self.should_ignore_error(error):
                error = None
            try:
                ctx.pop(error)
            except BaseException as e:  # a teardown function raised
                caller.unhandled(e)
                raise
            finally:
                caller.popped(ctx)

    def full_dispatch_request(self) -> Response:
        """Hooks, view and error handling for the current request, up to the response."""
        self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self, _async_wrapper=self.ensure_sync)
            rv = self.preprocess_request()
            if rv is None:
                rv = self.dispatch_request()
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv)

    def preprocess_request(self) -> t.Any:
        """Run url_value_preprocessors, then before_request hooks until one returns a value
        (the app's first, then each blueprint's from the outermost in)."""
        if not self.url_value_preprocessors and not self.before_request_funcs:
            return None
        ctx = _cv_request.get()
        request = ctx.request
        caller = ctx.caller
        names = outermost_first(request)
        if self.url_value_preprocessors:
            for name in names:
                for preprocessor in self.url_value_preprocessors.get(name, ()):
                    caller.call(
                        _URL_VALUE_PREPROCESSOR,
                        name,
                        preprocessor,
                        preprocessor,
                        request.endpoint,
                        request.view_args,
                    )
        if self.before_request_funcs:
            for name in names:
                for func in self.before_request_funcs.get(name, ()):
                    rv = caller.call(_BEFORE_REQUEST, name, func, self.ensure_sync(func))
                    if rv is not None:
                        return rv
        return None

    def dispatch_request(self) -> t.Any:
        """Call the view of the matched rule (or raise the routing error)."""
        ctx = _cv_request.get()
        request = ctx.request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule: Rule = request.url_rule  # type: ignore[assignment]
        if getattr(rule, "provide_automatic_options", False) and request.method == "OPTIONS":
            return self.make_default_options_response()
        view = self.view_functions[rule.endpoint]
        return ctx.caller.call_view(view, self.ensure_sync(view), request.view_args)  # type: ignore[arg-type]

    def finalize_request(self, rv: t.Any, from_error_handler: bool = False) -> Response:
        """Make a response of ``rv`` and run the after_request hooks on it.

        With ``from_error_handler`` (the 500 of last resort), an error while doing so is
        logged and the response returned anyway.
        """
        response = self.make_response(rv)
        try:
            response = self.process_response(response)
            if signals.request_finished.receivers:
                signals.request_finished.send(
                    self, _async_wrapper=self.ensure_sync, response=response
                )
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def process_response(self, response: Response) -> Response:
        """after_this_request functions, then after_request hooks (innermost blueprint
        first, each list in reverse), then the session is saved."""
        ctx = _cv_request.get()
        caller = ctx.caller
        for func in ctx._after_request_functions:
            response = caller.call(_AFTER_REQUEST, None, func, self.ensure_sync(func), response)
            if response is None:
                raise _after_request_returned_none(func)
        if self.after_request_funcs:
            for name in innermost_first(ctx.request):
                for func in reversed(self.after_request_funcs.get(name, ())):
                    response = caller.call(
                        _AFTER_REQUEST, name, func, self.ensure_sync(func), response
                    )
                    if response is None:
                        raise _after_request_returned_none(func)
        self._save_session(ctx, response)
        check_header_values(response)
        return response

    def _save_session(self, ctx: RequestContext, response: Response) -> None:
        interface = self.session_interface
        session = ctx._opened_session
        if session is None:
            # The session is opened lazily. One nobody touched still needs saving when
            # the browser holds a permanent session that is refreshed on each request.
            # (A look at the raw header first: parsing cookies costs more than the rest.)
            if "HTTP_COOKIE" not in ctx.request.environ or not (
                self.config["SESSION_REFRESH_EACH_REQUEST"]
                and interface.get_cookie_name(self) in ctx.request.cookies  # type: ignore[arg-type]
            ):
                return
            session = ctx._session
        if not interface.is_null_session(session):
            interface.save_session(self, session, response)  # type: ignore[arg-type]

    def do_teardown_request(self, exc: BaseException | None = _sentinel) -> None:
        """Run the teardown_request functions (innermost blueprint first, each list in
        reverse) with ``exc``, the exception that ended the request, if any."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_request_funcs:
            ctx = _cv_request.get()
            caller = ctx.caller
            for name in innermost_first(ctx.request):
                for func in reversed(self.teardown_request_funcs.get(name, ())):
                    caller.call(_TEARDOWN_REQUEST, name, func, self.ensure_sync(func), exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = _sentinel) -> None:
        """Run the teardown_appcontext functions (in reverse) with ``exc``."""
        if exc is _sentinel:
            exc = sys.exc_info()[1]
        if self.teardown_appcontext_funcs:
            app_ctx: AppContext | None = _cv_app.get(None)
            caller = PLAIN_CALLER if app_ctx is None else app_ctx.caller
            for func in reversed(self.teardown_appcontext_funcs):
                caller.call(_TEARDOWN_APPCONTEXT, None, func, self.ensure_sync(func), exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, _async_wrapper=self.ensure_sync, exc=exc)

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Coroutine functions (async views and hooks) run to completion in an event loop."""
        code = getattr(func, "__code__", None)
        if code is not None and not code.co_flags & inspect.CO_COROUTINE:
            return func  # a plain function: the common case, decided without inspect
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        """``func`` as a plain function that runs the coroutine in a new event loop."""
        import asyncio  # only apps with async views or hooks pay for importing it

        @functools.wraps(func)
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return asyncio.run(func(*args, **kwargs))

        return run


def _after_request_returned_none(func: t.Callable[..., t.Any]) -> TypeError:
    return TypeError(
        f"The after_request function {describe_function(func)} returned None. It must"
        " return the response it was given (or a new response object)."
    )
