"""The seam through which a request calls user code: plain, or recording for a trace.

Every hook, the view, every error handler and teardown function is called through the
request's :class:`Caller`, bound once when the request starts: :data:`PLAIN_CALLER`
when no tracer is attached, a :class:`~framework.tracing.TraceRecord` when one is. The
request lifecycle is the same code either way; only the caller differs, so there is no
second, traced copy of the lifecycle to keep in step with the first.

The pipeline makes functions synchronous itself (``app.ensure_sync``, as Flask does)
and hands the caller both the function as registered (``source``, what a trace
names) and the callable to run (``func``)::

    rv = caller.call(StepKind.BEFORE_REQUEST, None, func, app.ensure_sync(func))
"""

from __future__ import annotations

import typing as t
from enum import StrEnum

if t.TYPE_CHECKING:
    from collections.abc import Iterable

    from jinja2 import Template

    from .ctx import RequestContext
    from .wrappers import Response


class StepKind(StrEnum):
    """What part of the request a call to user code is; a trace step's ``kind``."""

    URL_VALUE_PREPROCESSOR = "url_value_preprocessor"
    BEFORE_REQUEST = "before_request"
    VIEW = "view"
    AFTER_REQUEST = "after_request"
    ERRORHANDLER = "errorhandler"
    TEARDOWN_REQUEST = "teardown_request"
    TEARDOWN_APPCONTEXT = "teardown_appcontext"


class Caller(t.Protocol):
    """What the request lifecycle tells its caller, and what it calls through it."""

    def routed(self, ctx: RequestContext) -> None:
        """The request context was pushed and the URL matched (or failed to)."""

    def call(
        self, kind: StepKind, blueprint: str | None, source: t.Any, func: t.Any, *args: t.Any
    ) -> t.Any:
        """Return ``func(*args)``; ``source`` is the function as registered under
        ``blueprint`` (None for the app)."""

    def call_view(self, source: t.Any, func: t.Any, view_args: dict[str, t.Any]) -> t.Any:
        """Return ``func(**view_args)``: the view of the matched rule."""

    def render(self, template: Template, context: dict[str, t.Any]) -> str:
        """Return ``template.render(context)``."""

    def session_opened(self, session: t.Any) -> None:
        """The request opened its session: its state before the request changes it."""

    def unhandled(self, error: BaseException) -> None:
        """``error`` left the dispatch (or the teardown) without a handler."""

    def sending(
        self, ctx: RequestContext, response: Response, body: Iterable[bytes]
    ) -> Iterable[bytes]:
        """The response is final; return the body to give the server."""

    def popped(self, ctx: RequestContext) -> None:
        """The request context was popped at the end of the request (teardown ran)."""


class PlainCaller:
    """Calls and nothing more: the caller of every request nobody traces."""

    __slots__ = ()

    def routed(self, ctx: RequestContext) -> None:
        pass

    def call(
        self, kind: StepKind, blueprint: str | None, source: t.Any, func: t.Any, *args: t.Any
    ) -> t.Any:
        # Hooks take no argument or one: called plainly, Python 3.11 runs them inline,
        # which ``func(*args)`` would not.
        if not args:
            return func()
        if len(args) == 1:
            return func(args[0])
        return func(*args)

    def call_view(self, source: t.Any, func: t.Any, view_args: dict[str, t.Any]) -> t.Any:
        return func(**view_args)

    def render(self, template: Template, context: dict[str, t.Any]) -> str:
        return template.render(context)

    def session_opened(self, session: t.Any) -> None:
        pass

    def unhandled(self, error: BaseException) -> None:
        pass

    def sending(
        self, ctx: RequestContext, response: Response, body: Iterable[bytes]
    ) -> Iterable[bytes]:
        return body

    def popped(self, ctx: RequestContext) -> None:
        pass


#: The one plain caller; it holds no state, so every untraced request shares it.
PLAIN_CALLER: t.Final[Caller] = PlainCaller()
