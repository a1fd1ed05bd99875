"""The auth_hooks demo with its worker's pid in every response, for multi-worker tests.

Wrapping ``app.wsgi_app`` is the ordinary way to add WSGI middleware; the pid header
shows which server process answered.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from demo_apps.auth_hooks import app

_inner = app.wsgi_app


def _with_pid(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))], exc_info)

    return _inner(environ, start)


app.wsgi_app = _with_pid  # type: ignore[method-assign]
