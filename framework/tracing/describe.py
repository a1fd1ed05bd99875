"""Turning what a request left behind into a trace's plain, JSON-serialisable parts.

These functions run when a trace is asked for as a dict (see
:meth:`TraceRecord.to_dict`), which may be on another thread long after the request
ended, so they read only facts the record kept and never the request's context.
"""

from __future__ import annotations

import contextlib
import math
import typing as t

from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as BaseResponse

REPR_LIMIT = 200
MASK = "••••••"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def short_repr(value: t.Any, limit: int = REPR_LIMIT) -> str:
    """A repr capped at ``limit`` characters; a failing ``__repr__`` is described."""
    if isinstance(value, BaseResponse):
        # What an after_request hook returns; Werkzeug's repr would measure the body.
        return f"<{type(value).__name__} [{value.status}]>"
    if isinstance(value, str | bytes) and len(value) > limit:
        value = value[:limit]  # the repr of a large body is cut anyway: don't build it whole
    try:
        text = repr(value)
    except Exception as e:
        text = f"<{type(value).__name__} object; repr() failed: {type(e).__name__}>"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def jsonable(value: t.Any, depth: int = 0) -> t.Any:
    """Plain JSON data from session values, view args and the like (others as repr)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)  # strict JSON has no inf/nan
    if depth > 20:
        return short_repr(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, depth + 1) for v in value]
    return short_repr(value)


def plain_session(session: t.Any) -> dict[str, t.Any] | None:
    """The session's content, read without marking it accessed (no ``Vary: Cookie``)."""
    if session is None or not isinstance(session, dict):
        return None
    content = {k: dict.__getitem__(session, k) for k in dict.keys(session)}
    return t.cast("dict[str, t.Any]", jsonable(content))


def type_name(error: BaseException) -> str:
    cls = type(error)
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def message(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:
        return "<str() failed>"


def decode_preview(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def masked(headers: list[list[str]], mask: bool) -> list[list[str]]:
    """``headers`` with secrets hidden when ``mask`` is set."""
    if mask:
        for pair in headers:
            if pair[0].lower() in SECRET_HEADERS:
                pair[1] = MASK
    return headers


def wsgi_str(value: str) -> str:
    """A WSGI environ string (bytes carried as latin-1) as text."""
    if value.isascii():
        return value
    return value.encode("latin-1", "replace").decode("utf-8", "replace")


def environ_headers(environ: dict[str, t.Any]) -> list[list[str]]:
    """The request headers as sent, read straight from the environ (values as received)."""
    headers = [
        [key[5:].replace("_", "-").title(), value]
        for key, value in environ.items()
        if key[:5] == "HTTP_"
    ]
    for key, name in (("CONTENT_TYPE", "Content-Type"), ("CONTENT_LENGTH", "Content-Length")):
        value = environ.get(key)
        if value:
            headers.append([name, value])
    return headers


def request_part(
    environ: dict[str, t.Any],
    method: str | None,
    routed_path: str | None,
    form: t.Any,
    files: t.Sequence[dict[str, t.Any]],
    body_preview: bytes,
    mask: bool,
) -> dict[str, t.Any]:
    """``form`` is the request's parsed form, or None if the app never read it."""
    fields: list[dict[str, t.Any]] = []
    if form is not None:
        fields = [
            {"name": k, "size": len(v.encode("utf-8", "replace"))}
            for k, v in form.items(multi=True)
        ]
    length = environ.get("CONTENT_LENGTH")
    query = wsgi_str(environ.get("QUERY_STRING", ""))
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    path = wsgi_str(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
    return {
        "method": method or environ.get("REQUEST_METHOD"),
        "path": routed_path or path,
        "query_string": query,
        "url": f"{scheme}://{host}{path}" + (f"?{query}" if query else ""),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "headers": masked(environ_headers(environ), mask),
        "form": fields,
        "files": list(files),
        "body_size": int(length) if length and length.isdigit() else None,
        "body_preview": decode_preview(body_preview),
    }


def uploaded_files(request: t.Any) -> list[dict[str, t.Any]]:
    """Name, filename and size of each uploaded file, read while the files are still open."""
    files: list[dict[str, t.Any]] = []
    if request is None or "files" not in request.__dict__:
        return files
    for key, storage in request.files.items(multi=True):
        size = storage.content_length
        if not size:
            with contextlib.suppress(Exception):
                pos = storage.stream.tell()
                storage.stream.seek(0, 2)
                size = storage.stream.tell()
                storage.stream.seek(pos)
        files.append({"name": key, "filename": storage.filename, "size": size})
    return files


def routing_part(
    rule: t.Any, view_args: dict[str, t.Any] | None, error: BaseException | None
) -> dict[str, t.Any]:
    if error is None and rule is not None:
        endpoint = rule.endpoint
        return {
            "outcome": "matched",
            "rule": rule.rule,
            "endpoint": endpoint,
            "view_args": jsonable(view_args) if view_args else {},
            "blueprint": endpoint.rpartition(".")[0] if "." in endpoint else None,
            "allowed_methods": sorted(rule.methods or ()),
            "location": None,
            "status": None,
        }
    outcome = "error"
    allowed: list[str] = []
    location = None
    if isinstance(error, RequestRedirect):
        outcome = "redirect"
        location = error.new_url
    elif isinstance(error, MethodNotAllowed):
        outcome = "method_not_allowed"
        allowed = sorted(error.valid_methods or ())
    elif isinstance(error, NotFound):
        outcome = "not_found"
    return {
        "outcome": outcome,
        "rule": None,
        "endpoint": None,
        "view_args": {},
        "blueprint": None,
        "allowed_methods": allowed,
        "location": location,
        "status": error.code if isinstance(error, HTTPException) else None,
    }


def response_part(
    status: int,
    headers: Headers,
    chunks: list[bytes] | None,
    sent: tuple[int | None, bytes],
    preview_limit: int,
    mask: bool,
) -> dict[str, t.Any]:
    """``chunks`` is the body, or None if it was streamed; then ``sent`` is the size and
    preview counted as it was sent."""
    body_size, preview = sent
    if chunks is not None:
        if len(chunks) == 1:
            body_size, preview = len(chunks[0]), chunks[0][:preview_limit]
        else:
            body_size = sum(len(chunk) for chunk in chunks)
            preview = b"".join(chunks)[:preview_limit]
    content_type = headers.get("Content-Type")
    return {
        "status": status,
        "headers": masked([[k, v] for k, v in headers.items()], mask),
        "mimetype": content_type.partition(";")[0].strip() if content_type else None,
        "body_size": body_size,
        "body_preview": decode_preview(preview),
        "streamed": chunks is None,
    }
