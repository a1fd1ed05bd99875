"""Message flashing: messages kept in the session under ``_flashes`` and consumed once."""

from __future__ import annotations

import typing as t

import pytest
from markupsafe import Markup

from framework import (
    App,
    flash,
    get_flashed_messages,
    redirect,
    render_template_string,
    session,
    url_for,
)


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "flash secret"

    @app.route("/set")
    def set_message() -> str:
        flash("hello")
        return "set"

    @app.route("/get")
    def get_message() -> str:
        return repr(get_flashed_messages())

    return app


def test_the_notes_set_then_get_example(app: App) -> None:
    client = app.test_client()
    client.get("/set")

    assert client.get("/get").text == "['hello']"


def test_messages_are_consumed_once(app: App) -> None:
    client = app.test_client()
    client.get("/set")
    client.get("/get")

    assert client.get("/get").text == "[]"


def test_messages_wait_until_someone_reads_them(app: App) -> None:
    app.route("/other")(lambda: "other")
    client = app.test_client()
    client.get("/set")
    client.get("/other")

    assert client.get("/get").text == "['hello']"


def test_messages_accumulate_in_order(app: App) -> None:
    client = app.test_client()
    client.get("/set")
    client.get("/set")

    assert client.get("/get").text == "['hello', 'hello']"


def test_messages_live_in_the_session_under_flashes(app: App) -> None:
    with app.test_request_context("/"):
        flash("saved", "success")
        flash("plain")

        assert session["_flashes"] == [("success", "saved"), ("message", "plain")]


def test_reading_twice_in_one_request_gives_the_same_messages(app: App) -> None:
    with app.test_request_context("/"):
        flash("once")

        assert get_flashed_messages() == ["once"]
        assert get_flashed_messages() == ["once"]
        assert "_flashes" not in session


def test_default_category_is_message(app: App) -> None:
    with app.test_request_context("/"):
        flash("note")

        assert get_flashed_messages(with_categories=True) == [("message", "note")]


@pytest.fixture
def mixed(app: App) -> t.Iterator[None]:
    with app.test_request_context("/"):
        flash("saved", "success")
        flash("disk full", "error")
        flash("plain")
        flash("retry", "error")
        yield


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["saved", "disk full", "plain", "retry"]),
        (
            {"with_categories": True},
            [
                ("success", "saved"),
                ("error", "disk full"),
                ("message", "plain"),
                ("error", "retry"),
            ],
        ),
        ({"category_filter": ["error"]}, ["disk full", "retry"]),
        ({"category_filter": ("error", "success")}, ["saved", "disk full", "retry"]),
        ({"category_filter": ["missing"]}, []),
        (
            {"with_categories": True, "category_filter": ["error"]},
            [("error", "disk full"), ("error", "retry")],
        ),
    ],
    ids=["all", "with-categories", "filter", "filter-two", "filter-none-match", "both"],
)
def test_get_flashed_messages_options(
    mixed: None, kwargs: dict[str, t.Any], expected: list[t.Any]
) -> None:
    assert get_flashed_messages(**kwargs) == expected


def test_filtering_still_consumes_every_message(app: App) -> None:
    @app.route("/flash-two")
    def flash_two() -> str:
        flash("bad", "error")
        flash("good", "success")
        return "flashed"

    @app.route("/errors")
    def errors() -> str:
        return repr(get_flashed_messages(category_filter=["error"]))

    client = app.test_client()
    client.get("/flash-two")

    assert client.get("/errors").text == "['bad']"
    assert client.get("/get").text == "[]"


def test_flashed_markup_keeps_its_type(app: App) -> None:
    @app.route("/markup")
    def markup() -> str:
        flash(Markup("<b>bold</b>"))
        return "ok"

    @app.route("/check")
    def check() -> str:
        (message,) = get_flashed_messages()
        return f"{type(message).__name__}:{message}"

    client = app.test_client()
    client.get("/markup")

    assert client.get("/check").text == "Markup:<b>bold</b>"


def test_templates_can_read_flashed_messages(app: App) -> None:
    @app.route("/page")
    def page() -> str:
        flash("welcome <back>", "info")
        return render_template_string(
            "{% for category, message in get_flashed_messages(with_categories=true) %}"
            "<p class={{ category }}>{{ message }}</p>{% endfor %}"
        )

    assert app.test_client().get("/page").text == "<p class=info>welcome &lt;back&gt;</p>"


def test_flash_outside_a_request_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        flash("nowhere")


def test_get_flashed_messages_outside_a_request_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="request context"):
        get_flashed_messages()


def test_flash_without_secret_key_is_the_session_error() -> None:
    app = App(__name__)
    app.testing = True

    @app.route("/")
    def index() -> str:
        flash("x")
        return "ok"

    with pytest.raises(RuntimeError, match="secret_key"):
        app.test_client().get("/")


def test_reading_flashes_without_secret_key_is_empty() -> None:
    app = App(__name__)
    app.route("/")(lambda: repr(get_flashed_messages()))

    assert app.test_client().get("/").text == "[]"


def test_flash_survives_a_redirect(app: App) -> None:
    @app.route("/save")
    def save() -> t.Any:
        flash("saved")
        return redirect(url_for("get_message"))

    response = app.test_client().get("/save", follow_redirects=True)

    assert response.text == "['saved']"


def test_categories_need_not_be_strings(app: App) -> None:
    with app.test_request_context("/"):
        flash("numbered", 3)  # type: ignore[arg-type]

        assert get_flashed_messages(with_categories=True) == [(3, "numbered")]


def test_session_transaction_sees_pending_flashes(app: App) -> None:
    client = app.test_client()
    client.get("/set")

    with client.session_transaction() as stored:
        assert stored["_flashes"] == [("message", "hello")]


def test_messages_read_once_per_request_even_if_more_are_flashed(app: App) -> None:
    @app.route("/twice")
    def twice() -> str:
        flash("first")
        before = get_flashed_messages()
        flash("second")
        return repr((before, get_flashed_messages()))

    client = app.test_client()

    assert client.get("/twice").text == "(['first'], ['first'])"
    assert client.get("/get").text == "['second']"


def test_category_filter_given_as_a_single_string(app: App) -> None:
    with app.test_request_context("/"):
        flash("disk full", "error")
        flash("plain")

        assert get_flashed_messages(category_filter="error") == ["disk full"]  # type: ignore[arg-type]


def test_messages_may_be_any_session_serialisable_value(app: App) -> None:
    @app.route("/structured")
    def structured() -> str:
        flash({"text": "saved", "ids": (1, 2)})  # type: ignore[arg-type]
        return "ok"

    client = app.test_client()
    client.get("/structured")

    assert client.get("/get").text == "[{'ids': (1, 2), 'text': 'saved'}]"


def test_an_unserialisable_message_fails_when_the_session_is_saved(app: App) -> None:
    app.testing = True

    @app.route("/bad")
    def bad() -> str:
        flash({1, 2})  # type: ignore[arg-type]
        return "ok"

    with pytest.raises(TypeError, match="not JSON serializable"):
        app.test_client().get("/bad")
