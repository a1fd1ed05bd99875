"""The WSGI environ of a request, with the keys and values Werkzeug's development server gives.

An app run by ``hookscope run`` (Werkzeug's server) and by the console (this one) must see
the same request: the same PATH_INFO for a percent-encoded or absolute-form target, header
fields with an underscore in their name left out (so ``X_Forwarded_For`` cannot pose as
``X-Forwarded-For``), repeated fields joined with a comma, and ``wsgi.input_terminated``
for a chunked body.
"""

from __future__ import annotations

import sys
from typing import Any
from urllib.parse import unquote, urlsplit

from console.worker_http.parser import RequestHead

SERVER_SOFTWARE = "hookscope"
_NOT_PREFIXED = frozenset({"CONTENT_TYPE", "CONTENT_LENGTH"})


def _wsgi_text(text: str) -> str:
    """A str of Unicode text as WSGI carries it: its UTF-8 bytes, one character per byte."""
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def build_environ(
    head: RequestHead,
    body: Any,
    server_address: tuple[str, int],
    client_address: tuple[str, int],
) -> dict[str, Any]:
    """The environ for ``head``, whose body the app reads from ``body``."""
    target = head.target.decode("latin-1")
    if target.startswith("//"):
        target = "/" + target.lstrip("/")  # as http.server does: "//x" is no host
    path, query, host = _split_target(target)
    environ: dict[str, Any] = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "SERVER_SOFTWARE": SERVER_SOFTWARE,
        "REQUEST_METHOD": head.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "REMOTE_ADDR": client_address[0],
        "REMOTE_PORT": client_address[1],
        "SERVER_NAME": server_address[0],
        "SERVER_PORT": str(server_address[1]),
        "SERVER_PROTOCOL": f"HTTP/{head.http_version}",
    }
    for raw_name, raw_value in head.headers:
        name = raw_name.decode("latin-1")
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if key not in _NOT_PREFIXED:
            key = "HTTP_" + key
            if key in environ:
                value = f"{environ[key]},{value}"
        environ[key] = value
    if head.chunked:
        environ["wsgi.input_terminated"] = True
    if host is not None:
        environ["HTTP_HOST"] = host
    return environ


def _split_target(target: str) -> tuple[str, str, str | None]:
    """PATH_INFO, QUERY_STRING and, for an absolute-form target, the host it names."""
    if target.startswith("/"):
        # The origin form, nearly every request: what urlsplit gives, without its cost.
        rest, _, _fragment = target.partition("#")
        path, _, query = rest.partition("?")
        return (_wsgi_text(unquote(path)) if "%" in path else path), query, None
    parts = urlsplit(target)
    host = parts.netloc if parts.scheme and parts.netloc else None
    return _wsgi_text(unquote(parts.path)), _wsgi_text(parts.query), host


__all__ = ["SERVER_SOFTWARE", "build_environ"]
