"""The tracers attached to one app, and the facts about hooks they all share."""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import threading
import typing as t
import uuid
from types import CodeType

if t.TYPE_CHECKING:
    from ..app import App
    from .record import TraceRecord

Trace = dict[str, t.Any]
Tracer = t.Callable[[t.Any], t.Any]
"""Called with a :data:`Trace` dict, or with a :class:`TraceRecord` if added ``deferred``."""


class TracerRegistry:
    """The tracers of one app. Adding or removing never disturbs a request in flight."""

    def __init__(self) -> None:
        #: The attached tracers, in the order they were added; empty means requests
        #: take the untraced path.
        self.active: tuple[Tracer, ...] = ()
        #: Show cookie values and Authorization headers as ``••••••`` in traces.
        self.mask_secrets = False
        #: How many bytes of each request and response body a trace keeps.
        self.body_preview_limit = 2048
        # (tracer, deferred) pairs, swapped whole so a request iterates a stable tuple.
        self._listeners: tuple[tuple[Tracer, bool], ...] = ()
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

    def add(self, tracer: Tracer, *, deferred: bool = False) -> None:
        """Attach ``tracer``; with ``deferred`` it gets the :class:`TraceRecord` itself."""
        if not callable(tracer):
            raise TypeError(f"A tracer must be callable, got {type(tracer).__name__}.")
        with self._lock:
            self._set((*self._listeners, (tracer, deferred)))

    def remove(self, tracer: Tracer) -> None:
        with self._lock:
            for index, (listener, _) in enumerate(self._listeners):
                if listener == tracer:
                    self._set(self._listeners[:index] + self._listeners[index + 1 :])
                    return
        raise ValueError(f"{tracer!r} is not a tracer of this app.")

    def _set(self, listeners: tuple[tuple[Tracer, bool], ...]) -> None:
        self._listeners = listeners
        self.active = tuple(tracer for tracer, _ in listeners)

    def new_request_id(self) -> str:
        return f"{self._id_prefix}-{next(self._id_counter)}"

    def deliver(self, app: App, record: TraceRecord) -> None:
        """Hand a finished record to every tracer; the dict is built once, if anyone wants it."""
        for tracer, deferred in self._listeners:
            try:
                tracer(record if deferred else record.to_dict())
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
    """Name, file and line of a hook or view, from the code that was loaded.

    Never from the source file: while the app's file on disk has a syntax error (the
    console keeps the last good version serving), reading it would fail, and it may
    no longer say what runs.
    """
    view_class = getattr(func, "view_class", None)
    target = view_class if view_class is not None else inspect.unwrap(func)
    name = getattr(target, "__qualname__", None) or getattr(target, "__name__", None)
    if name is None:
        name = type(target).__name__
    if view_class is not None:
        name = f"{name}.as_view({getattr(func, '__name__', '?')!r})"
    code = _code_of(target)
    if code is None:
        return name, None, None
    return name, code.co_filename, code.co_firstlineno


def _code_of(target: t.Any) -> CodeType | None:
    """The code object that locates ``target``: its own for a function, its first
    method's for a class, its ``__call__``'s for a callable object."""
    while isinstance(target, functools.partial):
        target = target.func
    code = _function_code(target)
    if code is not None:
        return code
    if isinstance(target, type):
        members = (getattr(member, "__func__", member) for member in vars(target).values())
        codes = [code for code in map(_function_code, members) if code is not None]
        return min(codes, key=lambda code: code.co_firstlineno, default=None)
    return _function_code(type(target).__call__) if callable(target) else None


def _function_code(member: t.Any) -> CodeType | None:
    code = getattr(member, "__code__", None)
    return code if isinstance(code, CodeType) else None
