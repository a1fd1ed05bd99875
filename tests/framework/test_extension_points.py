"""The extension points popular Flask extensions use, used the way they use them.

``MiniLogin`` follows what Flask-Login, Flask-WTF's CSRF protection and Flask-SQLAlchemy
do in ``init_app``: set an attribute on the app and an entry in ``app.extensions``,
register a hook by appending to ``before_request_funcs`` directly, add a context
processor, a Jinja global and a teardown function, read the view function of the
request's endpoint, and send their own blinker signals with the real app as sender.
"""

from __future__ import annotations

import typing as t

import pytest

from framework import (
    App,
    current_app,
    g,
    render_template_string,
    request,
    request_started,
    session,
)
from framework.signals import Namespace

_signals = Namespace()
user_loaded = _signals.signal("user-loaded")


def login_exempt(view: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    view.login_exempt = True  # type: ignore[attr-defined]
    return view


class MiniLogin:
    """An extension in the shape of Flask-Login/Flask-WTF/Flask-SQLAlchemy."""

    def __init__(self, app: App | None = None) -> None:
        self.closed: list[BaseException | None] = []
        if app is not None:
            self.init_app(app)

    def init_app(self, app: App) -> None:
        app.login_manager = self  # type: ignore[attr-defined]
        app.extensions["mini_login"] = self
        app.before_request_funcs.setdefault(None, []).append(self._require_login)
        app.context_processor(lambda: {"current_user": g.get("user")})
        app.jinja_env.globals["login_url"] = lambda: "/login"
        app.teardown_appcontext(self.closed.append)

    def _require_login(self) -> t.Any:
        view = current_app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "login_exempt", False):
            return None
        user = session.get("user")
        if user is None:
            return "please log in", 401
        g.user = user
        manager = current_app.login_manager  # type: ignore[attr-defined]
        assert manager is self
        user_loaded.send(current_app._get_current_object(), user=user)  # type: ignore[attr-defined]
        return None


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "extension points"
    MiniLogin(app)

    @app.route("/login/<name>")
    @login_exempt
    def login(name: str) -> str:
        session["user"] = name
        return "logged in"

    @app.route("/")
    def home() -> str:
        return render_template_string("{{ current_user }} ({{ login_url() }})")

    return app


def test_an_extension_hook_appended_to_the_registry_guards_the_views(app: App) -> None:
    client = app.test_client()

    assert client.get("/").status_code == 401
    assert client.get("/login/ada").text == "logged in"
    assert client.get("/").text == "ada (/login)"


def test_the_extension_is_found_on_the_app_and_its_teardown_runs(app: App) -> None:
    extension = app.extensions["mini_login"]
    app.test_client().get("/login/ada")

    assert app.login_manager is extension  # type: ignore[attr-defined]
    assert extension.closed == [None]


def test_signals_are_sent_with_the_app_itself_as_sender(app: App) -> None:
    seen: list[tuple[str, t.Any]] = []

    def on_started(sender: App, **extra: t.Any) -> None:
        seen.append(("started", sender))

    def on_user(sender: App, user: str) -> None:
        seen.append((user, sender))

    client = app.test_client()
    client.get("/login/ada")
    with request_started.connected_to(on_started, app), user_loaded.connected_to(on_user, app):
        client.get("/")

    assert seen == [("started", app), ("ada", app)]
