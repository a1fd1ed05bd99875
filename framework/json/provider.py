"""The app's JSON provider: how ``jsonify``, ``request.json`` and dict returns serialize."""

from __future__ import annotations

import dataclasses
import json
import sys
import typing as t
import uuid
import weakref
from datetime import date

from werkzeug.http import http_date

if t.TYPE_CHECKING:
    from ..app import App
    from ..wrappers import Response


class JSONProvider:
    """The interface an app's ``json`` attribute follows; subclass it to swap libraries."""

    def __init__(self, app: App) -> None:
        self._app: weakref.ref[App] = weakref.ref(app)

    @property
    def app(self) -> App:
        app = self._app()
        if app is None:
            raise RuntimeError("The app this JSON provider belongs to no longer exists.")
        return app

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        raise NotImplementedError

    def dump(self, obj: t.Any, fp: t.IO[str], **kwargs: t.Any) -> None:
        fp.write(self.dumps(obj, **kwargs))

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        raise NotImplementedError

    def load(self, fp: t.IO[t.AnyStr], **kwargs: t.Any) -> t.Any:
        return self.loads(fp.read(), **kwargs)

    def _response_value(self, args: tuple[t.Any, ...], kwargs: dict[str, t.Any]) -> t.Any:
        if args and kwargs:
            raise TypeError("app.json.response() takes either args or kwargs, not both")
        if not args and not kwargs:
            return None
        if len(args) == 1:
            return args[0]
        return args or kwargs

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        obj = self._response_value(args, kwargs)
        return self.app.response_class(self.dumps(obj), mimetype="application/json")


class DefaultJSONProvider(JSONProvider):
    """The standard library's ``json`` with Flask's extra types and settings."""

    ensure_ascii = True
    sort_keys = True
    #: None: compact output, but pretty (indent 2) in debug mode.
    compact: bool | None = None
    mimetype = "application/json"

    @staticmethod
    def default(o: t.Any) -> t.Any:
        """Serialize dates as HTTP dates; UUID, Decimal, dataclasses and markup as text."""
        if isinstance(o, date):
            return http_date(o)
        if isinstance(o, uuid.UUID):
            return str(o)
        decimal = sys.modules.get("decimal")  # no Decimal can exist before decimal is imported
        if decimal is not None and isinstance(o, decimal.Decimal):
            return str(o)
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return dataclasses.asdict(o)
        if hasattr(o, "__html__"):
            return str(o.__html__())
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return json.dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: t.Any) -> t.Any:
        """Parse JSON; nesting deeper than Python's recursion allows is a ValueError too."""
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON is nested too deeply to parse") from None

    def response(self, *args: t.Any, **kwargs: t.Any) -> Response:
        obj = self._response_value(args, kwargs)
        if (self.compact is None and self.app.debug) or self.compact is False:
            text = self.dumps(obj, indent=2)
        else:
            text = self.dumps(obj, separators=(",", ":"))
        return self.app.response_class(f"{text}\n", mimetype=self.mimetype)
