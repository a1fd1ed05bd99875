"""Per-request traces: which hooks ran, in what order, what they returned, how long they took.

Attach a listener with ``app.add_tracer(callback)``; after each request (after
teardown, or when a streamed body is closed) every listener receives the trace
as plain, JSON-serialisable data::

    traces = []
    app.add_tracer(traces.append)
    app.test_client().get("/")
    [step["name"] for step in traces[0]["steps"]]

With no tracer attached, ``App.wsgi_app`` never enters this module: nothing is
recorded and nothing is allocated for tracing.

The trace (version 1) has the keys ``version``, ``id`` (the request's
``X-Request-Id`` header, or a generated id), ``app``, ``started_at``,
``duration_us``, ``request``, ``routing``, ``steps``, ``templates``,
``response``, ``session``, ``flashes`` and ``exception``; see
:meth:`TraceRecorder.finish` for each part. Steps have ``kind`` (one of
:data:`STEP_KINDS`), ``name``, ``blueprint``, ``file``, ``line``, ``start_us``,
``duration_us``, ``returned``, ``short_circuit``, ``skipped`` and ``raised``.
Settings live on the registry, not in ``app.config`` (which stays exactly
Flask's): ``app.tracers.mask_secrets = True`` hides cookie values and
``Authorization`` headers; ``app.tracers.body_preview_limit`` caps body previews
(bytes).
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import math
import sys
import threading
import time
import traceback
import typing as t
import uuid
from time import perf_counter

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as BaseResponse

from .globals import _cv_app, _cv_request

if t.TYPE_CHECKING:
    from .app import App
    from .ctx import RequestContext
    from .wrappers import Response

Trace = dict[str, t.Any]
Tracer = t.Callable[[Trace], t.Any]

TRACE_VERSION = 1
STEP_KINDS = (
    "url_value_preprocessor",
    "before_request",
    "view",
    "after_request",
    "errorhandler",
    "teardown_request",
    "teardown_appcontext",
)
_REPR_LIMIT = 200
_MASK = "••••••"
_SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}


class TracerRegistry:
    """The tracers of one app. Adding or removing never disturbs a request in flight."""

    def __init__(self) -> None:
        #: The attached tracers; empty means requests take the untraced path.
        self.active: tuple[Tracer, ...] = ()
        #: Show cookie values and Authorization headers as ``••••••`` in traces.
        self.mask_secrets = False
        #: How many bytes of each request and response body a trace keeps.
        self.body_preview_limit = 2048
        # Generated request ids: unique per registry (random prefix), cheap (a counter).
        self._id_prefix = uuid.uuid4().hex[:8]
        self._id_counter = itertools.count(1)
        self._lock = threading.Lock()
        self._sources: dict[t.Any, tuple[str, str | None, int | None]] = {}

    def __bool__(self) -> bool:
        return bool(self.active)

    def __iter__(self) -> t.Iterator[Tracer]:
        return iter(self.active)

    def __len__(self) -> int:
        return len(self.active)

    def add(self, tracer: Tracer) -> None:
        if not callable(tracer):
            raise TypeError(f"A tracer must be callable, got {type(tracer).__name__}.")
        with self._lock:
            self.active = (*self.active, tracer)

    def remove(self, tracer: Tracer) -> None:
        with self._lock:
            if tracer not in self.active:
                raise ValueError(f"{tracer!r} is not a tracer of this app.")
            tracers = list(self.active)
            tracers.remove(tracer)
            self.active = tuple(tracers)

    def new_request_id(self) -> str:
        return f"{self._id_prefix}-{next(self._id_counter)}"

    def deliver(self, app: App, trace: Trace) -> None:
        for tracer in self.active:
            try:
                tracer(trace)
            except Exception:
                app.logger.exception("Tracer %r failed; the request was not affected.", tracer)

    def source_of(self, func: t.Any) -> tuple[str, str | None, int | None]:
        """``(qualified name, file, line)`` of a hook or view, cached per function."""
        try:
            return self._sources[func]
        except (KeyError, TypeError):
            pass
        info = _describe_source(func)
        with contextlib.suppress(TypeError):
            self._sources[func] = info
        return info


def _describe_source(func: t.Any) -> tuple[str, str | None, int | None]:
    view_class = getattr(func, "view_class", None)
    target = view_class if view_class is not None else inspect.unwrap(func)
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", None)
    if name is None:
        name = type(target).__name__
    if view_class is not None:
        name = f"{name}.as_view({getattr(func, '__name__', '?')!r})"
    try:
        file = inspect.getsourcefile(target)
        line: int | None = inspect.getsourcelines(target)[1]
    except (TypeError, OSError):
        code = getattr(target, "__code__", None)
        file = code.co_filename if code is not None else None
        line = code.co_firstlineno if code is not None else None
    return name, file, line


def short_repr(value: t.Any, limit: int = _REPR_LIMIT) -> str:
    """A repr capped at ``limit`` characters; a failing ``__repr__`` is described."""
    if isinstance(value, BaseResponse):
        # What an after_request hook returns; Werkzeug's repr would measure the body.
        return f"<{type(value).__name__} [{value.status}]>"
    try:
        text = repr(value)
    except Exception as e:
        text = f"<{type(value).__name__} object; repr() failed: {type(e).__name__}>"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def jsonable(value: t.Any, depth: int = 0) -> t.Any:
    """Plain JSON data from session values, view args and the like (others as repr)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # strict JSON has no inf/nan
    if depth > 20:
        return short_repr(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in value]
    return short_repr(value)


def _plain_session(session: t.Any) -> dict[str, t.Any] | None:
    """The session's content, read without marking it accessed (no ``Vary: Cookie``)."""
    if session is None or not isinstance(session, dict):
        return None
    content = {k: dict.__getitem__(session, k) for k in dict.keys(session)}
    return t.cast("dict[str, t.Any]", jsonable(content))


class _InputPreview:
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


def _decode_preview(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _wsgi_str(value: str) -> str:
    """A WSGI environ string (bytes carried as latin-1) as text."""
    if value.isascii():
        return value
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def _environ_headers(environ: dict[str, t.Any]) -> list[list[str]]:
    """The request headers as sent, read straight from the environ (values as received)."""
    headers = [
        [key[5:].replace("_", "-").title(), value]
        for key, value in environ.items()
        if key[:5] == "HTTP_"
    ]
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        value = environ.get(key)
        if value:
            headers.append([name, value])
    return headers


class TraceRecorder:
    """Collects one request's trace while the app dispatches it."""

    def __init__(self, app: App, environ: dict[str, t.Any]) -> None:
        self.app = app
        self.registry = app.tracers
        self._sources = self.registry._sources
        self.environ = environ
        self.started_at = time.time()
        self._t0 = time.perf_counter()
        self.steps: list[dict[str, t.Any]] = []
        self.templates: list[dict[str, t.Any]] = []
        self.exception: dict[str, t.Any] | None = None
        self.routing: dict[str, t.Any] = {"outcome": "error"}
        self.session: dict[str, t.Any] = {
            "opened": False,
            "before": None,
            "after": None,
            "accessed": False,
            "modified": False,
            "cookie": None,
        }
        self.flashes_before: list[t.Any] = []
        self.flashes: dict[str, t.Any] = {"before": [], "after": [], "added": [], "consumed": []}
        self.response: dict[str, t.Any] | None = None
        self._finished = False
        self._mask = self.registry.mask_secrets
        self._preview_limit = self.registry.body_preview_limit
        request_id = environ.get("HTTP_X_REQUEST_ID", "")
        if not request_id or len(request_id) > 200 or not request_id.isprintable():
            request_id = self.registry.new_request_id()
        self.id = request_id
        self._input: _InputPreview | None = None
        has_body = environ.get("CONTENT_LENGTH", "0") not in ("", "0") or (
            "HTTP_TRANSFER_ENCODING" in environ
        )
        if has_body and "wsgi.input" in environ:
            self._input = _InputPreview(environ["wsgi.input"], self._preview_limit)
            environ["wsgi.input"] = self._input

    def _now_us(self) -> int:
        return int((time.perf_counter() - self._t0) * 1_000_000)

    # -- steps ---------------------------------------------------------------------

    def _step(self, kind: str, blueprint: str | None, func: t.Any) -> dict[str, t.Any]:
        name, file, line = self.registry.source_of(func)
        step = {
            "kind": kind,
            "name": name,
            "blueprint": blueprint,
            "file": file,
            "line": line,
            "start_us": self._now_us(),
            "duration_us": 0,
            "returned": None,
            "short_circuit": False,
            "skipped": False,
            "raised": None,
        }
        self.steps.append(step)
        return step

    def call(
        self,
        kind: str,
        blueprint: str | None,
        func: t.Callable[..., t.Any],
        *args: t.Any,
        _source: t.Any = None,
        **kwargs: t.Any,
    ) -> t.Any:
        """Call a hook or view and record it as a step (re-raising what it raises).

        This runs once per hook on every traced request, so it builds its step in
        one go rather than through :meth:`_step`.
        """
        source = _source if _source is not None else func
        described = self._sources.get(source)
        name, file, line = described if described else self.registry.source_of(source)
        start = perf_counter()
        try:
            result = func(*args, **kwargs)
        except BaseException as e:
            end = perf_counter()
            raised: dict[str, str] | None = {"type": _type_name(e), "message": _message(e)}
            returned = None
            raise
        else:
            end = perf_counter()
            raised = None
            returned = None if result is None else short_repr(result)
        finally:
            self.steps.append(
                {
                    "kind": kind,
                    "name": name,
                    "blueprint": blueprint,
                    "file": file,
                    "line": line,
                    "start_us": int((start - self._t0) * 1_000_000),
                    "duration_us": int((end - start) * 1_000_000),
                    "returned": returned,
                    "short_circuit": False,
                    "skipped": False,
                    "raised": raised,
                }
            )
        return result

    def short_circuited(self, app: App, names: tuple[str | None, ...], func: t.Any) -> None:
        """Mark the last before_request as the short-circuit; list what it skipped."""
        self.steps[-1]["short_circuit"] = True
        found = False
        for name in names:
            for other in app.before_request_funcs.get(name, ()):
                if found:
                    self._skipped("before_request", name, other)
                elif other is func:
                    found = True
        request = _cv_request.get().request
        if request.url_rule is not None and request.routing_exception is None:
            view = app.view_functions.get(request.url_rule.endpoint)
            if view is not None:
                self._skipped("view", None, view)

    def _skipped(self, kind: str, blueprint: str | None, func: t.Any) -> None:
        step = self._step(kind, blueprint, func)
        step["skipped"] = True

    @contextlib.contextmanager
    def template(self, name: str | None) -> t.Iterator[None]:
        start_us = self._now_us()
        start = time.perf_counter()
        try:
            yield
        finally:
            self.templates.append(
                {
                    "name": name or "<string>",
                    "start_us": start_us,
                    "duration_us": int((time.perf_counter() - start) * 1_000_000),
                }
            )

    # -- phases ----------------------------------------------------------------------

    def routed(self, ctx: RequestContext) -> None:
        request = ctx.request
        error = request.routing_exception
        rule = request.url_rule
        if error is None and rule is not None:
            self.routing = {
                "outcome": "matched",
                "rule": rule.rule,
                "endpoint": rule.endpoint,
                "view_args": jsonable(request.view_args) if request.view_args else {},
                "blueprint": request.blueprint,
                "allowed_methods": sorted(rule.methods or ()),
                "location": None,
                "status": None,
            }
            return
        outcome = "error"
        allowed: list[str] = []
        location = None
        if isinstance(error, RequestRedirect):
            outcome = "redirect"
            location = error.new_url
        elif isinstance(error, MethodNotAllowed):
            outcome = "method_not_allowed"
            allowed = sorted(error.valid_methods or ())
        elif isinstance(error, NotFound):
            outcome = "not_found"
        self.routing = {
            "outcome": outcome,
            "rule": None,
            "endpoint": None,
            "view_args": {},
            "blueprint": None,
            "allowed_methods": allowed,
            "location": location,
            "status": error.code if isinstance(error, HTTPException) else None,
        }

    def session_opened(self, session: t.Any) -> None:
        """Called when the request first uses its session: the state before the request."""
        self.session["opened"] = True
        if self.app.session_interface.is_null_session(session):
            return
        before = _plain_session(session)
        self.session["before"] = before
        self.flashes_before = list((before or {}).get("_flashes", []))
        self.flashes["before"] = self.flashes_before

    def session_saved(self, ctx: RequestContext, response: Response) -> None:
        session = ctx._session
        if session is None:
            return  # never opened: neither changed nor saved
        if session is not None and not self.app.session_interface.is_null_session(session):
            after = _plain_session(session)
            self.session.update(
                after=after,
                accessed=bool(getattr(session, "accessed", False)),
                modified=bool(getattr(session, "modified", False)),
            )
            remaining = list((after or {}).get("_flashes", []))
            consumed = jsonable(ctx.flashes) if ctx.flashes is not None else []
            added = remaining if ctx.flashes is not None else remaining[len(self.flashes_before) :]
            self.flashes.update(after=remaining, consumed=consumed, added=added)
        cookie_name = self.app.session_interface.get_cookie_name(self.app)
        for header in response.headers.getlist("Set-Cookie"):
            name, _, rest = header.partition("=")
            if name.strip() == cookie_name:
                deleted = rest.startswith(";") or "Max-Age=0" in rest
                self.session["cookie"] = "deleted" if deleted else "set"

    def unhandled(self, error: BaseException) -> None:
        self.exception = {
            "type": _type_name(error),
            "message": _message(error),
            "traceback": "".join(traceback.format_exception(error)),
        }

    def response_ready(self, response: Response) -> None:
        streamed = response.is_streamed
        body_size: int | None = None
        preview = ""
        if not streamed and not response.direct_passthrough:
            chunks = t.cast("list[bytes]", response.response)
            body_size = sum(len(chunk) for chunk in chunks)
            preview = _decode_preview(b"".join(chunks)[: self._preview_limit])
        self.response = {
            "status": response.status_code,
            "headers": self._masked([[k, v] for k, v in response.headers.items()]),
            "mimetype": response.mimetype,
            "body_size": body_size,
            "body_preview": preview,
            "streamed": streamed,
        }

    # -- the result ------------------------------------------------------------------

    def _masked(self, headers: list[list[str]]) -> list[list[str]]:
        """``headers`` with secrets hidden when the registry asks for it."""
        if self._mask:
            for pair in headers:
                if pair[0].lower() in _SECRET_HEADERS:
                    pair[1] = _MASK
        return headers

    def _request_part(self, ctx: RequestContext) -> dict[str, t.Any]:
        request = ctx.request
        environ = self.environ
        form: list[dict[str, t.Any]] = []
        files: list[dict[str, t.Any]] = []
        if "form" in request.__dict__:
            form = [
                {"name": k, "size": len(v.encode("utf-8", "replace"))}
                for k, v in request.form.items(multi=True)
            ]
        if "files" in request.__dict__:
            for key, storage in request.files.items(multi=True):
                size = storage.content_length
                if not size:
                    with contextlib.suppress(Exception):
                        pos = storage.stream.tell()
                        storage.stream.seek(0, 2)
                        size = storage.stream.tell()
                        storage.stream.seek(pos)
                files.append({"name": key, "filename": storage.filename, "size": size})
        preview = b""
        if self._input is not None:
            preview = bytes(self._input.captured)
        headers = self._masked(_environ_headers(environ))
        length = environ.get("CONTENT_LENGTH")
        query = _wsgi_str(environ.get("QUERY_STRING", ""))
        scheme = environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        path = _wsgi_str(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        return {
            "method": request.method,
            "path": request.path,
            "query_string": query,
            "url": f"{scheme}://{host}{path}" + (f"?{query}" if query else ""),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "headers": headers,
            "form": form,
            "files": files,
            "body_size": int(length) if length and length.isdigit() else None,
            "body_preview": _decode_preview(preview),
        }

    def finish(self, ctx: RequestContext) -> None:
        """Build the trace and hand it to every tracer (once)."""
        if self._finished:
            return
        self._finished = True
        try:
            request_part = self._request_part(ctx)
        except Exception as e:  # a broken request must not lose the trace
            request_part = {"method": self.environ.get("REQUEST_METHOD"), "error": _message(e)}
        trace: Trace = {
            "version": TRACE_VERSION,
            "id": self.id,
            "app": self.app.name,
            "started_at": self.started_at,
            "duration_us": self._now_us(),
            "request": request_part,
            "routing": self.routing,
            "steps": self.steps,
            "templates": self.templates,
            "response": self.response,
            "session": self.session,
            "flashes": self.flashes,
            "exception": self.exception,
        }
        self.registry.deliver(self.app, trace)


class _TracedBody:
    """A streamed body, counted as it is sent; the trace ends when the server closes it."""

    def __init__(
        self, recorder: TraceRecorder, app_iter: t.Iterable[bytes], ctx: RequestContext
    ) -> None:
        self._recorder = recorder
        self._app_iter = app_iter
        self._ctx = ctx
        self._size = 0
        self._preview = bytearray()

    def __iter__(self) -> t.Iterator[bytes]:
        limit = self._recorder._preview_limit
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
            response = self._recorder.response
            if response is not None:
                response["body_size"] = self._size
                response["body_preview"] = _decode_preview(bytes(self._preview))
            self._recorder.finish(self._ctx)


def _type_name(error: BaseException) -> str:
    cls = type(error)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def _message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return "<str() failed>"


def traced_wsgi_app(
    app: App, environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]
) -> t.Iterable[bytes]:
    """``App.wsgi_app`` with a recorder attached; used only while tracers are attached."""
    recorder = TraceRecorder(app, environ)
    ctx = app.request_context(environ)
    ctx.recorder = recorder
    error: BaseException | None = None
    app_iter: t.Iterable[bytes] | None = None
    response: Response | None = None
    try:
        try:
            ctx.push()
            recorder.routed(ctx)
            response = app.full_dispatch_request(ctx)
        except Exception as e:
            error = e
            recorder.unhandled(e)
            response = app.handle_exception(e)
        except BaseException:
            error = sys.exc_info()[1]
            raise
        try:
            app_iter = response(environ, start_response)
        except Exception as e:  # a header Werkzeug cannot send (see App.wsgi_app)
            error = e
            recorder.unhandled(e)
            response = app.handle_exception(e)
            app_iter = response(environ, start_response)
        recorder.session_saved(ctx, response)
        recorder.response_ready(response)
    finally:
        if "werkzeug.debug.preserve_context" in environ:
            environ["werkzeug.debug.preserve_context"](_cv_app.get())
            environ["werkzeug.debug.preserve_context"](_cv_request.get())
        if error is not None and app.should_ignore_error(error):
            error = None
        try:
            ctx.pop(error)
        finally:
            if (
                app_iter is None
                or response is None
                or not (response.is_streamed or response.direct_passthrough)
            ):
                if recorder.exception is None and sys.exc_info()[1] is not None:
                    recorder.unhandled(t.cast(BaseException, sys.exc_info()[1]))
                recorder.finish(ctx)
    if response.is_streamed or response.direct_passthrough:
        return _TracedBody(recorder, app_iter, ctx)
    return app_iter


__all__ = [
    "STEP_KINDS",
    "TRACE_VERSION",
    "Trace",
    "TraceRecorder",
    "Tracer",
    "TracerRegistry",
    "jsonable",
    "short_repr",
    "traced_wsgi_app",
]
