"""Errors that explain a mistake better than the bare HTTP error would, in debug mode."""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.routing import RequestRedirect

if t.TYPE_CHECKING:
    from .wrappers import Request


class FormDataRoutingRedirect(AssertionError):
    """A POST to a URL that routing would redirect: the browser would drop the form data."""

    def __init__(self, request: Request) -> None:
        error = t.cast(RequestRedirect, request.routing_exception)
        message = [
            f"A request was sent to '{request.url}', but routing issued"
            f" a redirect to the canonical URL '{error.new_url}'."
        ]
        if f"{request.base_url}/" == error.new_url.partition("?")[0]:
            message.append(
                " The URL was defined with a trailing slash. Werkzeug"
                " will redirect to the URL with a trailing slash if it"
                " was accessed without one."
            )
        message.append(
            " Send requests to the canonical URL, or use 307 or 308 for"
            " routing redirects. Otherwise, browsers will drop form"
            " data.\n\nThis exception is only raised in debug mode."
        )
        super().__init__("".join(message))


class DebugFilesKeyError(KeyError, AssertionError):
    """``request.files[name]`` of a form that was not sent as ``multipart/form-data``.

    The browser then sends only the file's name, as a plain form field, and no file: the
    bare KeyError (a 400) would not say why the file is missing.
    """

    def __init__(self, request: Request, key: str) -> None:
        message = (
            f"You tried to access the file {key!r} in request.files, but it is not there:"
            f" the request's mimetype is {request.mimetype!r} instead of"
            " 'multipart/form-data', so no file contents were transmitted. To send files,"
            ' give the form enctype="multipart/form-data".'
        )
        names = request.form.getlist(key)
        if names:
            submitted = ", ".join(repr(name) for name in names)
            message += (
                "\n\nThe browser sent the file names as form fields instead."
                f" This was submitted: {submitted}"
            )
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message  # not KeyError's repr() of its argument


class FilesSentWithoutMultipart(ImmutableMultiDict[str, FileStorage]):
    """``request.files`` in debug mode when the body was not ``multipart/form-data``.

    It is empty; asking it for a name the form holds raises :class:`DebugFilesKeyError`.
    """

    def __init__(self, request: Request) -> None:
        super().__init__()
        self.request = request

    def __getitem__(self, key: str) -> FileStorage:
        try:
            return super().__getitem__(key)
        except KeyError:
            if key not in self.request.form:
                raise
            raise DebugFilesKeyError(self.request, key) from None
