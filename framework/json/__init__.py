"""JSON helpers that use the current app's JSON provider when there is one."""

from __future__ import annotations

import json as _stdlib_json
import typing as t

from ..globals import _cv_app
from .provider import DefaultJSONProvider, JSONProvider

if t.TYPE_CHECKING:
    from ..wrappers import Response

__all__ = ["DefaultJSONProvider", "JSONProvider", "dump", "dumps", "jsonify", "load", "loads"]


def dumps(obj: t.Any, **kwargs: t.Any) -> str:
    """Serialize ``obj`` with the app's provider, or with the default rules outside an app."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.json.dumps(obj, **kwargs)
    kwargs.setdefault("default", DefaultJSONProvider.default)
    return _stdlib_json.dumps(obj, **kwargs)


def dump(obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
    fp.write(dumps(obj, **kwargs))


def loads(s: str | bytes, **kwargs: t.Any) -> t.Any:
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.json.loads(s, **kwargs)
    return _stdlib_json.loads(s, **kwargs)


def load(fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
    return loads(fp.read(), **kwargs)


def jsonify(*args: t.Any, **kwargs: t.Any) -> Response:
    """A JSON response of the arguments: one value, several (a list), or keywords (a dict).

    Pretty-printed in debug mode. Needs an app context.
    """
    ctx = _cv_app.get(None)
    if ctx is None:
        raise RuntimeError("jsonify() needs an application context; push app.app_context().")
    return ctx.app.json.response(*args, **kwargs)
