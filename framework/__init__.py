"""hookscope's web framework: Flask 3.1's API and behaviour on Werkzeug, Jinja2 and itsdangerous.

Flask code runs after ``from flask import X`` becomes ``from framework import X``
and ``Flask(`` becomes ``App(``.
"""

from __future__ import annotations

import typing as t

from markupsafe import Markup, escape

from . import json, signals, views
from .app import App
from .blueprints import Blueprint
from .config import Config
from .ctx import (
    after_this_request,
    copy_current_request_context,
    has_app_context,
    has_request_context,
)
from .globals import current_app, g, request, session
from .helpers import (
    abort,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    send_file,
    send_from_directory,
    stream_with_context,
    url_for,
)
from .json import jsonify
from .signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    before_render_template,
    got_request_exception,
    message_flashed,
    request_finished,
    request_started,
    request_tearing_down,
    template_rendered,
)
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    from .templating import (
        get_template_attribute,
        render_template,
        render_template_string,
        stream_template,
        stream_template_string,
    )

_TEMPLATING = {
    "get_template_attribute",
    "render_template",
    "render_template_string",
    "stream_template",
    "stream_template_string",
}


def __getattr__(name: str) -> t.Any:
    # Templating (and Jinja2 with it) loads on first use: importing the framework
    # stays fast for apps that never render, and for every hot reload.
    if name in _TEMPLATING:
        from . import templating

        return getattr(templating, name)
    if name == "__version__":
        # Flask 3.1 still answers ``flask.__version__``, with this warning.
        import warnings
        from importlib.metadata import version

        warnings.warn(
            "The '__version__' attribute is deprecated and will be removed in a future"
            " version. Use feature detection or 'importlib.metadata.version(\"hookscope\")'"
            " instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return version("hookscope")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "App",
    "Blueprint",
    "Config",
    "Markup",
    "Request",
    "Response",
    "abort",
    "after_this_request",
    "appcontext_popped",
    "appcontext_pushed",
    "appcontext_tearing_down",
    "before_render_template",
    "copy_current_request_context",
    "current_app",
    "escape",
    "flash",
    "g",
    "get_flashed_messages",
    "get_template_attribute",
    "got_request_exception",
    "has_app_context",
    "has_request_context",
    "json",
    "jsonify",
    "make_response",
    "message_flashed",
    "redirect",
    "render_template",
    "render_template_string",
    "request",
    "request_finished",
    "request_started",
    "request_tearing_down",
    "send_file",
    "send_from_directory",
    "session",
    "signals",
    "stream_template",
    "stream_template_string",
    "stream_with_context",
    "template_rendered",
    "url_for",
    "views",
]
