"""The framework with tracing taken out: the same behaviour, no tracing branch left."""

from __future__ import annotations

import inspect

from bench.stripped import stripped_framework


def test_the_stripped_framework_serves_hooks_in_flasks_order_without_a_tracing_branch() -> None:
    stripped = stripped_framework()
    app = stripped.App(__name__)
    order: list[str] = []

    @app.before_request
    def before() -> None:
        order.append("before")

    @app.after_request
    def after(response: object) -> object:
        order.append("after")
        return response

    @app.route("/")
    def index() -> str:
        order.append("view")
        return "hi"

    assert app.test_client().get("/").text == "hi"
    assert order == ["before", "view", "after"]
    for method in (app.wsgi_app, app.preprocess_request, app.process_response):
        source = inspect.getsource(method)
        assert "recorder" not in source and "tracers" not in source, method.__name__
