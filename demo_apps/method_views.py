"""Class-based views: ``MethodView`` dispatches to the method named after the HTTP verb.

``IndexView`` (from the notes) defines ``get`` and ``post`` but sets ``methods = ['GET']``,
so only GET is routed; ``decorators = [auth]`` wraps the view function ``as_view`` builds,
and ``as_view(name='index')`` makes 'index' the endpoint. ``ItemView`` has no ``methods``
attribute: the methods are then taken from the functions the class defines.

Run it:
    python demo_apps/method_views.py
    hookscope run demo_apps/method_views.py
Then open http://127.0.0.1:5000/index?token=letmein

Try:
    /index?token=letmein         -> "Index.GET"
    /index                       -> 401 from the auth decorator (no token)
    POST /index?token=letmein    -> 405: post() exists but methods = ['GET'] hides it
    /items and POST /items       -> "Item.GET" / "Item.POST" (methods found automatically)
    DELETE /items                -> 405 listing the allowed methods
Watch the console: auth prints before each call to IndexView.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from framework import App, abort, request, views

AUTH_TOKEN = "letmein"

app = App(__name__)


def auth(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse the request unless ?token= carries the demo token."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        token = request.args.get("token")
        print(f"auth: token={token!r}")
        if token != AUTH_TOKEN:
            abort(401, description=f"add ?token={AUTH_TOKEN} to the URL to pass the auth decorator")
        return view(*args, **kwargs)

    return checked


class IndexView(views.MethodView):
    methods = ["GET"]
    decorators = [auth]

    def get(self) -> str:
        return "Index.GET"

    def post(self) -> str:
        return "Index.POST"


class ItemView(views.MethodView):
    def get(self) -> str:
        return "Item.GET"

    def post(self) -> str:
        return "Item.POST"


app.add_url_rule("/index", view_func=IndexView.as_view(name="index"))
app.add_url_rule("/items", view_func=ItemView.as_view(name="items"))

if __name__ == "__main__":
    app.run()
