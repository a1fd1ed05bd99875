"""stream_with_context: a streamed body reads the request while the server sends it.

pytest runs with ``filterwarnings = error``, so a generator that Python could only report
as an unraisable exception (a context popped in the wrong place while it was being
collected) fails the test that left it behind.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder

from framework import (
    App,
    Response,
    has_app_context,
    has_request_context,
    request,
    stream_with_context,
)


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "test"
    return app


@pytest.fixture
def events(app: App) -> list[str]:
    """What the request's teardown hooks saw, in order."""
    seen: list[str] = []

    @app.teardown_request
    def request_torn_down(error: BaseException | None) -> None:
        seen.append(f"teardown_request {type(error).__name__ if error else None}")

    @app.teardown_appcontext
    def app_context_torn_down(error: BaseException | None) -> None:
        seen.append(f"teardown_appcontext {type(error).__name__ if error else None}")

    return seen


def no_context_is_left() -> bool:
    gc.collect()
    return not has_request_context() and not has_app_context()


def test_the_generator_reads_the_request_after_the_view_returned(app: App) -> None:
    @app.route("/")
    def index() -> Response:
        def generate() -> Iterator[str]:
            yield "Hello "
            yield request.args["name"]
            yield "!"

        return Response(stream_with_context(generate()))

    assert app.test_client().get("/?name=World").text == "Hello World!"
    assert no_context_is_left()


def test_as_a_decorator_with_arguments(app: App) -> None:
    @app.route("/")
    def index() -> Response:
        @stream_with_context
        def generate(greeting: str) -> Iterator[str]:
            yield greeting
            yield request.args["name"]

        return Response(generate("Hello "))

    assert app.test_client().get("/?name=you").text == "Hello you"


def test_a_generator_closed_early_is_closed_inside_the_request(app: App, events: list[str]) -> None:
    seen_in_finally: list[str] = []

    @app.route("/")
    def index() -> Response:
        @stream_with_context
        def generate() -> Iterator[str]:
            try:
                yield "first"
                yield "second"
            finally:
                seen_in_finally.append(request.args["name"])

        return Response(generate())

    response = app.test_client().get("/?name=early")
    chunks = iter(response.response)
    assert next(chunks) == b"first"
    response.close()

    assert seen_in_finally == ["early"]
    # As in Flask: the view's contexts end cleanly; the stream's end with the close.
    assert events == [
        "teardown_request None",
        "teardown_appcontext None",
        "teardown_request GeneratorExit",
        "teardown_appcontext GeneratorExit",
    ]
    assert no_context_is_left()


def test_a_generator_that_raises_tears_the_contexts_down_with_its_error(
    app: App, events: list[str]
) -> None:
    @app.route("/")
    def index() -> Response:
        @stream_with_context
        def generate() -> Iterator[str]:
            yield "partial"
            raise LookupError("the stream broke")

        return Response(generate())

    response = app.test_client().get("/")
    with pytest.raises(LookupError, match="the stream broke"):
        response.get_data()
    response.close()

    assert events[-2:] == ["teardown_request LookupError", "teardown_appcontext LookupError"]
    assert no_context_is_left()


def test_a_stream_never_started_is_closed_without_pushing_a_context(
    app: App, events: list[str]
) -> None:
    closed: list[str] = []

    class Body:
        """A WSGI-style iterable: the server must call close() even if it never read it."""

        def __iter__(self) -> Iterator[bytes]:
            return self

        def __next__(self) -> bytes:
            raise AssertionError("never read")

        def close(self) -> None:
            closed.append("closed")

    @app.route("/")
    def index() -> Response:
        return Response(stream_with_context(Body()))

    # A server that gets the body and closes it at once (the test client reads a chunk).
    body = app(EnvironBuilder("/").get_environ(), lambda status, headers: None)
    body.close()  # type: ignore[attr-defined]

    assert closed == ["closed"]
    assert events == ["teardown_request None", "teardown_appcontext None"]
    assert no_context_is_left()


def test_a_stream_made_and_dropped_in_the_view_leaves_nothing_behind(app: App) -> None:
    @app.route("/")
    def index() -> str:
        stream_with_context(iter(["never", "sent"]))
        return "something else"

    assert app.test_client().get("/").text == "something else"
    assert no_context_is_left()


def test_an_async_view_can_stream_with_its_request(app: App) -> None:
    """The contexts are pushed where the body is read, not in the view's event loop."""

    @app.route("/")
    async def index() -> Response:
        @stream_with_context
        def generate() -> Iterator[str]:
            yield request.args["name"]

        return Response(generate())

    client = app.test_client()
    client.get("/?name=unread").close()
    assert client.get("/?name=async").text == "async"
    assert no_context_is_left()


def test_an_iterable_that_is_also_callable_is_streamed_not_called(app: App) -> None:
    class CallableList(list[str]):
        def __call__(self, *args: Any) -> Any:
            raise AssertionError("stream_with_context called the iterable")

    @app.route("/")
    def index() -> Response:
        return Response(stream_with_context(CallableList(["a", "b"])))

    assert app.test_client().get("/").text == "ab"
