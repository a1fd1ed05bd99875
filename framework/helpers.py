"""Helpers for views: url_for, redirect, abort, flash, make_response, files, streaming."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
from functools import update_wrapper

import werkzeug.utils
from werkzeug.exceptions import abort as _werkzeug_abort

from . import signals
from .globals import _cv_app, _cv_request, current_app, request_ctx

P = t.ParamSpec("P")

if t.TYPE_CHECKING:
    from werkzeug.wrappers import Response as BaseResponse

    from .ctx import AppContext, RequestContext
    from .wrappers import Response


def get_debug_flag() -> bool:
    """Debug mode from the ``FLASK_DEBUG`` or ``HOOKSCOPE_DEBUG`` environment variable."""
    value = os.environ.get("HOOKSCOPE_DEBUG") or os.environ.get("FLASK_DEBUG") or ""
    return bool(value) and value.lower() not in {"0", "false", "no"}


def get_root_path(import_name: str) -> str:
    """The folder of the module or package ``import_name``, or the working directory."""
    module = sys.modules.get(import_name)
    if module is not None and getattr(module, "__file__", None):
        return os.path.dirname(os.path.abspath(t.cast(str, module.__file__)))
    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or spec.loader is None:
        return os.getcwd()  # not importable (an interactive __main__, say)
    get_filename = getattr(spec.loader, "get_filename", None)
    if get_filename is not None:
        return os.path.dirname(os.path.abspath(str(get_filename(import_name))))
    importlib.import_module(import_name)
    filename: str | None = getattr(sys.modules[import_name], "__file__", None)
    if filename is not None:
        return os.path.dirname(os.path.abspath(filename))
    raise RuntimeError(
        f"No root path can be found for the provided module {import_name!r}. This can"
        " happen because the module came from an import hook that does not provide"
        " file name information or because it's a namespace package. In this case"
        " the root path needs to be explicitly provided."
    )


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """The URL of ``endpoint`` with ``values``; unknown values become the query string."""
    return current_app.url_for(
        endpoint,
        _anchor=_anchor,
        _method=_method,
        _scheme=_scheme,
        _external=_external,
        **values,
    )


def redirect(
    location: str, code: int = 302, Response: type[BaseResponse] | None = None
) -> BaseResponse:
    """A redirect response; uses the app's response class inside an app context."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        return ctx.app.redirect(location, code=code)
    return werkzeug.utils.redirect(location, code=code, Response=Response)


def abort(code: int | BaseResponse, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the HTTPException for ``code`` (or wrapping a response)."""
    ctx = _cv_app.get(None)
    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)
    _werkzeug_abort(code, *args, **kwargs)


def make_response(*args: t.Any) -> Response:
    """Turn a view's return value (body, status, headers) into a response object."""
    if not args:
        return current_app.response_class()
    value = args[0] if len(args) == 1 else args
    return current_app.make_response(value)


def flash(message: str, category: str = "message") -> None:
    """Queue a message for the next request that calls :func:`get_flashed_messages`."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    session = ctx.session
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    if signals.message_flashed.receivers:
        signals.message_flashed.send(ctx.app, message=message, category=category)


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Take the queued messages out of the session (once per request, then cached)."""
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    flashes = ctx.flashes
    if flashes is None:
        session = ctx.session
        flashes = session.pop("_flashes") if "_flashes" in session else []
        ctx.flashes = flashes
    if category_filter:
        # Membership as Flask tests it, so a single category given as a string works too.
        flashes = [item for item in flashes if item[0] in category_filter]
    if with_categories:
        return [tuple(item) for item in flashes]
    return [item[1] for item in flashes]


def _send_file_kwargs(**kwargs: t.Any) -> dict[str, t.Any]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age
    kwargs.update(
        environ=request_ctx.request.environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
    )
    return kwargs


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.BinaryIO,
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: t.Any = None,
    max_age: int | t.Callable[[str | None], int | None] | None = None,
) -> Response:
    """Send a file (Werkzeug's send_file with the app's settings); relative to root_path."""
    return werkzeug.utils.send_file(  # type: ignore[return-value]
        **_send_file_kwargs(
            path_or_file=path_or_file,
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            conditional=conditional,
            etag=etag,
            last_modified=last_modified,
            max_age=max_age,
        )
    )


def send_from_directory(
    directory: os.PathLike[str] | str, path: os.PathLike[str] | str, **kwargs: t.Any
) -> Response:
    """Send ``path`` from inside ``directory``; anything that escapes it is a 404."""
    return werkzeug.utils.send_from_directory(  # type: ignore[return-value]
        directory, path, **_send_file_kwargs(**kwargs)
    )


@t.overload
def stream_with_context(generator_or_function: t.Iterable[t.AnyStr]) -> t.Iterator[t.AnyStr]: ...


@t.overload
def stream_with_context(
    generator_or_function: t.Callable[P, t.Iterable[t.AnyStr]],
) -> t.Callable[P, t.Iterator[t.AnyStr]]: ...


def stream_with_context(
    generator_or_function: t.Iterable[t.AnyStr] | t.Callable[P, t.Iterable[t.AnyStr]],
) -> t.Iterator[t.AnyStr] | t.Callable[P, t.Iterator[t.AnyStr]]:
    """Keep the request context alive while a streamed response's generator runs.

    Wraps an iterable, or decorates a generator function. The current app and request
    contexts are taken now, in the view, and pushed again when the server starts reading
    the body -- after the view's own pushes were popped, in the server's context, not in
    an async view's event loop -- then popped in reverse order when the iterable is done
    or the response is closed. The iterable is closed as a WSGI server would close it,
    inside the contexts once reading has started.
    """
    try:
        iterator = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:
        function = t.cast(t.Callable[P, t.Iterable[t.AnyStr]], generator_or_function)

        def decorator(*args: P.args, **kwargs: P.kwargs) -> t.Iterator[t.AnyStr]:
            return stream_with_context(function(*args, **kwargs))

        return update_wrapper(decorator, function)

    request_context = _cv_request.get(None)
    if request_context is None:
        raise RuntimeError(
            "'stream_with_context' can only be used when a request"
            " context is active, such as in a view function."
        )
    streamed = _stream_in_contexts(iterator, _cv_app.get(), request_context)
    next(streamed)  # runs to the sentinel: what is left runs when the response is read
    return streamed


def _stream_in_contexts(
    iterator: t.Iterator[t.AnyStr], app_context: AppContext, request_context: RequestContext
) -> t.Generator[t.AnyStr, None, None]:
    try:
        yield None  # type: ignore[misc]
    except GeneratorExit:  # closed before it was read: nothing was pushed
        _close(iterator)
        raise
    # The app context first, so the request context finds it instead of pushing another.
    with app_context, request_context:
        try:
            yield from iterator
        finally:
            _close(iterator)


def _close(iterator: t.Iterator[t.Any]) -> None:
    """Close what was wrapped, as the WSGI server would have (a generator, a file...)."""
    close = getattr(iterator, "close", None)
    if close is not None:
        close()
