"""``request``, ``session``, ``g``, ``current_app``, ``app_ctx`` and ``request_ctx``.

Each proxy says what it stands for in its class's name, answers like Flask's (Werkzeug
``LocalProxy``) globals outside a context, and inside one is its object for every use.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from framework import App, Request, current_app, g, request, session
from framework.ctx import AppContext, RequestContext
from framework.globals import app_ctx, request_ctx
from framework.proxies import LocalProxy

PROXIES = {
    "AppContextProxy": app_ctx,
    "CurrentAppProxy": current_app,
    "AppGlobalsProxy": g,
    "RequestContextProxy": request_ctx,
    "RequestProxy": request,
    "SessionProxy": session,
}


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "test"
    return app


@pytest.mark.parametrize("class_name", sorted(PROXIES))
def test_each_proxy_has_a_class_of_its_own_named_after_what_it_stands_for(
    class_name: str,
) -> None:
    proxy = PROXIES[class_name]
    assert type(proxy).__name__ == class_name
    assert issubclass(type(proxy), LocalProxy)


@pytest.mark.parametrize("class_name", sorted(PROXIES))
def test_outside_a_context_a_proxy_answers_as_flasks_do(class_name: str) -> None:
    proxy: Any = PROXIES[class_name]
    assert repr(proxy) == "<LocalProxy unbound>"
    assert not proxy
    assert proxy != object()
    context = "request" if "Request" in class_name or "Session" in class_name else "application"
    with pytest.raises(RuntimeError, match=f"Working outside of {context} context"):
        proxy._get_current_object()


def test_inside_a_request_each_proxy_is_its_object(app: App) -> None:
    with app.test_request_context("/?page=2") as context:
        assert request_ctx._get_current_object() is context  # type: ignore[attr-defined]
        assert request._get_current_object() is context.request  # type: ignore[attr-defined]
        assert current_app._get_current_object() is app  # type: ignore[attr-defined]
        assert app_ctx.app is app and app_ctx.g is g._get_current_object()  # type: ignore[attr-defined]
        assert isinstance(app_ctx, AppContext)
        assert isinstance(request_ctx, RequestContext)
        assert isinstance(request, Request)
        assert request.args["page"] == "2"
        assert current_app == app
        assert hash(current_app) == hash(app)
        assert {current_app: "found"}[app] == "found"


def test_the_session_proxy_supports_every_mapping_operation(app: App) -> None:
    with app.test_request_context():
        session.update(first=1, second=2)
        session["third"] = 3
        assert list(reversed(session)) == ["third", "second", "first"]
        assert len(session) == 3 and "second" in session
        del session["second"]
        assert dict(session) == {"first": 1, "third": 3}
        assert copy.copy(session) == {"first": 1, "third": 3}
        assert session | {"fourth": 4} == {"first": 1, "third": 3, "fourth": 4}


def test_g_set_get_and_delete_attributes_through_the_proxy(app: App) -> None:
    with app.app_context():
        g.user = "admin"
        assert g.user == "admin" and "user" in g
        del g.user
        assert "user" not in g
        with pytest.raises(AttributeError):
            g.user  # noqa: B018


def test_with_on_the_context_proxies_pushes_the_current_context_again(app: App) -> None:
    """Flask's test_context_refcounts: teardown runs once, when the outer push is popped."""
    called: list[str] = []
    app.teardown_request(lambda error: called.append("request"))
    app.teardown_appcontext(lambda error: called.append("app"))

    @app.route("/")
    def index() -> str:
        with app_ctx, request_ctx:
            pass
        assert called == []
        assert request.environ["werkzeug.request"] is not None
        return "still in the request"

    response = app.test_client().get("/")
    assert response.text == "still in the request"
    assert called == ["request", "app"]
