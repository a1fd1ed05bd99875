"""Flask's hook registries, made to record each function they hold as a step of the trace.

A Flask app keeps what it calls per request in plain containers that its own code reads on
every request: ``before_request_funcs`` and its siblings (blueprint name -> list),
``teardown_appcontext_funcs`` (a list) and ``view_functions`` (endpoint -> view).
Instrumenting an app swaps each container for one of the same shape that wraps every
function put into it in a :class:`RecordedHook` (error handlers, kept three levels deep, are
wrapped as Flask's ``_find_error_handler`` returns them). Flask's loops then call the hooks
exactly as before, in Flask's order, and hooks registered later are recorded too: an
extension's late ``app.before_request(f)``, a blueprint registered afterwards,
``app.before_request_funcs.setdefault(None, []).append(f)``.

A RecordedHook compares and hashes as the function it wraps, so ``f in
app.before_request_funcs[None]``, ``list.remove(f)`` and ``add_url_rule``'s check for a
view that changed behave as they do without hookscope.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, Protocol, SupportsIndex


class StepRecorder(Protocol):
    """The request being traced, as the hooks see it (``TracedFlaskRequest`` in flask_app)."""

    def step(self, hook: RecordedHook, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any: ...


#: The request the current thread (or task) is serving, while it is traced.
current_request: ContextVar[StepRecorder | None] = ContextVar(
    "hookscope_flask_request", default=None
)


class RecordedHook:
    """One function of a hook registry; called, it runs as a step of the current trace.

    Outside a traced request (a hook run by hand, an app context popped by a CLI command)
    it calls the function just as Flask would have.

    Attributes:
        kind: The trace's step kind (``before_request``, ``view``, ...).
        blueprint: The registry key it was found under: a blueprint's name, or None.
        runs_as_is: Flask calls the function itself (it is sync, or a preprocessor).
    """

    def __init__(
        self, function: Callable[..., Any], kind: str, blueprint: str | None, app: Any
    ) -> None:
        functools.update_wrapper(self, function, updated=())
        self.__wrapped__: Callable[..., Any] = function
        self.kind = kind
        self.blueprint = blueprint
        self._app = app
        self.runs_as_is = kind == "url_value_preprocessor"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        recorder = current_request.get()
        if recorder is None:
            return self.runnable()(*args, **kwargs)
        return recorder.step(self, args, kwargs)

    def runnable(self) -> Callable[..., Any]:
        """The function as Flask calls it: through ``app.ensure_sync`` (so an ``async def``
        hook runs to completion), except url_value_preprocessors, which Flask calls as is.
        A function that ``ensure_sync`` gives back unchanged is not asked about again."""
        if self.runs_as_is:
            return self.__wrapped__
        runnable: Callable[..., Any] = self._app.ensure_sync(self.__wrapped__)
        self.runs_as_is = runnable is self.__wrapped__
        return runnable

    def __getattr__(self, name: str) -> Any:
        """Attributes set on the function (``view_class``, ``methods``, an extension's marks)
        read through, live. Dunders are not: this object must not look like a function to
        ``inspect`` (it would take an ``async def`` hook's code flags for its own)."""
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(self.__wrapped__, name)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordedHook):
            other = other.__wrapped__
        return bool(self.__wrapped__ == other)

    def __hash__(self) -> int:
        return hash(self.__wrapped__)

    def __repr__(self) -> str:
        return f"<recorded {self.kind} {self.__wrapped__!r}>"


def recorded(function: Any, kind: str, blueprint: str | None, app: Any) -> RecordedHook:
    """``function`` as a RecordedHook of ``kind`` and ``blueprint`` (itself if it is one)."""
    if isinstance(function, RecordedHook):
        if (function.kind, function.blueprint) == (kind, blueprint):
            return function
        function = function.__wrapped__
    return RecordedHook(function, kind, blueprint, app)


class HookList(list[Any]):
    """A list of hooks that records every function added to it, however it is added."""

    def __init__(
        self, kind: str, blueprint: str | None, app: Any, functions: Iterable[Any] = ()
    ) -> None:
        super().__init__()
        self.kind = kind
        self.blueprint = blueprint
        self._app = app
        self.extend(functions)

    def _hook(self, function: Any) -> RecordedHook:
        return recorded(function, self.kind, self.blueprint, self._app)

    def append(self, function: Any) -> None:
        super().append(self._hook(function))

    def extend(self, functions: Iterable[Any]) -> None:
        super().extend([self._hook(function) for function in functions])

    def insert(self, index: SupportsIndex, function: Any) -> None:
        super().insert(index, self._hook(function))

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, [self._hook(function) for function in value])
        else:
            super().__setitem__(index, self._hook(value))

    def __iadd__(self, functions: Iterable[Any]) -> HookList:  # type: ignore[misc]
        self.extend(functions)
        return self


class HookTable(dict[Any, HookList]):
    """Blueprint name (None for the app) -> HookList; a missing name reads as an empty list,
    as in Flask's ``defaultdict(list)``."""

    def __init__(self, kind: str, app: Any, hooks: Mapping[Any, Iterable[Any]]) -> None:
        super().__init__()
        self.kind = kind
        self._app = app
        self.update(hooks)

    def _list(self, key: Any, functions: Iterable[Any]) -> HookList:
        if isinstance(functions, HookList) and (functions.kind, functions.blueprint) == (
            self.kind,
            key,
        ):
            return functions
        return HookList(self.kind, key, self._app, functions)

    def __missing__(self, key: Any) -> HookList:
        hooks = self._list(key, ())
        super().__setitem__(key, hooks)
        return hooks

    def __setitem__(self, key: Any, functions: Iterable[Any]) -> None:
        super().__setitem__(key, self._list(key, functions))

    def setdefault(self, key: Any, default: Iterable[Any] = ()) -> HookList:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *others: Any, **more: Iterable[Any]) -> None:
        for key, functions in dict(*others, **more).items():
            self[key] = functions


class ViewTable(dict[str, Any]):
    """``view_functions``: endpoint -> view, each view recorded as the ``view`` step."""

    def __init__(self, app: Any, views: Mapping[str, Any]) -> None:
        super().__init__()
        self._app = app
        self.update(views)

    def __setitem__(self, endpoint: str, view: Any) -> None:
        super().__setitem__(endpoint, recorded(view, "view", None, self._app))

    def setdefault(self, endpoint: str, default: Any = None) -> Any:
        if endpoint not in self:
            self[endpoint] = default
        return self[endpoint]

    def update(self, *others: Any, **more: Any) -> None:
        for endpoint, view in dict(*others, **more).items():
            self[endpoint] = view


#: Flask's registries of per-request hooks (blueprint name -> list) and their step kinds.
HOOK_TABLES = (
    ("url_value_preprocessors", "url_value_preprocessor"),
    ("before_request_funcs", "before_request"),
    ("after_request_funcs", "after_request"),
    ("teardown_request_funcs", "teardown_request"),
)


def record_hooks(app: Any) -> None:
    """Swap the app's hook registries and view table for recording ones (once)."""
    for attribute, kind in HOOK_TABLES:
        table = getattr(app, attribute)
        if not isinstance(table, HookTable):
            setattr(app, attribute, HookTable(kind, app, table))
    if not isinstance(app.teardown_appcontext_funcs, HookList):
        app.teardown_appcontext_funcs = HookList(
            "teardown_appcontext", None, app, app.teardown_appcontext_funcs
        )
    if not isinstance(app.view_functions, ViewTable):
        app.view_functions = ViewTable(app, app.view_functions)


class RecordingErrorHandlerLookup:
    """Stands in for the app's ``_find_error_handler``: the handler it finds for an error
    raised in a traced request comes back recorded, as the ``errorhandler`` step."""

    def __init__(self, app: Any, find: Callable[[BaseException, list[str]], Any]) -> None:
        self._app = app
        self._find = find

    def __call__(self, error: BaseException, blueprints: list[str]) -> Any:
        handler = self._find(error, blueprints)
        if handler is None or current_request.get() is None:
            return handler
        return RecordedHook(handler, "errorhandler", owner_of(self._app, handler), self._app)


def owner_of(app: Any, handler: Any) -> str | None:
    """The blueprint (or None, the app) that registered ``handler`` as an error handler."""
    for owner, by_code in list(app.error_handler_spec.items()):
        for handlers in list(by_code.values()):
            if any(registered is handler for registered in list(handlers.values())):
                return owner  # type: ignore[no-any-return]
    return None


class HookAwareEnsureSync:
    """Stands in for the app's ``ensure_sync``: a recorded hook is returned as it is (it
    runs its function through ``ensure_sync`` itself), which spares ``inspect`` looking at
    an object that is not a function on every call; anything else goes to the app's own."""

    def __init__(self, ensure_sync: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
        self._ensure_sync = ensure_sync

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if type(function) is RecordedHook:
            return function
        return self._ensure_sync(function)


def record_error_handlers(app: Any) -> None:
    """Have the app's error handler lookup return recorded handlers, and its
    ``ensure_sync`` pass recorded hooks through (once)."""
    if not isinstance(app._find_error_handler, RecordingErrorHandlerLookup):
        app._find_error_handler = RecordingErrorHandlerLookup(app, app._find_error_handler)
    if not isinstance(app.ensure_sync, HookAwareEnsureSync):
        app.ensure_sync = HookAwareEnsureSync(app.ensure_sync)
