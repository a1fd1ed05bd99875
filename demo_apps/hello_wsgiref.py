"""Hello, wsgiref: a raw WSGI function and a framework app, served by the same stdlib server.

WSGI is just a calling convention: a callable that takes ``(environ, start_response)`` and
returns an iterable of bytes. ``runserver`` below is written by hand; ``app`` is a framework
``App``. Python's own ``wsgiref.simple_server`` serves both, because both speak WSGI.

Run it:
    python demo_apps/hello_wsgiref.py        (raw function on :8000, framework app on :8001)
    hookscope run demo_apps/hello_wsgiref.py (serves the framework app)

Try:
    http://127.0.0.1:8000/       -> "<h1>Hello, web!</h1>" from the hand-written function
    http://127.0.0.1:8001/       -> the framework app, served by the same wsgiref server
    http://127.0.0.1:8001/nope   -> a 404: routing exists only on the framework side
Watch the console: wsgiref logs every request line; both apps print what they handle.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import make_server

from framework import App

StartResponse = Callable[..., Any]


def runserver(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """A WSGI application with nothing but the standard library."""
    print(f"hello_wsgiref (raw): {environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [bytes("<h1>Hello, web!</h1>", encoding="utf-8")]


app = App(__name__)


@app.route("/")
def index() -> str:
    print("hello_wsgiref (framework): GET /")
    return "<h1>Hello from the framework, served by wsgiref</h1>"


def serve(wsgi_app: Callable[..., Any], port: int, label: str) -> None:
    """Serve one WSGI callable with the standard library's reference server."""
    with make_server("127.0.0.1", port, wsgi_app) as httpd:
        print(f"wsgiref serving the {label} on http://127.0.0.1:{port}/")
        httpd.serve_forever()


if __name__ == "__main__":
    threading.Thread(target=serve, args=(runserver, 8000, "raw function"), daemon=True).start()
    serve(app, 8001, "framework app")
