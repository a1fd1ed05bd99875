"""Errors that explain a mistake better than the bare HTTP error would, in debug mode."""

from __future__ import annotations

import typing as t

from werkzeug.datastructures import FileStorage, ImmutableMultiDict
from werkzeug.routing import RequestRedirect

from .globals import _cv_request

if t.TYPE_CHECKING:
    from jinja2 import BaseLoader

    from .app import App
    from .scaffold import Scaffold
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


class LoadingAttempt(t.NamedTuple):
    """One loader asked for a template: whose loader, the loader, and what it found."""

    owner: Scaffold
    loader: BaseLoader
    found: tuple[str, str | None, t.Callable[[], bool] | None] | None


def explain_template_loading_attempts(
    app: App, template: str, attempts: list[LoadingAttempt]
) -> None:
    """Log (INFO, ``app.logger``) which loaders were asked for ``template`` and what each found.

    Sent when ``EXPLAIN_TEMPLATE_LOADING`` is on, to find out why a template is not found,
    or why another one than expected is.
    """
    lines = [f"Locating template {template!r}:"]
    for number, attempt in enumerate(attempts, start=1):
        lines.append(f"{number:5}: trying loader of {_describe_owner(attempt.owner)}")
        lines.extend(f"       {line}" for line in _describe_loader(attempt.loader))
        if attempt.found is None:
            lines.append("       -> no match")
        else:
            lines.append(f"       -> found ({attempt.found[1] or '<string>'!r})")
    matches = sum(attempt.found is not None for attempt in attempts)
    if matches == 0:
        lines.append("Error: the template could not be found.")
    elif matches > 1:
        lines.append("Warning: multiple loaders returned a match for the template.")
    request_context = _cv_request.get(None)
    blueprint = request_context.request.blueprint if request_context is not None else None
    if blueprint is not None and matches != 1:
        lines += [
            "  The template was looked up from an endpoint that belongs to the blueprint"
            f" {blueprint!r}.",
            "  Maybe you did not place a template in the right folder?",
            "  See https://flask.palletsprojects.com/blueprints/#templates",
        ]
    app.logger.info("\n".join(lines))


def _describe_owner(owner: Scaffold) -> str:
    from .blueprints import Blueprint

    if isinstance(owner, Blueprint):
        return f"blueprint {owner.name!r} ({owner.import_name})"
    return f"application {owner.import_name!r}"


def _describe_loader(loader: BaseLoader) -> list[str]:
    """The loader's class, and its public settings (``searchpath``, ``encoding``...)."""
    kind = type(loader)
    lines = [f"class: {kind.__module__}.{kind.__qualname__}"]
    for name, value in vars(loader).items():
        if name.startswith("_"):
            continue
        if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
            lines.append(f"{name}:")
            lines.extend(f"  - {item}" for item in value)
        elif isinstance(value, str | int | float | bool):
            lines.append(f"{name}: {value!r}")
    return lines
