"""Turning what a view returns into a response object, as Flask's ``make_response`` does."""

from __future__ import annotations

import sys
import typing as t
from collections.abc import Iterator

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter
from werkzeug.utils import redirect as _werkzeug_redirect
from werkzeug.wrappers import Response as BaseResponse

from .globals import _cv_request

if t.TYPE_CHECKING:
    from .json.provider import JSONProvider
    from .wrappers import Response

_INVALID_RETURN = (
    "The view function did not return a valid response. The return type must be a"
    " string, dict, list, tuple with headers or status, Response instance, or WSGI"
    " callable, but it was a {}."
)


class ResponseMaking:
    """The App's responses half: view return values, OPTIONS answers and redirects."""

    if t.TYPE_CHECKING:
        response_class: type[Response]
        json: JSONProvider

    def make_response(self, rv: t.Any) -> Response:
        """Turn a view's return value into a response object.

        Accepts str, bytes, a dict or list (JSON), an iterator or generator (streamed),
        a Response, any WSGI callable, or a tuple ``(body, status)``,
        ``(body, headers)`` or ``(body, status, headers)``.

        Raises:
            TypeError: the value is None or of a type no response can be made of.
        """
        if type(rv) is str:  # the most common return value, answered first
            # (The mimetype given spares Werkzeug a failing header lookup: an exception.)
            return self.response_class(rv, mimetype=self.response_class.default_mimetype)
        status: t.Any = None
        headers: t.Any = None
        if isinstance(rv, tuple):
            length = len(rv)
            if length == 3:
                rv, status, headers = rv
            elif length == 2:
                if isinstance(rv[1], Headers | dict | tuple | list):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple."
                    " The tuple must have the form (body, status, headers),"
                    " (body, status), or (body, headers)."
                )
        if rv is None:
            request_ctx = _cv_request.get(None)
            endpoint = request_ctx.request.endpoint if request_ctx is not None else None
            raise TypeError(
                f"The view function for {endpoint!r} did not return a valid"
                " response. The function either returned None or ended without a"
                " return statement."
            )
        if not isinstance(rv, self.response_class):
            if isinstance(rv, HTTPException):
                # Its own response, retyped: cheaper than running it as a WSGI app, and
                # the body stays a plain sequence (not a stream).
                environ = _request_environ()
                rv = self.response_class.force_type(rv.get_response(environ), environ)
            elif isinstance(rv, str | bytes | bytearray) or isinstance(rv, Iterator):
                rv = self.response_class(rv, status=status, headers=headers)  # type: ignore[arg-type]
                status = headers = None
            elif isinstance(rv, dict | list):
                rv = self.json.response(rv)
            elif isinstance(rv, BaseResponse) or callable(rv):
                try:
                    rv = self.response_class.force_type(rv, _request_environ())
                except TypeError as e:
                    message = _INVALID_RETURN.format(type(rv).__name__)
                    raise TypeError(f"{e}\n{message}").with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(_INVALID_RETURN.format(type(rv).__name__))
        if status is not None:
            if isinstance(status, str | bytes | bytearray):
                rv.status = status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv  # type: ignore[no-any-return]

    def make_default_options_response(self) -> Response:
        """The answer to an OPTIONS request for a rule with automatic OPTIONS: an
        ``Allow`` header listing the methods the URL accepts."""
        adapter = t.cast(MapAdapter, _cv_request.get().url_adapter)
        response = self.response_class()
        response.allow.update(adapter.allowed_methods())
        return response

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        """A redirect response of the app's response class (what ``redirect()`` uses)."""
        return _werkzeug_redirect(location, code=code, Response=self.response_class)


def _request_environ() -> dict[str, t.Any] | None:
    request_ctx = _cv_request.get(None)
    return request_ctx.request.environ if request_ctx is not None else None


#: Headers Werkzeug turns into URIs (percent-encoding non-ASCII) when it sends them.
_URI_HEADERS = frozenset({"location", "content-location"})


def check_header_values(response: Response) -> None:
    """Refuse a header HTTP cannot carry, instead of letting the server drop the connection.

    WSGI servers send header values as latin-1; a value outside it would make the
    server give up on the response after the app has finished. Raising here turns
    it into a logged 500 that names the header.

    Raises:
        ValueError: a header value is not latin-1 text.
    """
    for name, value in response.headers:  # the plain iterator: no generator per header
        if not value.isascii() and name.lower() not in _URI_HEADERS:
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise ValueError(
                    f"The response header {name!r} has a value that is not latin-1 text"
                    f" ({value[:40]!r}); HTTP headers cannot carry it. Percent-encode the"
                    " value, or use werkzeug.http.dump_options_header with an RFC 8187"
                    " filename*= parameter."
                ) from None
