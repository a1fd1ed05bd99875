"""One request's trace, recorded as cheap facts while the request runs.

A :class:`TraceRecord` is the recording :class:`~framework.caller.Caller`: bound to a
request while tracers are attached, it calls the request's user code as the plain caller
would and notes what happened. Recording costs little on purpose: a step is a
:class:`~framework.tracing.steps.Step` of what happened (which function, when it started
and ended, what it returned), and the trace's plain data is built from those facts only
when someone asks for it with :meth:`TraceRecord.to_dict` -- for a deferred tracer, on
its own thread and time, as :mod:`logging` formats a record's message only when a
handler emits it. What may change after the moment it describes (a hook's returned
response, the session, the view args a preprocessor pops) is copied when it happens.

The record reads the request duck-typed (``ctx.request``, ``ctx.flashes``, the session
it is given), so it can also be filled by code that instruments another framework's
request lifecycle.
"""

from __future__ import annotations

import time
import traceback
import typing as t
from functools import partial
from time import perf_counter

from werkzeug.wrappers import Response as BaseResponse

from ..caller import StepKind
from ..scaffold import outermost_first
from . import describe
from .describe import jsonable, plain_session, short_repr
from .steps import ResponseReturned, Step, step_dict

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Template
    from werkzeug.datastructures import Headers

    from ..app import App
    from ..ctx import RequestContext
    from ..wrappers import Response

TRACE_VERSION = 1

_DEFERRED_REPR = frozenset({str, bytes, int, float, bool})
"""Returned values that cannot change later, so their repr can wait for ``to_dict``."""

# Steps are made on every call of user code: from whole tuples, in C, rather than
# through the named tuples' own (Python) constructors.
_new_step = partial(tuple.__new__, Step)
_new_returned = partial(tuple.__new__, ResponseReturned)

# Enum members are slow to look up in Python 3.11.
_BEFORE_REQUEST = StepKind.BEFORE_REQUEST
_VIEW = StepKind.VIEW


class TraceRecord:
    """What one request did, filled in by the framework while it runs.

    Tracers added with ``deferred=True`` receive the finished record; the others
    receive :meth:`to_dict`, built once per request and shared between them. Facts
    most requests never have (templates, a session, an exception) stay at their
    class-level defaults, and a finished record keeps only small parts of the
    request and response, so a list of records costs the garbage collector little.
    """

    #: The request's duration in microseconds, once finished.
    duration_us = 0
    #: The response's status code, once the response is built.
    status: int | None = None
    _request: t.Any = None
    _method: str | None = None
    _path: str | None = None
    _form: t.Any = None
    _files: t.Sequence[dict[str, t.Any]] = ()
    _templates: list[tuple[str, float, float]] | None = None
    _rule: t.Any = None
    _view_args: dict[str, t.Any] | None = None
    _routing_error: BaseException | None = None
    _session: dict[str, t.Any] | None = None
    _flashes: dict[str, t.Any] | None = None
    _flashes_before: t.Sequence[t.Any] = ()
    _response: tuple[int, Headers, list[bytes] | None] | None = None
    """Status, headers and the body's chunks (None for a streamed body)."""
    _streamed_body: tuple[int | None, bytes] = (None, b"")
    _exception: dict[str, t.Any] | None = None
    _opened_session: t.Any = None
    _streamed = False
    _input: InputPreview | None = None
    _finished = False
    _dict: dict[str, t.Any] | None = None
    _id: str | None = None

    def __init__(self, app: App, environ: dict[str, t.Any]) -> None:
        registry = app.tracers
        self._app = app
        self._registry = registry
        self._environ: dict[str, t.Any] | None = environ
        self.started_at = time.time()
        self._t0 = perf_counter()
        self._steps: list[Step] = []
        self._mask = registry.mask_secrets
        self._preview_limit = registry.body_preview_limit
        if "HTTP_X_REQUEST_ID" in environ:
            request_id = environ["HTTP_X_REQUEST_ID"]
            if request_id and len(request_id) <= 200 and request_id.isprintable():
                self._id = request_id
        if environ.get("CONTENT_LENGTH", "0") not in ("", "0") or (
            "HTTP_TRANSFER_ENCODING" in environ
        ):
            self._keep_body_preview(environ)

    def _keep_body_preview(self, environ: dict[str, t.Any]) -> None:
        if "wsgi.input" in environ:
            self._input = InputPreview(environ["wsgi.input"], self._preview_limit)
            environ["wsgi.input"] = self._input

    @property
    def id(self) -> str:
        """The request's ``X-Request-Id`` header, or an id generated for it."""
        if self._id is None:
            self._id = self._registry.new_request_id()
        return self._id

    @property
    def app_name(self) -> str:
        return self._app.name

    # -- the caller: user code, called and noted ---------------------------------------

    def call(
        self, kind: StepKind, blueprint: str | None, source: t.Any, func: t.Any, *args: t.Any
    ) -> t.Any:
        """Call ``func(*args)`` (``func`` is ``source`` made sync) and record it as a step
        of ``kind``, re-raising what it raises.

        A before_request function that returns a value short-circuits the request: the
        step is marked so, and the functions and view it skipped are recorded as skipped.
        """
        start = perf_counter()
        try:
            result = func(*args)
        except BaseException as e:
            raised = {"type": describe.type_name(e), "message": describe.message(e)}
            self._steps.append(
                Step(kind, blueprint, source, start, perf_counter(), None, None, raised)
            )
            raise
        end = perf_counter()
        if result is None or type(result) in _DEFERRED_REPR:
            returned, text = result, None
        elif isinstance(result, BaseResponse):  # what after_request functions return
            returned, text = _new_returned((type(result), result.status)), None
        else:  # anything else may change later: describe it now
            returned, text = None, short_repr(result)
        self._steps.append(
            _new_step((kind, blueprint, source, start, end, returned, text, None, False, False))
        )
        if result is not None and kind == _BEFORE_REQUEST:
            self._short_circuited(source)
        return result

    def call_view(self, source: t.Any, func: t.Any, view_args: dict[str, t.Any]) -> t.Any:
        """The view, called with its view args as keywords."""
        if view_args:
            func = partial(func, **view_args)
        return self.call(_VIEW, None, source, func)

    def _short_circuited(self, func: t.Any) -> None:
        """Mark the last step (``func``, a before_request function) as the short-circuit;
        record the before_request functions after it, and the view, as skipped."""
        self._steps[-1] = self._steps[-1]._replace(short_circuit=True)
        request = self._request
        if request is None:
            return
        app = self._app
        found = False
        for name in outermost_first(request):
            for other in app.before_request_funcs.get(name, ()):
                if found:
                    self._skipped(_BEFORE_REQUEST, name, other)
                elif other == func:  # an instrumentation's wrapper equals its function
                    found = True
        if request.url_rule is not None and request.routing_exception is None:
            view = app.view_functions.get(request.url_rule.endpoint)
            if view is not None:
                self._skipped(_VIEW, None, view)

    def _skipped(self, kind: StepKind, blueprint: str | None, func: t.Any) -> None:
        now = perf_counter()
        self._steps.append(Step(kind, blueprint, func, now, now, skipped=True))

    def render(self, template: Template, context: dict[str, t.Any]) -> str:
        """Render ``template``, recording its name and how long it took."""
        start = perf_counter()
        try:
            return template.render(context)
        finally:
            self.template_rendered(template.name, start)

    def template_rendered(self, name: str | None, start: float) -> None:
        """A template render that began at ``start`` (a ``perf_counter`` reading) just ended."""
        if self._templates is None:
            self._templates = []
        self._templates.append((name or "<string>", start, perf_counter()))

    # -- the caller: the request's phases ---------------------------------------------------

    def routed(self, ctx: RequestContext) -> None:
        """The request was matched: keep the rule and a copy of the view args (a
        url_value_preprocessor may pop them)."""
        request = ctx.request
        self._request = request
        self._rule = request.url_rule
        self._routing_error = request.routing_exception
        if request.view_args:
            self._view_args = dict(request.view_args)

    def session_opened(
        self, session: t.Any, content_before: dict[str, t.Any] | None = None
    ) -> None:
        """Called when the request first uses its session: the state before the request.

        ``content_before`` is the session's content as it was opened, for code that learns
        only later that the request used its session (by then its content may differ);
        by default it is read now.
        """
        self._opened_session = session
        state = self._session_state()
        state["opened"] = True
        if self._app.session_interface.is_null_session(session):
            return
        before = plain_session(session) if content_before is None else content_before
        state["before"] = before
        self._flashes_before = list((before or {}).get("_flashes", []))
        self._flash_state()["before"] = self._flashes_before

    def _session_saved(self, ctx: RequestContext, response: Response) -> None:
        session = self._opened_session
        app = self._app
        state = self._session_state()
        if not app.session_interface.is_null_session(session):
            after = plain_session(session)
            state.update(
                after=after,
                accessed=bool(getattr(session, "accessed", False)),
                modified=bool(getattr(session, "modified", False)),
            )
            remaining = list((after or {}).get("_flashes", []))
            shown = ctx.flashes
            if shown is None:  # nothing shown: what is queued beyond what was there is new
                added = remaining[len(self._flashes_before) :]
                consumed = []
            else:  # shown: what was there before, then what this request flashed first
                consumed = jsonable(shown)
                added = consumed[len(self._flashes_before) :] + remaining
            self._flash_state().update(after=remaining, consumed=consumed, added=added)
        cookie_name = app.session_interface.get_cookie_name(app)
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name.strip() == cookie_name:
                deleted = rest.startswith(";") or "Max-Age=0" in rest
                state["cookie"] = "deleted" if deleted else "set"

    def _session_state(self) -> dict[str, t.Any]:
        if self._session is None:
            self._session = {
                "opened": False,
                "before": None,
                "after": None,
                "accessed": False,
                "modified": False,
                "cookie": None,
            }
        return self._session

    def _flash_state(self) -> dict[str, t.Any]:
        if self._flashes is None:
            self._flashes = {"before": [], "after": [], "added": [], "consumed": []}
        return self._flashes

    def unhandled(self, error: BaseException) -> None:
        """``error`` escaped the request's handlers (the last one to do so is kept)."""
        self._exception = {
            "type": describe.type_name(error),
            "message": describe.message(error),
            "traceback": "".join(traceback.format_exception(error)),
        }
        self._streamed = False  # a body that was about to stream will not be sent

    @property
    def has_exception(self) -> bool:
        return self._exception is not None

    def sending(
        self, ctx: RequestContext, response: Response, body: Iterable[bytes]
    ) -> Iterable[bytes]:
        """The response is final: note it; a streamed body is counted as it is sent, and
        the trace ends when the server closes it."""
        streamed = bool(response.is_streamed or response.direct_passthrough)
        self.response_ready(ctx, response, streamed)
        if not streamed:
            return body
        self._streamed = True
        return TracedBody(self, body, ctx)

    def response_ready(self, ctx: RequestContext, response: Response, streamed: bool) -> None:
        """Keep what the trace shows of ``response`` (its headers and, unless ``streamed``,
        a body sent as it is produced, its body) and of the session it saved."""
        self.status = status = response.status_code
        chunks = None if streamed else t.cast("list[bytes]", response.response)
        self._response = (status, response.headers, chunks)
        if self._opened_session is not None:  # opened: it may have changed and been saved
            self._session_saved(ctx, response)

    def body_sent(self, size: int, preview: bytes) -> None:
        """A streamed body finished: what was sent of it."""
        self._streamed_body = (size, preview)

    def popped(self, ctx: RequestContext) -> None:
        """The request's teardown ran: the trace ends now, unless its body is still to
        stream."""
        if not self._streamed:
            self.finish(ctx)

    def finish(self, ctx: RequestContext) -> None:
        """Close the record and hand it to every tracer (once)."""
        if self._finished:
            return
        self._finished = True
        self.duration_us = int((perf_counter() - self._t0) * 1_000_000)
        request = ctx.request
        self._request = None  # keep only the parts the trace shows
        self._opened_session = None
        self._method = request.method
        self._path = request.path
        fields = request.__dict__
        if "form" in fields:
            self._form = fields["form"]
        if "files" in fields:
            try:
                self._files = describe.uploaded_files(request)
            except Exception:  # a broken upload must not lose the trace
                pass
        self._registry.deliver(self._app, self)

    # -- the plain data ----------------------------------------------------------------

    def to_dict(self) -> dict[str, t.Any]:
        """The trace as plain, JSON-serialisable data (built on the first call, then kept).

        Keys: ``version``, ``id``, ``app``, ``started_at``, ``duration_us``, ``request``,
        ``routing``, ``steps``, ``templates``, ``response``, ``session``, ``flashes``
        and ``exception``.
        """
        if self._dict is None:
            self._dict = self._build()
            # Everything needed is in the dict now: let the request's objects go.
            self._environ = self._response = self._input = self._form = None
            self._steps = []
        return self._dict

    def _build(self) -> dict[str, t.Any]:
        environ = self._environ
        assert environ is not None, "to_dict() keeps the dict it built"
        try:
            request = describe.request_part(
                environ,
                self._method,
                self._path,
                self._form,
                self._files,
                bytes(self._input.captured) if self._input is not None else b"",
                self._mask,
            )
        except Exception as e:  # a broken request must not lose the trace
            request = {"method": environ.get("REQUEST_METHOD"), "error": describe.message(e)}
        t0 = self._t0
        return {
            "version": TRACE_VERSION,
            "id": self.id,
            "app": self.app_name,
            "started_at": self.started_at,
            "duration_us": self.duration_us,
            "request": request,
            "routing": describe.routing_part(self._rule, self._view_args, self._routing_error),
            "steps": [step_dict(step, t0, self._registry.source_of) for step in self._steps],
            "templates": [
                {
                    "name": name,
                    "start_us": int((start - t0) * 1_000_000),
                    "duration_us": int((end - start) * 1_000_000),
                }
                for name, start, end in self._templates or ()
            ],
            "response": None
            if self._response is None
            else describe.response_part(
                *self._response, self._streamed_body, self._preview_limit, self._mask
            ),
            "session": self._session_state(),
            "flashes": self._flash_state(),
            "exception": self._exception,
        }


class TracedBody:
    """A streamed body, counted as it is sent; the trace ends when the server closes it."""

    def __init__(self, record: TraceRecord, body: Iterable[bytes], ctx: RequestContext) -> None:
        self._record = record
        self._body = body
        self._ctx = ctx
        self._size = 0
        self._preview = bytearray()
        self._limit = record._preview_limit

    def __iter__(self) -> t.Iterator[bytes]:
        limit = self._limit
        for chunk in self._body:
            self._size += len(chunk)
            if len(self._preview) < limit:
                self._preview += chunk[: limit - len(self._preview)]
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._record.body_sent(self._size, bytes(self._preview))
            self._record.finish(self._ctx)


class InputPreview:
    """Wraps ``wsgi.input`` to keep the first bytes the app reads, for the body preview."""

    def __init__(self, stream: t.Any, limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self.captured = bytearray()
        self.touched = False

    def _keep(self, data: bytes) -> bytes:
        self.touched = True
        room = self._limit - len(self.captured)
        if room > 0 and data:
            self.captured += data[:room]
        return data

    def read(self, *args: t.Any) -> bytes:
        return self._keep(self._stream.read(*args))

    def readline(self, *args: t.Any) -> bytes:
        return self._keep(self._stream.readline(*args))

    def readlines(self, *args: t.Any) -> list[bytes]:
        return [self._keep(line) for line in self._stream.readlines(*args)]

    def __iter__(self) -> t.Iterator[bytes]:
        for line in self._stream:
            yield self._keep(line)

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()
