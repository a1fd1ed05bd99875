"""One request's trace, recorded as cheap facts while the request runs.

Recording costs little on purpose: a step is a tuple of what happened (which
function, when it started and ended, what it returned), and the trace's plain
data is built from those facts only when someone asks for it with
:meth:`TraceRecord.to_dict` -- for a deferred tracer, on its own thread and time,
as :mod:`logging` formats a record's message only when a handler emits it. What
may change after the moment it describes (a hook's returned response, the
session, the view args a preprocessor pops) is copied when it happens.
"""

from __future__ import annotations

import time
import traceback
import typing as t
from functools import partial
from time import perf_counter

from werkzeug.wrappers import Response as BaseResponse

from . import describe
from .describe import jsonable, plain_session, short_repr

if t.TYPE_CHECKING:
    from werkzeug.datastructures import Headers

    from ..app import App
    from ..ctx import RequestContext
    from ..wrappers import Response

TRACE_VERSION = 1

_NORMAL, _SHORT_CIRCUIT, _SKIPPED = 0, 1, 2
_DEFERRED_REPR = frozenset({str, bytes, int, float, bool})
"""Returned values that cannot change later, so their repr can wait for ``to_dict``."""

_Step = tuple[t.Any, ...]
"""(kind, blueprint, function, start, end, returned, raised, flag).

``returned`` is None, an immutable value (its repr deferred), ``(response class,
status)`` for a response, or ``(None, repr)`` for anything else, described at once."""


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
        self._steps: list[_Step] = []
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

    # -- steps -----------------------------------------------------------------------

    def call(
        self, kind: str, blueprint: str | None, source: t.Any, func: t.Any, *args: t.Any
    ) -> t.Any:
        """Call ``func`` (``source``, made sync) and record it as a step, re-raising errors."""
        start = perf_counter()
        try:
            result = func(*args)
        except BaseException as e:
            raised = {"type": describe.type_name(e), "message": describe.message(e)}
            self._steps.append(
                (kind, blueprint, source, start, perf_counter(), None, raised, _NORMAL)
            )
            raise
        end = perf_counter()
        if result is None or type(result) in _DEFERRED_REPR:
            returned = result
        elif isinstance(result, BaseResponse):
            # What after_request hooks return; its status may change later, so keep it now.
            returned = (type(result), result.status)
        else:  # anything else may change later: describe it now
            returned = (None, short_repr(result))
        self._steps.append((kind, blueprint, source, start, end, returned, None, _NORMAL))
        return result

    def call_view(self, source: t.Any, func: t.Any, view_args: dict[str, t.Any]) -> t.Any:
        """The view, called with its view args as keywords."""
        if view_args:
            func = partial(func, **view_args)
        return self.call("view", None, source, func)

    def short_circuited(self, app: App, names: tuple[str | None, ...], func: t.Any) -> None:
        """Mark the last before_request as the short-circuit; list what it skipped."""
        self._steps[-1] = (*self._steps[-1][:-1], _SHORT_CIRCUIT)
        found = False
        for name in names:
            for other in app.before_request_funcs.get(name, ()):
                if found:
                    self._skipped("before_request", name, other)
                elif other is func:
                    found = True
        request = self._request
        if request.url_rule is not None and request.routing_exception is None:
            view = app.view_functions.get(request.url_rule.endpoint)
            if view is not None:
                self._skipped("view", None, view)

    def _skipped(self, kind: str, blueprint: str | None, func: t.Any) -> None:
        now = perf_counter()
        self._steps.append((kind, blueprint, func, now, now, None, None, _SKIPPED))

    def template_rendered(self, name: str | None, start: float) -> None:
        """A template render that began at ``start`` (a ``perf_counter`` reading) just ended."""
        if self._templates is None:
            self._templates = []
        self._templates.append((name or "<string>", start, perf_counter()))

    # -- phases ----------------------------------------------------------------------

    def routed(self, ctx: RequestContext) -> None:
        request = ctx.request
        self._request = request
        self._rule = request.url_rule
        self._routing_error = request.routing_exception
        if request.view_args:
            self._view_args = dict(request.view_args)  # url_value_preprocessors may pop them

    def session_opened(self, session: t.Any) -> None:
        """Called when the request first uses its session: the state before the request."""
        state = self._session_state()
        state["opened"] = True
        if self._app.session_interface.is_null_session(session):
            return
        before = plain_session(session)
        state["before"] = before
        self._flashes_before = list((before or {}).get("_flashes", []))
        self._flash_state()["before"] = self._flashes_before

    def _session_saved(self, ctx: RequestContext, response: Response) -> None:
        session = ctx._session
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
            consumed = jsonable(ctx.flashes) if ctx.flashes is not None else []
            added = remaining if ctx.flashes is not None else remaining[len(self._flashes_before) :]
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
        self._exception = {
            "type": describe.type_name(error),
            "message": describe.message(error),
            "traceback": "".join(traceback.format_exception(error)),
        }

    @property
    def has_exception(self) -> bool:
        return self._exception is not None

    def response_ready(self, ctx: RequestContext, response: Response, streamed: bool) -> None:
        """Keep what the trace shows of ``response`` (its headers and, unless ``streamed``,
        a body sent as it is produced, its body) and of the session it saved."""
        self.status = status = response.status_code
        chunks = None if streamed else t.cast("list[bytes]", response.response)
        self._response = (status, response.headers, chunks)
        if ctx._session is not None:  # opened: it may have changed and been saved
            self._session_saved(ctx, response)

    def body_sent(self, size: int, preview: bytes) -> None:
        """A streamed body finished: what was sent of it."""
        self._streamed_body = (size, preview)

    def finish(self, ctx: RequestContext) -> None:
        """Close the record and hand it to every tracer (once)."""
        if self._finished:
            return
        self._finished = True
        self.duration_us = int((perf_counter() - self._t0) * 1_000_000)
        request = ctx.request
        self._request = None  # keep only the parts the trace shows
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
            "steps": [_step_dict(step, t0, self._registry.source_of) for step in self._steps],
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


def _step_dict(
    step: _Step, t0: float, source_of: t.Callable[[t.Any], tuple[str, str | None, int | None]]
) -> dict[str, t.Any]:
    kind, blueprint, func, start, end, returned, raised, flag = step
    name, file, line = source_of(func)
    if type(returned) is tuple:
        response_class, text = returned
        returned = text if response_class is None else f"<{response_class.__name__} [{text}]>"
    elif returned is not None:
        returned = short_repr(returned)
    return {
        "kind": kind,
        "name": name,
        "blueprint": blueprint,
        "file": file,
        "line": line,
        "start_us": int((start - t0) * 1_000_000),
        "duration_us": int((end - start) * 1_000_000),
        "returned": returned,
        "short_circuit": flag == _SHORT_CIRCUIT,
        "skipped": flag == _SKIPPED,
        "raised": raised,
    }


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
