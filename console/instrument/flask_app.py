"""Tracing a live ``flask.Flask`` app while Flask's own code dispatches its requests.

:func:`instrument_flask` changes the app object, never Flask: its hook registries record
their functions (console.instrument.flask_hooks), ``app.wsgi_app`` opens a trace per request,
and receivers on Flask's signals, connected for this app only, report templates
(``before_render_template``, ``template_rendered``) and an unhandled exception
(``got_request_exception``); the final response is taken
from ``app.process_response``. Routing and the session as opened are read before the first
hook runs. A function Flask calls with ``after_this_request`` is an ``after_request`` step.

Importing this module imports Flask: it is imported only once a Flask app was loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any, cast

from flask import signals
from flask.globals import request_ctx

from console.instrument.flask_hooks import (
    HookList,
    RecordedHook,
    current_request,
    record_error_handlers,
    record_hooks,
)
from console.instrument.record import AppView, DecoratorAwareTracerRegistry, RequestWriter

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from flask import Flask
    from flask.ctx import RequestContext
    from flask.wrappers import Response

    from framework.tracing import TracerRegistry

#: Where an instrumented app keeps its tracers, in ``app.extensions`` as Flask's extensions do.
EXTENSION = "hookscope"


def instrument_flask(app: Flask) -> TracerRegistry:
    """Make ``app`` trace its requests; returns its tracers (add one to receive traces).

    Instrumenting twice changes nothing more: the second call returns the same tracers.
    With no tracer added, a request costs one attribute check more than without hookscope.
    """
    tracers: TracerRegistry | None = app.extensions.get(EXTENSION)
    if tracers is not None:
        return tracers
    tracers = DecoratorAwareTracerRegistry()
    record_hooks(app)
    record_error_handlers(app)
    app.wsgi_app = TracedWSGIApp(app, app.wsgi_app, tracers)  # type: ignore[method-assign]
    app.process_response = ReportingProcessResponse(app.process_response)  # type: ignore[method-assign]
    for signal, receiver in SIGNAL_RECEIVERS:
        signal.connect(receiver, app)
    app.extensions[EXTENSION] = tracers
    return tracers


class TracedWSGIApp:
    """``app.wsgi_app`` with a trace opened around each request while tracers listen."""

    def __init__(self, app: Flask, wsgi_app: WSGIApplication, tracers: TracerRegistry) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        self._tracers = tracers
        self._app_view = AppView(app, tracers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not self._tracers.active:
            return self._wsgi_app(environ, start_response)
        record_hooks(self._app)  # a registry the app replaced whole is recorded again
        request = TracedFlaskRequest(self._app, RequestWriter(self._app_view, environ))
        token = current_request.set(request)
        try:
            body = self._wsgi_app(environ, start_response)
        except BaseException as error:
            request.writer.escaped(error)
            raise
        finally:
            current_request.reset(token)
        return request.writer.body(body)


class ReportingProcessResponse:
    """Stands in for the app's ``process_response``: the response it returns is final
    (after_request hooks ran, the session was saved), so the trace takes it from here. This
    is the moment of Flask's ``request_finished`` signal, which would cost every request
    more (a signal with a receiver is dearer than this call)."""

    def __init__(self, process_response: Callable[[Response], Response]) -> None:
        self._process_response = process_response

    def __call__(self, response: Response) -> Response:
        request = traced_request()
        if request is None:
            return self._process_response(response)
        request.responding()
        response = self._process_response(response)
        request.finished(response)
        return response


class TracedFlaskRequest:
    """One traced request: runs its hooks as steps and hears what Flask's signals say."""

    def __init__(self, app: Flask, writer: RequestWriter) -> None:
        self.writer = writer
        self._app = app
        self._context: RequestContext | None = None
        self._template_starts: list[float] = []

    def start(self) -> RequestContext:
        """Read what Flask did before the first hook: the request pushed, routed, its session
        opened. (Done by the first step, not on ``request_started``: a signal with a receiver
        costs each request more than the check.)"""
        context: RequestContext = cast(Any, request_ctx)._get_current_object()
        self._context = context
        self.writer.routed(context.request)
        session = session_of(context)
        self.writer.session_opened(session, self._app.session_interface.is_null_session(session))
        return context

    def step(self, hook: RecordedHook, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._context is None:
            self.start()
        function = hook.__wrapped__
        runnable = function if hook.runs_as_is else hook.runnable()
        if hook.kind == "view":
            view = functools.partial(runnable, *args, **kwargs) if args or kwargs else runnable
            return self.writer.step("view", None, function, view)
        # A before_request function that answers is marked as the short-circuit by the
        # record, with what it skipped (the registry holds it as this RecordedHook, which
        # compares equal to the function).
        return self.writer.step(hook.kind, hook.blueprint, function, runnable, *args)

    def template_started(self) -> None:
        self._template_starts.append(perf_counter())

    def template_rendered(self, name: str | None) -> None:
        if self._template_starts:
            self.writer.template_rendered(name, self._template_starts.pop())

    def responding(self) -> None:
        """Flask is about to run the after_request functions: the ones the request added with
        ``after_this_request`` (Flask keeps them on its request context) run as steps too."""
        context = self._context or self.start()
        if context._after_request_functions:
            context._after_request_functions = HookList(
                "after_request", None, self._app, context._after_request_functions
            )

    def finished(self, response: Response) -> None:
        context = self._context or self.start()
        self.writer.responded(response, context.flashes)


def session_of(context: RequestContext) -> Any:
    """The request's session, as opened. Since Flask 3.1.3 reading ``context.session``
    marks it accessed (and the response ``Vary: Cookie``): the opened one is ``_session``."""
    fields = vars(context)
    return fields["_session"] if "_session" in fields else context.session


def traced_request() -> TracedFlaskRequest | None:
    request = current_request.get()
    return request if isinstance(request, TracedFlaskRequest) else None


def on_before_render_template(_app: Flask, **_: Any) -> None:
    request = traced_request()
    if request is not None:
        request.template_started()


def on_template_rendered(_app: Flask, template: Any, **_: Any) -> None:
    request = traced_request()
    if request is not None:
        request.template_rendered(template.name)


def on_got_request_exception(_app: Flask, exception: BaseException, **_: Any) -> None:
    request = traced_request()
    if request is not None:
        request.writer.unhandled(exception)


SIGNAL_RECEIVERS: tuple[tuple[Any, Callable[..., None]], ...] = (
    (signals.before_render_template, on_before_render_template),
    (signals.template_rendered, on_template_rendered),
    (signals.got_request_exception, on_got_request_exception),
)
"""Flask's signals and what each tells the current trace; connected per app."""
