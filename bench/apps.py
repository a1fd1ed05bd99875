"""The benchmark's apps, written once as ordinary Flask-style user code.

Every builder takes a `Toolkit` -- the names an app module would import from its
framework -- so hookscope's framework and Flask run exactly the same user code and
the comparison measures the frameworks, not two different apps.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import Any

SECRET_KEY = "bench-secret-key-not-for-production"
FILLER_ROUTE_COUNT = 49
"""Routes registered next to the one the params scenario requests (50 in all)."""

USERNAME = "ada"
PASSWORD = "lovelace"


@dataclass(frozen=True)
class Toolkit:
    """The names a user imports from a framework, e.g. `from flask import Flask, g, ...`."""

    App: Any
    request: Any
    session: Any
    g: Any
    jsonify: Any
    render_template: Any
    redirect: Any
    url_for: Any

    @classmethod
    def from_module(cls, module: ModuleType, app_class_name: str) -> Toolkit:
        """Collect the names from `module`; its app class is `App` or `Flask`."""
        return cls(
            App=getattr(module, app_class_name),
            request=module.request,
            session=module.session,
            g=module.g,
            jsonify=module.jsonify,
            render_template=module.render_template,
            redirect=module.redirect,
            url_for=module.url_for,
        )


def user_rows() -> list[dict[str, Any]]:
    """The json scenario's payload: 20 small objects."""
    return [
        {"id": number, "name": f"user {number}", "active": number % 2 == 0, "score": number * 7}
        for number in range(20)
    ]


def catalogue_items() -> list[dict[str, Any]]:
    """The template scenario's 20 items (some with tags, so the loop has a branch)."""
    return [
        {
            "id": number,
            "name": f"item <{number}>",
            "price": number * 1.25,
            "tags": ["new", "sale"] if number % 3 == 0 else [],
        }
        for number in range(20)
    ]


def filler_rules() -> list[tuple[str, str]]:
    """(rule, endpoint) pairs for the 49 routes that surround the params scenario's route.

    Half share the `/user/<int:uid>/` prefix with the requested rule so the router
    cannot decide on the first segment alone.
    """
    rules = []
    for number in range(FILLER_ROUTE_COUNT):
        if number % 2:
            rules.append((f"/user/<int:uid>/album{number}", f"album{number}"))
        else:
            rules.append((f"/section{number}/<int:item_id>", f"section{number}"))
    return rules


def hello(fw: Toolkit) -> Any:
    app = fw.App(__name__)

    @app.route("/")
    def index() -> str:
        return "Hello, World!"

    return app


def params(fw: Toolkit) -> Any:
    app = fw.App(__name__)

    def filler(**view_args: int) -> str:
        return f"filler {view_args}"

    for rule, endpoint in filler_rules():
        app.add_url_rule(rule, endpoint=endpoint, view_func=filler)

    @app.route("/user/<int:uid>/post/<slug>")
    def user_post(uid: int, slug: str) -> str:
        return f"user {uid} post {slug}"

    return app


def json_list(fw: Toolkit) -> Any:
    app = fw.App(__name__)

    @app.route("/users")
    def users() -> Any:
        return fw.jsonify(user_rows())

    return app


def template(fw: Toolkit) -> Any:
    """Renders bench/templates/catalogue.html (the app's root is this package)."""
    app = fw.App(__name__)

    @app.route("/catalogue")
    def catalogue() -> Any:
        return fw.render_template("catalogue.html", title="Catalogue", items=catalogue_items())

    return app


def hooks(fw: Toolkit, hook_count: int = 2) -> Any:
    """`hook_count` before_request and after_request hooks (2 or 3) that share state via `g`."""
    app = fw.App(__name__)
    g = fw.g

    @app.before_request
    def load_user() -> None:
        g.user = USERNAME

    @app.before_request
    def tag_request() -> None:
        g.tag = "bench"

    if hook_count >= 3:

        @app.before_request
        def pick_locale() -> None:
            g.locale = "en"

    @app.after_request
    def add_user_header(response: Any) -> Any:
        response.headers["X-User"] = g.user
        return response

    @app.after_request
    def add_tag_header(response: Any) -> Any:
        response.headers["X-Tag"] = g.tag
        return response

    if hook_count >= 3:

        @app.after_request
        def add_locale_header(response: Any) -> Any:
            response.headers["Content-Language"] = g.locale
            return response

    @app.route("/dashboard")
    def dashboard() -> str:
        return f"dashboard of {g.user} ({g.tag})"

    return app


def hooks3(fw: Toolkit) -> Any:
    return hooks(fw, hook_count=3)


def form_post(fw: Toolkit) -> Any:
    app = fw.App(__name__)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        username = fw.request.form.get("username", "")
        if fw.request.form.get("password") != PASSWORD or username != USERNAME:
            return "wrong username or password", 401
        return fw.redirect(fw.url_for("welcome", name=username))

    @app.route("/welcome/<name>")
    def welcome(name: str) -> str:
        return f"welcome {name}"

    return app


def not_found(fw: Toolkit) -> Any:
    app = fw.App(__name__)

    @app.route("/")
    def index() -> str:
        return "home"

    @app.route("/users/<int:uid>")
    def user(uid: int) -> str:
        return f"user {uid}"

    return app


def session_counter(fw: Toolkit) -> Any:
    app = fw.App(__name__)
    app.secret_key = SECRET_KEY

    @app.route("/count")
    def count() -> str:
        fw.session["count"] = fw.session.get("count", 0) + 1
        return f"count={fw.session['count']}"

    return app
