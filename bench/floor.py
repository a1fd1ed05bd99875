"""The floor: each scenario's work written by hand on Werkzeug, with no framework between.

These apps do what the framework apps in `bench.apps` do -- route with a
`werkzeug.routing.Map`, wrap the environ in a `Request`, build a `Response`, sign the
session with itsdangerous, render with a Jinja2 `Environment` -- and answer the same
bytes, so the gap between a framework and its floor is the framework's own overhead.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from itsdangerous import BadSignature, URLSafeTimedSerializer
from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from bench import apps

TEMPLATE_FOLDER = Path(__file__).parent / "templates"
SESSION_MAX_AGE_SECONDS = 31 * 24 * 3600

FloorView = Callable[..., Response]
"""A view takes the request, the bound URL adapter and the view args; returns a Response."""


def html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="text/html")


def routed(url_map: Map, views: Mapping[str, FloorView]) -> WSGIApplication:
    """The smallest dispatcher: match, call the view, turn HTTP errors into responses."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        urls = url_map.bind_to_environ(request.environ)
        try:
            endpoint, view_args = urls.match()
            response = views[endpoint](request, urls, **view_args)
        except HTTPException as error:
            return error(environ, start_response)
        return response(environ, start_response)

    return application


def hello() -> WSGIApplication:
    return routed(
        Map([Rule("/", endpoint="index")]),
        {"index": lambda request, urls: html("Hello, World!")},
    )


def params() -> WSGIApplication:
    def filler(request: Request, urls: MapAdapter, **view_args: int) -> Response:
        return html(f"filler {view_args}")

    def user_post(request: Request, urls: MapAdapter, uid: int, slug: str) -> Response:
        return html(f"user {uid} post {slug}")

    rules = [Rule(rule, endpoint=endpoint) for rule, endpoint in apps.filler_rules()]
    rules.append(Rule("/user/<int:uid>/post/<slug>", endpoint="user_post"))
    views: dict[str, FloorView] = {endpoint: filler for _, endpoint in apps.filler_rules()}
    views["user_post"] = user_post
    return routed(Map(rules), views)


def json_list() -> WSGIApplication:
    def users(request: Request, urls: MapAdapter) -> Response:
        text = json.dumps(apps.user_rows(), separators=(",", ":"), sort_keys=True)
        return Response(text + "\n", mimetype="application/json")

    return routed(Map([Rule("/users", endpoint="users")]), {"users": users})


def template() -> WSGIApplication:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_FOLDER),
        autoescape=select_autoescape(),
        auto_reload=False,
    )

    def catalogue(request: Request, urls: MapAdapter) -> Response:
        page = environment.get_template("catalogue.html")
        return html(page.render(title="Catalogue", items=apps.catalogue_items()))

    return routed(Map([Rule("/catalogue", endpoint="catalogue")]), {"catalogue": catalogue})


def hooks(hook_count: int = 2) -> WSGIApplication:
    """Before hooks in order, the view, after hooks in reverse, all sharing one `g`."""

    def load_user(g: Any) -> None:
        g.user = apps.USERNAME

    def tag_request(g: Any) -> None:
        g.tag = "bench"

    def pick_locale(g: Any) -> None:
        g.locale = "en"

    def add_user_header(g: Any, response: Response) -> Response:
        response.headers["X-User"] = g.user
        return response

    def add_tag_header(g: Any, response: Response) -> Response:
        response.headers["X-Tag"] = g.tag
        return response

    def add_locale_header(g: Any, response: Response) -> Response:
        response.headers["Content-Language"] = g.locale
        return response

    before = [load_user, tag_request, pick_locale][:hook_count]
    after = [add_user_header, add_tag_header, add_locale_header][:hook_count]
    after.reverse()
    url_map = Map([Rule("/dashboard", endpoint="dashboard")])

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        urls = url_map.bind_to_environ(request.environ)
        try:
            urls.match()
        except HTTPException as error:
            return error(environ, start_response)
        g = SimpleNamespace()
        for hook in before:
            hook(g)
        response = html(f"dashboard of {g.user} ({g.tag})")
        for finish in after:
            response = finish(g, response)
        return response(environ, start_response)

    return application


def hooks3() -> WSGIApplication:
    return hooks(hook_count=3)


def form_post() -> WSGIApplication:
    def login(request: Request, urls: MapAdapter) -> Response:
        username = request.form.get("username", "")
        if request.form.get("password") != apps.PASSWORD or username != apps.USERNAME:
            return html("wrong username or password", status=401)
        return redirect(urls.build("welcome", {"name": username}))

    def welcome(request: Request, urls: MapAdapter, name: str) -> Response:
        return html(f"welcome {name}")

    url_map = Map(
        [
            Rule("/login", endpoint="login", methods=["GET", "POST"]),
            Rule("/welcome/<name>", endpoint="welcome"),
        ]
    )
    return routed(url_map, {"login": login, "welcome": welcome})


def not_found() -> WSGIApplication:
    url_map = Map([Rule("/", endpoint="index"), Rule("/users/<int:uid>", endpoint="user")])
    return routed(
        url_map,
        {
            "index": lambda request, urls: html("home"),
            "user": lambda request, urls, uid: html(f"user {uid}"),
        },
    )


def session_counter() -> WSGIApplication:
    serializer = URLSafeTimedSerializer(apps.SECRET_KEY, salt="cookie-session")

    def count(request: Request, urls: MapAdapter) -> Response:
        data: dict[str, Any] = {}
        signed = request.cookies.get("session")
        if signed:
            try:
                data = serializer.loads(signed, max_age=SESSION_MAX_AGE_SECONDS)
            except BadSignature:
                data = {}
        data["count"] = data.get("count", 0) + 1
        response = html(f"count={data['count']}")
        response.set_cookie("session", serializer.dumps(data), httponly=True, path="/")
        response.vary.add("Cookie")
        return response

    return routed(Map([Rule("/count", endpoint="count")]), {"count": count})
