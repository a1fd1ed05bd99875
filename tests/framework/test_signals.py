"""Blinker signals with Flask's names, sent with the sender and arguments Flask sends."""

from __future__ import annotations

import contextlib
import typing as t

import pytest
from blinker import Signal

import framework
from framework import (
    App,
    Response,
    abort,
    flash,
    g,
    render_template,
    render_template_string,
    signals,
)


class Recorder:
    """Collects (signal name, sender, keyword arguments) for every signal it receives."""

    def __init__(self) -> None:
        self.events: list[tuple[str, t.Any, dict[str, t.Any]]] = []

    @contextlib.contextmanager
    def listening(self, app: App, *watched: Signal) -> t.Iterator[Recorder]:
        with contextlib.ExitStack() as stack:
            for signal in watched:
                stack.enter_context(signal.connected_to(self._receiver(signal), app))
            yield self

    def _receiver(self, signal: Signal) -> t.Callable[..., None]:
        def receive(sender: t.Any, **kwargs: t.Any) -> None:
            self.events.append((t.cast(str, signal.name), sender, kwargs))

        return receive

    @property
    def names(self) -> list[str]:
        return [name for name, _, _ in self.events]

    def only(self, name: str) -> tuple[t.Any, dict[str, t.Any]]:
        matching = [(sender, kwargs) for event, sender, kwargs in self.events if event == name]
        assert len(matching) == 1, f"{name} sent {len(matching)} times: {self.names}"
        return matching[0]


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "signals"

    @app.route("/")
    def index() -> str:
        return "index"

    @app.route("/fail")
    def fail() -> str:
        raise ValueError("boom")

    @app.route("/forbidden")
    def forbidden() -> str:
        abort(403)

    return app


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.mark.parametrize(
    ("signal", "name"),
    [
        (signals.template_rendered, "template-rendered"),
        (signals.before_render_template, "before-render-template"),
        (signals.request_started, "request-started"),
        (signals.request_finished, "request-finished"),
        (signals.request_tearing_down, "request-tearing-down"),
        (signals.got_request_exception, "got-request-exception"),
        (signals.appcontext_tearing_down, "appcontext-tearing-down"),
        (signals.appcontext_pushed, "appcontext-pushed"),
        (signals.appcontext_popped, "appcontext-popped"),
        (signals.message_flashed, "message-flashed"),
    ],
)
def test_signals_are_blinker_signals_with_flasks_names(signal: Signal, name: str) -> None:
    assert isinstance(signal, Signal)
    assert signal.name == name
    assert getattr(framework, name.replace("-", "_")) is signal  # as `from flask import ...`


REQUEST_SIGNALS = (
    signals.appcontext_pushed,
    signals.request_started,
    signals.request_finished,
    signals.request_tearing_down,
    signals.appcontext_tearing_down,
    signals.appcontext_popped,
)


def test_a_request_sends_its_signals_in_order(app: App, recorder: Recorder) -> None:
    with recorder.listening(app, *REQUEST_SIGNALS):
        app.test_client().get("/")

    assert recorder.names == [
        "appcontext-pushed",
        "request-started",
        "request-finished",
        "request-tearing-down",
        "appcontext-tearing-down",
        "appcontext-popped",
    ]
    assert all(sender is app for _, sender, _ in recorder.events)


def test_request_started_has_no_arguments_and_runs_before_hooks(
    app: App, recorder: Recorder
) -> None:
    order: list[str] = []
    app.before_request(lambda: order.append("before_request"))

    def started(sender: App) -> None:
        order.append("started")

    with recorder.listening(app, signals.request_started):
        with signals.request_started.connected_to(started, app):
            app.test_client().get("/")

    assert recorder.only("request-started") == (app, {})
    assert order == ["started", "before_request"]


def test_request_finished_carries_the_final_response(app: App, recorder: Recorder) -> None:
    @app.after_request
    def stamp(response: Response) -> Response:
        response.headers["X-After"] = "1"
        return response

    with recorder.listening(app, signals.request_finished):
        app.test_client().get("/")

    sender, kwargs = recorder.only("request-finished")
    assert sender is app
    assert list(kwargs) == ["response"]
    assert kwargs["response"].headers["X-After"] == "1"
    assert kwargs["response"].get_data() == b"index"


def test_got_request_exception_carries_the_unhandled_exception(
    app: App, recorder: Recorder
) -> None:
    with recorder.listening(app, signals.got_request_exception):
        assert app.test_client().get("/fail").status_code == 500

    sender, kwargs = recorder.only("got-request-exception")
    assert sender is app
    assert list(kwargs) == ["exception"]
    assert isinstance(kwargs["exception"], ValueError)


def test_got_request_exception_is_sent_before_propagating(app: App, recorder: Recorder) -> None:
    app.testing = True

    with recorder.listening(app, signals.got_request_exception):
        with pytest.raises(ValueError):
            app.test_client().get("/fail")

    assert recorder.names == ["got-request-exception"]


def test_handled_and_http_errors_send_no_exception_signal(app: App, recorder: Recorder) -> None:
    app.register_error_handler(ValueError, lambda error: ("handled", 400))

    with recorder.listening(app, signals.got_request_exception):
        client = app.test_client()
        client.get("/fail")
        client.get("/forbidden")
        client.get("/missing")

    assert recorder.events == []


@pytest.mark.parametrize(("path", "exception_type"), [("/", None), ("/fail", ValueError)])
def test_tearing_down_signals_carry_the_exception(
    app: App, recorder: Recorder, path: str, exception_type: type[Exception] | None
) -> None:
    with recorder.listening(app, signals.request_tearing_down, signals.appcontext_tearing_down):
        app.test_client().get(path)

    for name in ("request-tearing-down", "appcontext-tearing-down"):
        sender, kwargs = recorder.only(name)
        assert sender is app
        assert list(kwargs) == ["exc"]
        if exception_type is None:
            assert kwargs["exc"] is None
        else:
            assert isinstance(kwargs["exc"], exception_type)


def test_app_context_signals_outside_a_request(app: App, recorder: Recorder) -> None:
    with recorder.listening(
        app, signals.appcontext_pushed, signals.appcontext_tearing_down, signals.appcontext_popped
    ):
        with app.app_context():
            assert recorder.names == ["appcontext-pushed"]

    assert recorder.names == ["appcontext-pushed", "appcontext-tearing-down", "appcontext-popped"]
    assert [kwargs for _, _, kwargs in recorder.events] == [{}, {"exc": None}, {}]


def test_template_signals_carry_template_and_context(app: App, recorder: Recorder) -> None:
    app.context_processor(lambda: {"site": "demo"})

    @app.route("/page")
    def page() -> str:
        return render_template_string("{{ site }}: {{ title }}", title="Home")

    with recorder.listening(app, signals.before_render_template, signals.template_rendered):
        assert app.test_client().get("/page").text == "demo: Home"

    assert recorder.names == ["before-render-template", "template-rendered"]
    for _, sender, kwargs in recorder.events:
        assert sender is app
        assert set(kwargs) == {"template", "context"}
        assert kwargs["context"]["title"] == "Home"
        assert kwargs["context"]["site"] == "demo"
        assert "request" in kwargs["context"]
        assert kwargs["template"].render(kwargs["context"]) == "demo: Home"


def test_before_render_template_can_change_the_context(app: App) -> None:
    def override(sender: App, template: t.Any, context: dict[str, t.Any]) -> None:
        context["title"] = "Changed"

    @app.route("/page")
    def page() -> str:
        return render_template_string("{{ title }}", title="Original")

    with signals.before_render_template.connected_to(override, app):
        assert app.test_client().get("/page").text == "Changed"


def test_message_flashed_carries_message_and_category(app: App, recorder: Recorder) -> None:
    @app.route("/flash")
    def flash_twice() -> str:
        flash("saved", "success")
        flash("plain")
        return "flashed"

    with recorder.listening(app, signals.message_flashed):
        app.test_client().get("/flash")

    assert [(sender, kwargs) for _, sender, kwargs in recorder.events] == [
        (app, {"message": "saved", "category": "success"}),
        (app, {"message": "plain", "category": "message"}),
    ]


def test_signals_for_one_app_do_not_reach_another(app: App, recorder: Recorder) -> None:
    other = App("other_app")
    other.route("/")(lambda: "other")

    with recorder.listening(app, *REQUEST_SIGNALS):
        other.test_client().get("/")

    assert recorder.events == []


def test_a_receiver_for_any_sender_sees_every_app(app: App) -> None:
    senders: list[str] = []

    def any_app(sender: App, **kwargs: t.Any) -> None:
        senders.append(sender.name)

    other = App("other_app")
    other.route("/")(lambda: "other")

    with signals.request_started.connected_to(any_app):
        app.test_client().get("/")
        other.test_client().get("/")

    assert senders == [app.name, "other_app"]


def test_a_failing_receiver_fails_the_request_like_flask(app: App) -> None:
    def broken(sender: App, **kwargs: t.Any) -> None:
        raise RuntimeError("receiver broke")

    app.testing = True

    with signals.request_started.connected_to(broken, app):
        with pytest.raises(RuntimeError, match="receiver broke"):
            app.test_client().get("/")


def test_signal_order_when_the_view_fails(app: App, recorder: Recorder) -> None:
    with recorder.listening(
        app,
        signals.request_started,
        signals.got_request_exception,
        signals.request_finished,
        signals.request_tearing_down,
        signals.appcontext_tearing_down,
    ):
        app.test_client().get("/fail")

    assert recorder.names == [
        "request-started",
        "got-request-exception",
        "request-finished",
        "request-tearing-down",
        "appcontext-tearing-down",
    ]
    assert recorder.only("request-finished")[1]["response"].status_code == 500


def test_request_finished_for_a_streamed_body_comes_before_the_body(app: App) -> None:
    order: list[str] = []

    @app.route("/stream")
    def stream() -> t.Any:
        def chunks() -> t.Iterator[str]:
            order.append("body")
            yield "chunk"

        return chunks()

    def finished(sender: App, response: Response) -> None:
        order.append(f"finished streamed={response.is_streamed}")

    with signals.request_finished.connected_to(finished, app):
        assert app.test_client().get("/stream").get_data() == b"chunk"

    assert order == ["finished streamed=True", "body"]


def test_template_rendered_for_a_template_file(tmp_path: t.Any, recorder: Recorder) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("{{ title }}")
    app = App(__name__, root_path=str(tmp_path))

    with recorder.listening(app, signals.template_rendered), app.test_request_context():
        assert render_template("page.html", title="Hi") == "Hi"

    sender, kwargs = recorder.only("template-rendered")
    assert kwargs["template"].name == "page.html"
    assert kwargs["context"]["title"] == "Hi"


def test_appcontext_pushed_can_prepare_g_for_the_request(app: App) -> None:
    """The testing pattern from Flask's docs: inject ``g.user`` when the context is pushed."""

    def set_user(sender: App, **kwargs: t.Any) -> None:
        g.user = "injected"

    app.route("/user")(lambda: g.user)

    with signals.appcontext_pushed.connected_to(set_user, app):
        assert app.test_client().get("/user").text == "injected"
