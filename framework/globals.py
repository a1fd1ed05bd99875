"""The context variables behind ``request``, ``session``, ``g`` and ``current_app``.

These are the only module-level state in the framework: each thread (and each
asyncio task) sees its own value, so the threaded dev server is safe.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, cast

from werkzeug.local import LocalProxy

if TYPE_CHECKING:
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

app_ctx: AppContext = cast(Any, LocalProxy(_cv_app, unbound_message=_no_app_msg))
current_app: App = cast(Any, LocalProxy(_cv_app, "app", unbound_message=_no_app_msg))
g: _AppCtxGlobals = cast(Any, LocalProxy(_cv_app, "g", unbound_message=_no_app_msg))
request_ctx: RequestContext = cast(Any, LocalProxy(_cv_request, unbound_message=_no_req_msg))
request: Request = cast(Any, LocalProxy(_cv_request, "request", unbound_message=_no_req_msg))
session: SessionMixin = cast(Any, LocalProxy(_cv_request, "session", unbound_message=_no_req_msg))
