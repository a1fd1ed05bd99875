"""Serving and tracing any app a target names: a framework App, a Flask app, a WSGI callable.

The worker loads a target with :func:`load_served_app` and attaches its trace listener with
:func:`attach_tracer`, whatever kind of app it got. A framework App traces itself; a
genuine ``flask.Flask`` is instrumented (console.instrument.flask_app) so its traces have the
same format and the same steps; a bare WSGI callable is wrapped in a
:class:`~console.instrument.plain_wsgi.PlainWSGIApp` and traced without steps. Flask is
imported only when the target made a Flask app.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, TypeAlias

from console.instrument.plain_wsgi import PlainWSGIApp
from console.targets import is_app, is_flask_app, load_wsgi_target

if TYPE_CHECKING:
    from console.targets import LoadedApp
    from framework.tracing import Tracer

    ServedApp: TypeAlias = LoadedApp | PlainWSGIApp


def load_served_app(target: str) -> ServedApp:
    """The app ``target`` names, ready for the worker to describe and serve.

    Raises:
        console.targets.TargetError: The target cannot be loaded (see load_wsgi_target).
    """
    loaded = load_wsgi_target(target)
    if is_app(loaded):
        return loaded  # type: ignore[return-value]
    return PlainWSGIApp(loaded)


def attach_tracer(app: Any, tracer: Tracer, *, mask_secrets: bool = False) -> bool:
    """Hand each request's trace of ``app`` to ``tracer``: a ``TraceRecord`` when the app
    can defer building it (``record.to_dict()`` builds the plain data), else the dict.

    Returns:
        False when ``app`` cannot be traced (it is served untraced).
    """
    if is_flask_app(app):
        from console.instrument.flask_app import instrument_flask

        tracers = instrument_flask(app)
    elif isinstance(app, PlainWSGIApp):
        tracers = app.tracers
    elif hasattr(app, "add_tracer"):
        app.tracers.mask_secrets = mask_secrets
        app.add_tracer(tracer, **_deferred_if_supported(app))
        return True
    else:
        return False
    tracers.mask_secrets = mask_secrets
    tracers.add(tracer, deferred=True)
    return True


def _deferred_if_supported(app: Any) -> dict[str, bool]:
    """``deferred=True`` for the framework's tracers; an App whose ``add_tracer`` was
    overridden without it gets plain dicts."""
    try:
        parameters = inspect.signature(app.add_tracer).parameters
    except (TypeError, ValueError):
        return {}
    return {"deferred": True} if "deferred" in parameters else {}


__all__ = ["PlainWSGIApp", "attach_tracer", "load_served_app"]
