"""WSGI middleware: wrap ``app.wsgi_app`` to act on every request before the app sees it.

``TimingMiddleware`` sits between the server and the app. It measures how long the app
takes to produce the status and headers and adds them as ``X-Elapsed-Ms``. The ``App``
object stays the same; only its ``wsgi_app`` attribute is replaced by the wrapper, so the
test client and every server go through it.

Why authentication belongs in ``before_request`` and not here: middleware runs outside the
app. It sees only the WSGI environ — no routing (which endpoint is this?), no ``request`` or
``session`` objects (the signed session cookie is still an opaque string), no ``url_for``,
no app context. A ``before_request`` hook (see auth_hooks.py) has all of those, and can
return a normal response such as a redirect. Keep middleware for what needs no app
knowledge: timing, logging, proxies, mounting several apps.

Run it:
    python demo_apps/middleware.py
    hookscope run demo_apps/middleware.py
Then open http://127.0.0.1:5000/ and look at the response headers (curl -i ...).

Try:
    /            -> a page; X-Elapsed-Ms is a fraction of a millisecond
    /slow?ms=200 -> the view sleeps; X-Elapsed-Ms is about 200
    /slow?ms=abc -> 400: ms must be a whole number from 0 to 2000
Watch the console: the middleware prints before and after the app runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from framework import App, abort, request

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
MAX_SLEEP_MS = 2000


class TimingMiddleware:
    """Add X-Elapsed-Ms: the time from the request's arrival until the app started replying."""

    def __init__(self, wsgi_app: WSGIApp) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        print(f"middleware: before the app, {environ['REQUEST_METHOD']} {environ['PATH_INFO']}")

        def timed_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            elapsed_ms = (time.perf_counter() - started) * 1000
            print(f"middleware: after the app, {status} in {elapsed_ms:.2f} ms")
            timing = ("X-Elapsed-Ms", f"{elapsed_ms:.2f}")
            return start_response(status, [*headers, timing], exc_info)

        return self.wsgi_app(environ, timed_start_response)


app = App(__name__)
app.wsgi_app = TimingMiddleware(app.wsgi_app)  # type: ignore[method-assign]


@app.route("/")
def index() -> str:
    return "<h1>middleware</h1><p>look at the X-Elapsed-Ms response header</p>"


@app.route("/slow")
def slow() -> str:
    raw = request.args.get("ms", "100")
    milliseconds = int(raw) if raw.isascii() and raw.isdigit() else -1
    if not 0 <= milliseconds <= MAX_SLEEP_MS:
        abort(400, description=f"ms must be a whole number from 0 to {MAX_SLEEP_MS}, got {raw!r}")
    time.sleep(milliseconds / 1000)
    return f"slept {milliseconds} ms"


if __name__ == "__main__":
    app.run()
