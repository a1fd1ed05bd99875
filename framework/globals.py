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

    Werkzeug's LocalProxy does the same through several layers of descriptors; this
    one resolves an attribute access in a single call, which the request hot path
    (hooks reading ``g``, views reading ``request``) notices. Outside a context,
    using it raises RuntimeError with a message saying which context is missing;
    ``bool(proxy)`` is then False.
    """

    __slots__ = ("_ContextProxy__var", "_ContextProxy__attr", "_ContextProxy__unbound")

    def __init__(self, var: ContextVar[t.Any], attr: str | None, unbound_message: str) -> None:
        object.__setattr__(self, "_ContextProxy__var", var)
        object.__setattr__(self, "_ContextProxy__attr", attr)
        object.__setattr__(self, "_ContextProxy__unbound", unbound_message)

    def _get_current_object(self) -> t.Any:
        """The object the proxy stands for right now (to pass to another thread, say)."""
        try:
            ctx = self.__var.get()
        except LookupError:
            raise RuntimeError(self.__unbound) from None
        attr = self.__attr
        return ctx if attr is None else getattr(ctx, attr)

    def __getattr__(self, name: str) -> t.Any:
        try:
            ctx = self.__var.get()
        except LookupError:
            raise RuntimeError(self.__unbound) from None
        attr = self.__attr
        return getattr(ctx if attr is None else getattr(ctx, attr), name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        try:
            ctx = self.__var.get()
        except LookupError:
            raise RuntimeError(self.__unbound) from None
        attr = self.__attr
        setattr(ctx if attr is None else getattr(ctx, attr), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._get_current_object(), name)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # noqa: F811  (isinstance() sees the real object's class)
        try:
            return type(self._get_current_object())
        except RuntimeError:
            return ContextProxy

    def __dir__(self) -> list[str]:
        try:
            return dir(self._get_current_object())
        except RuntimeError:
            return []

    def __repr__(self) -> str:
        try:
            return repr(self._get_current_object())
        except RuntimeError:
            return f"<{type(self).__name__} unbound>"

    def __str__(self) -> str:
        return str(self._get_current_object())

    def __bool__(self) -> bool:
        try:
            return bool(self._get_current_object())
        except RuntimeError:
            return False

    def __eq__(self, other: object) -> bool:
        return bool(self._get_current_object() == other)

    def __ne__(self, other: object) -> bool:
        return bool(self._get_current_object() != other)

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self._get_current_object())

    def __iter__(self) -> t.Iterator[t.Any]:
        return iter(self._get_current_object())

    def __contains__(self, item: object) -> bool:
        return item in self._get_current_object()

    def __getitem__(self, key: t.Any) -> t.Any:
        return self._get_current_object()[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        self._get_current_object()[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del self._get_current_object()[key]

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return self._get_current_object()(*args, **kwargs)

    def __html__(self) -> str:
        return t.cast(str, self._get_current_object().__html__())


app_ctx: AppContext = t.cast(t.Any, ContextProxy(_cv_app, None, _no_app_msg))
current_app: App = t.cast(t.Any, ContextProxy(_cv_app, "app", _no_app_msg))
g: _AppCtxGlobals = t.cast(t.Any, ContextProxy(_cv_app, "g", _no_app_msg))
request_ctx: RequestContext = t.cast(t.Any, ContextProxy(_cv_request, None, _no_req_msg))
request: Request = t.cast(t.Any, ContextProxy(_cv_request, "request", _no_req_msg))
session: SessionMixin = t.cast(t.Any, ContextProxy(_cv_request, "session", _no_req_msg))
