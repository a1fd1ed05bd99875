"""The requests a worker is running, so a retiring worker can say what it waits for and what
it cut.

:class:`InFlightRequests` wraps the app the server calls. A request is in flight from the
call until its body is closed, so a streamed body (a long poll, server-sent events) counts
until its last chunk. Recording a request costs a dict insert and a pop, no lock.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from types import FrameType
from typing import Any

from console.ignored_paths import is_ignored
from console.protocol import InFlightRequest
from console.worker.app_description import HOOKSCOPE_PACKAGES

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: How often a leaving worker looks whether its requests are done.
IDLE_POLL = 0.01
_monotonic = time.monotonic
_get_ident = threading.get_ident
_LIBRARY_PATHS = tuple(
    {
        os.path.abspath(path) + os.sep
        for key in ("stdlib", "platstdlib")
        if (path := sysconfig.get_paths().get(key))
    }
)


class InFlightRequests:
    """A WSGI app that runs ``app`` and keeps track of the requests running in it."""

    def __init__(self, app: WSGIApp) -> None:
        self._app = app
        self._running: dict[int, tuple[dict[str, Any], float, int]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = id(environ)  # unique while the request runs, and free to compute
        running = self._running
        running[key] = (environ, _monotonic(), _get_ident())
        try:
            body = self._app(environ, start_response)
        except BaseException:
            running.pop(key, None)
            raise
        if type(body) is list:  # complete already: only the writing is left
            running.pop(key, None)
            return body
        return _TrackedBody(body, running, key)

    def __len__(self) -> int:
        return len(self._running)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is running; False if some still are after ``timeout``.

        (It polls: a worker waits like this once, when it leaves, and the requests pay
        nothing for being waited for.)
        """
        deadline = _monotonic() + timeout
        while self._running:
            remaining = deadline - _monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(remaining, IDLE_POLL))
        return True

    def snapshot(self, homes: Iterable[str] = ()) -> tuple[InFlightRequest, ...]:
        """The requests running now, oldest first, each with where its thread is.

        ``where`` names the innermost frame in ``homes`` (the app's directories), or else
        the innermost frame outside the standard library, libraries and hookscope.
        """
        now = time.monotonic()
        frames = sys._current_frames()
        requests = []
        for environ, started, thread in sorted(self._running.values(), key=lambda r: r[1]):
            requests.append(
                InFlightRequest(
                    method=str(environ.get("REQUEST_METHOD", "?")),
                    target=_target(environ),
                    request_id=_request_id(environ),
                    running_s=round(now - started, 3),
                    where=_where(frames.get(thread), tuple(homes)),
                )
            )
        return tuple(requests)

    def cut_traces(self, app_name: str, grace: float) -> list[dict[str, Any]]:
        """A trace for each running request, marked ``"cut"``: what the console shows for a
        request the worker gave up on, with the stack it was cut in as its traceback."""
        now, wall = time.monotonic(), time.time()
        frames = sys._current_frames()
        traces = []
        for number, (environ, started, thread) in enumerate(
            sorted(self._running.values(), key=lambda running: running[1]), start=1
        ):
            frame = frames.get(thread)
            stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
            path = str(environ.get("PATH_INFO", ""))
            traces.append(
                {
                    "version": 1,
                    "id": _request_id(environ) or f"cut-{os.getpid()}-{number}",
                    "app": app_name,
                    "started_at": wall - (now - started),
                    "duration_us": int((now - started) * 1_000_000),
                    "request": {
                        "method": str(environ.get("REQUEST_METHOD", "?")),
                        "path": path,
                        "query_string": str(environ.get("QUERY_STRING", "")),
                    },
                    "routing": None,
                    "steps": [],
                    "templates": [],
                    "response": None,
                    "session": None,
                    "flashes": None,
                    "exception": {
                        "type": "RequestCut",
                        "message": f"cut after the {grace:g} s grace period: the app was "
                        "reloaded or stopped while this request ran",
                        "traceback": stack,
                    },
                    "cut": True,
                }
            )
        return traces


class _TrackedBody:
    """A response body that ends its request's time in flight when the server closes it."""

    __slots__ = ("_body", "_key", "_running")

    def __init__(self, body: Iterable[bytes], running: dict[int, Any], key: int) -> None:
        self._body = body
        self._running = running
        self._key = key

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._running.pop(self._key, None)


def _target(environ: dict[str, Any]) -> str:
    path = str(environ.get("PATH_INFO", "")) or "/"
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _request_id(environ: dict[str, Any]) -> str | None:
    value = environ.get("HTTP_X_REQUEST_ID")
    if isinstance(value, str) and value and len(value) <= 200 and value.isprintable():
        return value
    return None


def _where(frame: FrameType | None, homes: tuple[str, ...]) -> str:
    fallback = ""
    while frame is not None:
        file = os.path.abspath(frame.f_code.co_filename)
        here = f"{os.path.basename(file)}:{frame.f_lineno} in {frame.f_code.co_name}"
        if homes and file.startswith(homes):
            return here
        if not fallback and not _is_library(file):
            fallback = here
        frame = frame.f_back
    return fallback


def _is_library(file: str) -> bool:
    return (
        file.startswith(HOOKSCOPE_PACKAGES) or file.startswith(_LIBRARY_PATHS) or is_ignored(file)
    )


__all__ = ["InFlightRequests"]
