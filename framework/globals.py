"""``request``, ``session``, ``g``, ``current_app`` and the context variables they read.

The context variables are the only module-level state in the framework: each thread (and
each asyncio task) sees its own value, so the threaded dev server is safe. The proxies
(:mod:`.proxies`) read them each time they are used.
"""

from __future__ import annotations

import typing as t
from contextvars import ContextVar

from .proxies import context_proxy

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


app_ctx: AppContext = context_proxy(
    "AppContextProxy", _cv_app, None, _no_app_msg, "Stands for the current app context."
)
current_app: App = context_proxy(
    "CurrentAppProxy", _cv_app, "app", _no_app_msg, "Stands for the app of the current app context."
)
g: _AppCtxGlobals = context_proxy(
    "AppGlobalsProxy", _cv_app, "g", _no_app_msg, "Stands for ``g`` of the current app context."
)
request_ctx: RequestContext = context_proxy(
    "RequestContextProxy", _cv_request, None, _no_req_msg, "Stands for the current request context."
)
request: Request = context_proxy(
    "RequestProxy", _cv_request, "request", _no_req_msg, "Stands for the current request."
)
session: SessionMixin = context_proxy(
    "SessionProxy", _cv_request, "session", _no_req_msg, "Stands for the current request's session."
)
