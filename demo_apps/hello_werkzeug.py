"""Hello, Werkzeug: the smallest web app, with no framework at all.

Werkzeug is the WSGI toolkit underneath the framework. ``Request.application`` turns a
function that takes a ``Request`` and returns a ``Response`` into a WSGI application, and
``run_simple`` serves it. Everything the framework adds (routing, hooks, sessions) sits on
top of exactly this.

Run it:
    python demo_apps/hello_werkzeug.py        (serves http://localhost:4000/)
    hookscope run demo_apps/hello_werkzeug.py (serves http://127.0.0.1:5000/; `run` serves any
                                               WSGI callable, App or not)

Try:
    http://localhost:4000/             -> "Hello World!"
    http://localhost:4000/any/path?x=1 -> the same page: there is no routing here, one
                                          function answers every URL.
Watch the console: each request prints its method and path.
"""

from __future__ import annotations

from werkzeug.wrappers import Request, Response


@Request.application
def hello(request: Request) -> Response:
    """Answer every request the same way; print what came in."""
    print(f"hello_werkzeug: {request.method} {request.full_path.rstrip('?')}")
    return Response("Hello World!")


app = hello

if __name__ == "__main__":
    from werkzeug.serving import run_simple

    run_simple("localhost", 4000, hello)
