"""Errors that explain a mistake better than the bare HTTP error would, in debug mode."""

from __future__ import annotations

import typing as t

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
