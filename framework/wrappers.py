"""Request and Response: Werkzeug's, plus what the framework's dispatch adds."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.wrappers import Request as _WerkzeugRequest
from werkzeug.wrappers import Response as _WerkzeugResponse

from . import json as _json
from .globals import _cv_app

if t.TYPE_CHECKING:
    from werkzeug.routing import Rule


def _config_value(key: str) -> t.Any:
    ctx = _cv_app.get(None)
    return None if ctx is None else ctx.app.config[key]


class Request(_WerkzeugRequest):
    """The request object behind ``request``.

    Routing fills :attr:`url_rule` and :attr:`view_args`; when routing failed,
    :attr:`routing_exception` holds the HTTP error to raise instead.
    """

    json_module: t.Any = _json
    url_rule: Rule | None = None
    view_args: dict[str, t.Any] | None = None
    routing_exception: HTTPException | None = None

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    @property
    def max_content_length(self) -> int | None:
        """``MAX_CONTENT_LENGTH`` from the app's config unless set on this request."""
        if self._max_content_length is not None:
            return self._max_content_length
        return _config_value("MAX_CONTENT_LENGTH")  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size
        if _cv_app.get(None) is None:
            return super().max_form_memory_size
        return _config_value("MAX_FORM_MEMORY_SIZE")  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        if self._max_form_parts is not None:
            return self._max_form_parts
        if _cv_app.get(None) is None:
            return super().max_form_parts
        return _config_value("MAX_FORM_PARTS")  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    @property
    def endpoint(self) -> str | None:
        return self.url_rule.endpoint if self.url_rule is not None else None

    @property
    def blueprint(self) -> str | None:
        """The name of the blueprint whose view handles this request (``a.b`` when nested)."""
        endpoint = self.endpoint
        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]
        return None

    @property
    def blueprints(self) -> list[str]:
        """This request's blueprint and its parents, innermost first."""
        name = self.blueprint
        if name is None:
            return []
        return blueprint_chain(name)

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """A body that is not JSON: a 400 whose reason is the decoder's in debug mode only.

        Outside debug mode, as in Flask, the decoder's message (which quotes the body's
        position and can echo its content) is not sent; the 400 still says what is wrong.
        """
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as error:
            if _config_value("DEBUG"):
                raise
            raise BadRequest("The request body is not valid JSON.") from error

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # In debug mode, a file asked for by a form that forgot its enctype gets an
        # error that says so (debughelpers.DebugFilesKeyError), not a bare 400.
        if self.mimetype != "multipart/form-data" and not self.files and _config_value("DEBUG"):
            from .debughelpers import FilesSentWithoutMultipart

            self.files = FilesSentWithoutMultipart(self)


def blueprint_chain(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a.b.c", "a.b", "a"]``: a nested blueprint and its parents."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


class Response(_WerkzeugResponse):
    """The response class; ``text/html`` by default, as in Flask."""

    default_mimetype: str | None = "text/html"
    json_module: t.Any = _json
    autocorrect_location_header = False

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        value = _config_value("MAX_COOKIE_SIZE")
        return super().max_cookie_size if value is None else int(value)
