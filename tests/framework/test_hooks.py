"""Request hooks and error handlers, in the order and with the arguments Flask uses."""

from __future__ import annotations

import logging
import typing as t

import pytest
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    NotFound,
)

from framework import App, Blueprint, Response, abort, g, request, session


@pytest.fixture
def app() -> App:
    return App(__name__)


@pytest.fixture
def calls() -> list[str]:
    return []


# --- before_request ------------------------------------------------------------


def test_before_request_hooks_run_in_registration_order(app: App, calls: list[str]) -> None:
    for name in ("first", "second", "third"):
        app.before_request(lambda name=name: calls.append(name))

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "ok"

    app.test_client().get("/")

    assert calls == ["first", "second", "third", "view"]


def test_first_non_none_before_request_return_is_the_response(app: App, calls: list[str]) -> None:
    @app.before_request
    def allow() -> None:
        calls.append("allow")

    @app.before_request
    def deny() -> tuple[str, int]:
        calls.append("deny")
        return "denied", 403

    @app.before_request
    def never() -> None:
        calls.append("never")

    @app.route("/")
    def index() -> str:
        calls.append("view")
        return "ok"

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (403, "denied")
    assert calls == ["allow", "deny"]


def test_before_request_sees_the_matched_request(app: App) -> None:
    @app.before_request
    def load_user() -> None:
        g.user = request.args.get("user", "anonymous")
        g.endpoint = request.endpoint

    @app.route("/me")
    def me() -> str:
        return f"{g.user}@{g.endpoint}"

    assert app.test_client().get("/me?user=ann").text == "ann@me"


def test_before_request_runs_for_unknown_urls_too(app: App, calls: list[str]) -> None:
    app.before_request(lambda: calls.append(f"before {request.endpoint}"))

    assert app.test_client().get("/nowhere").status_code == 404
    assert calls == ["before None"]


# --- after_request ---------------------------------------------------------------


def test_after_request_hooks_run_in_reverse_registration_order(app: App, calls: list[str]) -> None:
    def recorder(name: str) -> t.Callable[[Response], Response]:
        def hook(response: Response) -> Response:
            calls.append(name)
            return response

        return hook

    for name in ("first", "second", "third"):
        app.after_request(recorder(name))
    app.route("/")(lambda: "ok")

    app.test_client().get("/")

    assert calls == ["third", "second", "first"]


def test_after_request_still_runs_after_a_short_circuit(app: App, calls: list[str]) -> None:
    @app.before_request
    def refuse() -> str:
        return "short"

    @app.after_request
    def stamp(response: Response) -> Response:
        calls.append(response.get_data(as_text=True))
        response.headers["X-Stamped"] = "yes"
        return response

    app.route("/")(lambda: "view")
    response = app.test_client().get("/")

    assert response.text == "short"
    assert response.headers["X-Stamped"] == "yes"
    assert calls == ["short"]


def test_after_request_may_return_a_new_response(app: App) -> None:
    app.after_request(lambda response: Response("replaced", status=201))
    app.route("/")(lambda: "view")

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (201, "replaced")


def test_after_request_runs_for_error_responses(app: App, calls: list[str]) -> None:
    @app.after_request
    def record(response: Response) -> Response:
        calls.append(str(response.status_code))
        return response

    app.test_client().get("/missing")

    assert calls == ["404"]


# --- teardown ---------------------------------------------------------------------


def test_teardown_request_receives_none_after_a_good_request(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_request(received.append)
    app.route("/")(lambda: "ok")

    app.test_client().get("/")

    assert received == [None]


def test_teardown_request_runs_after_a_short_circuit(app: App, calls: list[str]) -> None:
    app.before_request(lambda: "short")
    app.teardown_request(lambda exc: calls.append("teardown"))
    app.route("/")(lambda: "view")

    app.test_client().get("/")

    assert calls == ["teardown"]


def test_teardown_request_receives_the_unhandled_exception(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_request(received.append)

    @app.route("/")
    def broken() -> str:
        raise ValueError("boom")

    response = app.test_client().get("/")

    assert response.status_code == 500
    assert len(received) == 1
    assert isinstance(received[0], ValueError)
    assert str(received[0]) == "boom"


def test_teardown_request_receives_the_exception_when_it_propagates(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_request(received.append)
    app.testing = True

    @app.route("/")
    def broken() -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        app.test_client().get("/")

    assert [type(exc) for exc in received] == [ValueError]


def test_teardown_request_gets_none_when_an_error_handler_answered(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_request(received.append)
    app.register_error_handler(ValueError, lambda error: ("handled", 400))

    @app.route("/")
    def broken() -> str:
        raise ValueError("boom")

    assert app.test_client().get("/").status_code == 400
    assert received == [None]


def test_teardown_request_hooks_run_in_reverse_order(app: App, calls: list[str]) -> None:
    app.teardown_request(lambda exc: calls.append("first"))
    app.teardown_request(lambda exc: calls.append("second"))
    app.route("/")(lambda: "ok")

    app.test_client().get("/")

    assert calls == ["second", "first"]


def test_teardown_appcontext_runs_when_the_app_context_pops(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_appcontext(received.append)

    with app.app_context():
        assert received == []

    assert received == [None]


def test_teardown_appcontext_runs_after_teardown_request(app: App, calls: list[str]) -> None:
    app.teardown_appcontext(lambda exc: calls.append("appcontext"))
    app.teardown_request(lambda exc: calls.append("request"))
    app.route("/")(lambda: "ok")

    app.test_client().get("/")

    assert calls == ["request", "appcontext"]


def test_teardown_appcontext_receives_the_exception(app: App) -> None:
    received: list[BaseException | None] = []
    app.teardown_appcontext(received.append)

    with pytest.raises(KeyError), app.app_context():
        raise KeyError("lost")

    assert [type(exc) for exc in received] == [KeyError]


# --- error handlers ---------------------------------------------------------------


def test_errorhandler_by_code_answers_unknown_urls(app: App) -> None:
    @app.errorhandler(404)
    def not_found(error: NotFound) -> tuple[str, int]:
        return f"custom: {error.code}", 404

    response = app.test_client().get("/missing")

    assert (response.status_code, response.text) == (404, "custom: 404")


def test_errorhandler_by_code_answers_abort(app: App) -> None:
    app.errorhandler(403)(lambda error: ("go away", 403))

    @app.route("/")
    def index() -> str:
        abort(403)

    assert app.test_client().get("/").text == "go away"


def test_errorhandler_by_code_and_by_class_are_the_same(app: App) -> None:
    app.register_error_handler(Forbidden, lambda error: ("by class", 403))

    @app.route("/")
    def index() -> str:
        abort(403)

    assert app.test_client().get("/").text == "by class"


def test_handler_return_value_without_status_is_200(app: App) -> None:
    app.errorhandler(404)(lambda error: "soft")

    assert app.test_client().get("/missing").status_code == 200


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (KeyError("k"), "lookup"),
        (IndexError("i"), "lookup"),
        (ValueError("v"), "value"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), "unicode"),
    ],
)
def test_errorhandler_is_chosen_by_the_exception_mro(
    app: App, raised: Exception, expected: str
) -> None:
    app.register_error_handler(LookupError, lambda error: "lookup")
    app.register_error_handler(ValueError, lambda error: "value")
    app.register_error_handler(UnicodeError, lambda error: "unicode")

    @app.route("/")
    def index() -> str:
        raise raised

    assert app.test_client().get("/").text == expected


def test_errorhandler_receives_the_exception_instance(app: App) -> None:
    class PaymentRequired(Exception):
        def __init__(self, amount: int) -> None:
            super().__init__(amount)
            self.amount = amount

    @app.errorhandler(PaymentRequired)
    def pay(error: PaymentRequired) -> tuple[str, int]:
        return f"pay {error.amount}", 402

    @app.route("/")
    def index() -> str:
        raise PaymentRequired(5)

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (402, "pay 5")


def test_httpexception_handler_catches_every_http_error(app: App) -> None:
    @app.errorhandler(HTTPException)
    def any_http(error: HTTPException) -> tuple[str, int]:
        return f"http {error.code} {error.name}", t.cast(int, error.code)

    @app.route("/post", methods=["POST"])
    def post_only() -> str:
        return "ok"

    client = app.test_client()

    assert client.get("/missing").text == "http 404 Not Found"
    assert client.get("/post").text == "http 405 Method Not Allowed"


def test_code_handler_is_preferred_over_httpexception_handler(app: App) -> None:
    app.register_error_handler(HTTPException, lambda error: ("generic", 400))
    app.register_error_handler(404, lambda error: ("specific", 404))

    assert app.test_client().get("/missing").text == "specific"


def test_custom_httpexception_subclass_is_handled_by_its_base_code(app: App) -> None:
    class TeapotNotFound(NotFound):
        description = "no teapot"

    app.register_error_handler(404, lambda error: (f"404: {error.description}", 404))

    @app.route("/")
    def index() -> str:
        raise TeapotNotFound()

    assert app.test_client().get("/").text == "404: no teapot"


def test_custom_httpexception_with_its_own_code(app: App) -> None:
    class Teapot(HTTPException):
        code = 418
        description = "I am a teapot"

    app.register_error_handler(Teapot, lambda error: (error.description, 418))

    @app.route("/")
    def index() -> str:
        raise Teapot()

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (418, "I am a teapot")


def test_unhandled_http_error_keeps_werkzeug_page(app: App) -> None:
    response = app.test_client().get("/missing")

    assert response.status_code == 404
    assert b"Not Found" in response.data


def test_error_raised_in_before_request_is_handled(app: App, calls: list[str]) -> None:
    @app.before_request
    def fail() -> None:
        raise ValueError("early")

    app.register_error_handler(ValueError, lambda error: (str(error), 400))
    app.after_request(lambda response: calls.append("after") or response)
    app.route("/")(lambda: "view")

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (400, "early")
    assert calls == ["after"]


def test_errorhandler_500_receives_the_original_exception(app: App) -> None:
    @app.errorhandler(500)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        original = error.original_exception
        return f"500 from {type(original).__name__}", 500

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError("x")

    assert app.test_client().get("/").text == "500 from ZeroDivisionError"


def test_error_inside_an_error_handler_gives_500(app: App) -> None:
    @app.errorhandler(ValueError)
    def broken_handler(error: ValueError) -> str:
        raise RuntimeError("handler broke")

    @app.route("/")
    def index() -> str:
        raise ValueError("first")

    assert app.test_client().get("/").status_code == 500


# --- bad registrations ----------------------------------------------------------


@pytest.mark.parametrize("code", [999, 200, 0])
def test_errorhandler_refuses_an_int_that_is_no_http_error_code(app: App, code: int) -> None:
    with pytest.raises(ValueError, match=f"'{code}' is not a recognized HTTP error code"):
        app.errorhandler(code)(lambda error: "never registered")


def test_errorhandler_refuses_an_exception_instance(app: App) -> None:
    with pytest.raises(TypeError, match="is an instance, not a class"):
        app.register_error_handler(KeyError("k"), lambda error: "x")  # type: ignore[arg-type]


@pytest.mark.parametrize("not_an_exception", [int, str, object])
def test_errorhandler_refuses_a_class_that_is_no_exception(
    app: App, not_an_exception: type
) -> None:
    with pytest.raises(ValueError, match="is not a subclass of Exception"):
        app.register_error_handler(not_an_exception, lambda error: "x")


# --- propagation, testing and debug -------------------------------------------------


def _broken_app() -> App:
    app = App(__name__)

    @app.route("/")
    def broken() -> str:
        raise ValueError("boom")

    return app


@pytest.mark.parametrize(
    ("config", "propagates"),
    [
        ({}, False),
        ({"TESTING": True}, True),
        ({"DEBUG": True}, True),
        ({"PROPAGATE_EXCEPTIONS": True}, True),
        ({"TESTING": True, "PROPAGATE_EXCEPTIONS": False}, False),
        ({"DEBUG": True, "PROPAGATE_EXCEPTIONS": False}, False),
    ],
    ids=repr,
)
def test_unhandled_exceptions_propagate_like_flask(
    config: dict[str, bool], propagates: bool
) -> None:
    app = _broken_app()
    app.config.update(config)
    client = app.test_client()

    if propagates:
        with pytest.raises(ValueError, match="boom"):
            client.get("/")
    else:
        assert client.get("/").status_code == 500


def test_http_errors_never_propagate_even_when_testing(app: App) -> None:
    app.testing = True

    @app.route("/")
    def index() -> str:
        abort(404)

    assert app.test_client().get("/").status_code == 404


def test_trap_http_exceptions_reraises_them(app: App) -> None:
    app.config.update(TESTING=True, TRAP_HTTP_EXCEPTIONS=True)

    @app.route("/")
    def index() -> str:
        abort(403)

    with pytest.raises(Forbidden):
        app.test_client().get("/")


def test_missing_form_key_is_a_400_that_names_the_key_in_debug(app: App) -> None:
    app.debug = True

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.form["name"]

    with pytest.raises(BadRequest, match="name"):
        app.test_client().post("/", data={"other": "x"})


def test_missing_form_key_is_a_plain_400_outside_debug(app: App) -> None:
    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.form["name"]

    assert app.test_client().post("/", data={"other": "x"}).status_code == 400


# --- logging of unhandled errors --------------------------------------------------


def test_unhandled_error_is_logged_with_its_traceback_and_answered_500(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App(__name__)

    @app.route("/explode")
    def explode() -> str:
        raise ValueError("kaboom")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        response = app.test_client().get("/explode")

    assert response.status_code == 500
    assert b"Internal Server Error" in response.data
    records = [record for record in caplog.records if record.name == app.logger.name]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert records[0].getMessage() == "Exception on /explode [GET]"
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is ValueError
    assert "kaboom" in caplog.text
    assert "Traceback" in caplog.text


def test_handled_errors_are_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    app = App(__name__)
    app.register_error_handler(ValueError, lambda error: ("fine", 400))

    @app.route("/")
    def index() -> str:
        raise ValueError("handled")

    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        app.test_client().get("/")

    assert [r for r in caplog.records if r.name == app.logger.name] == []


# --- setup methods after the first request ------------------------------------------


@pytest.mark.parametrize(
    "register",
    [
        lambda app: app.route("/late")(lambda: "late"),
        lambda app: app.add_url_rule("/late", "late", lambda: "late"),
        lambda app: app.before_request(lambda: None),
        lambda app: app.after_request(lambda response: response),
        lambda app: app.teardown_request(lambda exc: None),
        lambda app: app.errorhandler(404)(lambda error: "x"),
        lambda app: app.register_error_handler(KeyError, lambda error: "x"),
        lambda app: app.context_processor(lambda: {}),
    ],
    ids=[
        "route",
        "add_url_rule",
        "before_request",
        "after_request",
        "teardown_request",
        "errorhandler",
        "register_error_handler",
        "context_processor",
    ],
)
def test_setup_methods_are_refused_after_the_first_request(
    app: App, register: t.Callable[[App], object]
) -> None:
    app.route("/")(lambda: "ok")
    app.test_client().get("/")

    with pytest.raises(AssertionError, match="already handled its first request"):
        register(app)


def test_setup_methods_work_before_the_first_request(app: App) -> None:
    app.route("/")(lambda: "ok")
    app.before_request(lambda: None)

    assert app.test_client().get("/").text == "ok"


# --- what error handlers do not see, and what they may return ----------------------


def test_routing_redirects_bypass_httpexception_handlers(app: App) -> None:
    app.register_error_handler(HTTPException, lambda error: ("handled", 400))
    app.route("/folder/")(lambda: "folder")

    response = app.test_client().get("/folder")

    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/folder/"


def test_an_exception_handler_also_catches_http_errors(app: App) -> None:
    app.register_error_handler(Exception, lambda error: (f"caught {type(error).__name__}", 400))

    assert app.test_client().get("/missing").text == "caught NotFound"


def test_an_error_handler_returning_none_gives_500(app: App) -> None:
    app.register_error_handler(404, lambda error: None)

    assert app.test_client().get("/missing").status_code == 500


def test_abort_500_has_no_original_exception(app: App) -> None:
    app.register_error_handler(500, lambda error: (repr(error.original_exception), 500))

    @app.route("/")
    def index() -> str:
        abort(500)

    assert app.test_client().get("/").text == "None"


def test_abort_with_a_response_bypasses_error_handlers(app: App) -> None:
    app.register_error_handler(HTTPException, lambda error: ("handled", 400))

    @app.route("/")
    def index() -> str:
        abort(Response("direct", status=418))

    response = app.test_client().get("/")

    assert (response.status_code, response.text) == (418, "direct")


def test_before_request_may_short_circuit_with_a_dict(app: App) -> None:
    app.before_request(lambda: {"short": True})
    app.route("/")(lambda: "view")

    response = app.test_client().get("/")

    assert response.mimetype == "application/json"
    assert response.json == {"short": True}


# --- failures inside hooks, and what hooks may still change --------------------------


def test_after_request_that_raises_gives_500_and_reaches_teardown(app: App) -> None:
    received: list[BaseException | None] = []

    @app.after_request
    def broken(response: Response) -> Response:
        raise ValueError("after")

    app.teardown_request(received.append)
    app.route("/")(lambda: "view")

    assert app.test_client().get("/").status_code == 500
    assert [type(exc) for exc in received] == [ValueError]


def test_teardown_that_raises_propagates_but_app_teardown_still_runs(
    app: App, calls: list[str]
) -> None:
    app.teardown_request(lambda exc: calls.append("registered first"))

    @app.teardown_request
    def broken(exc: BaseException | None) -> None:
        calls.append("broken")
        raise ValueError("teardown")

    app.teardown_appcontext(lambda exc: calls.append("appcontext"))
    app.route("/")(lambda: "view")

    with pytest.raises(ValueError, match="teardown"):
        app.test_client().get("/")
    assert calls == ["broken", "appcontext"]


def test_an_error_handler_that_aborts_gives_500(app: App) -> None:
    @app.errorhandler(ValueError)
    def escalate(error: ValueError) -> str:
        abort(403)

    app.register_error_handler(403, lambda error: ("forbidden handler", 403))

    @app.route("/")
    def index() -> str:
        raise ValueError("x")

    assert app.test_client().get("/").status_code == 500


def test_internal_server_error_class_handler_catches_unhandled_errors(app: App) -> None:
    app.register_error_handler(InternalServerError, lambda error: ("custom 500", 500))

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    assert app.test_client().get("/").text == "custom 500"


def test_teardown_runs_after_a_before_request_error(app: App) -> None:
    received: list[BaseException | None] = []

    @app.before_request
    def broken() -> None:
        raise ZeroDivisionError()

    app.teardown_request(received.append)
    app.route("/")(lambda: "view")

    assert app.test_client().get("/").status_code == 500
    assert [type(exc) for exc in received] == [ZeroDivisionError]


def test_after_request_runs_for_unhandled_500_responses(app: App, calls: list[str]) -> None:
    app.after_request(lambda response: calls.append(str(response.status_code)) or response)

    @app.route("/")
    def index() -> str:
        raise ZeroDivisionError()

    app.test_client().get("/")

    assert calls == ["500"]


def test_before_request_runs_for_automatic_options(app: App, calls: list[str]) -> None:
    app.before_request(lambda: calls.append(request.method))
    app.route("/", methods=["GET", "POST"])(lambda: "view")

    response = app.test_client().options("/")

    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert calls == ["OPTIONS"]


def test_g_is_still_available_in_teardown(app: App) -> None:
    seen: list[object] = []

    @app.before_request
    def remember() -> None:
        g.user = "ann"

    app.teardown_request(lambda exc: seen.append(g.get("user")))
    app.teardown_appcontext(lambda exc: seen.append(g.get("user")))
    app.route("/")(lambda: "view")

    app.test_client().get("/")

    assert seen == ["ann", "ann"]


def test_session_changes_in_after_request_are_saved_but_not_in_teardown(app: App) -> None:
    app.secret_key = "hooks"

    @app.after_request
    def mark(response: Response) -> Response:
        session["after"] = True
        return response

    app.teardown_request(lambda exc: session.__setitem__("teardown", True))
    app.add_url_rule("/", "index", lambda: "view")
    app.add_url_rule("/dump", "dump", lambda: dict(session))
    client = app.test_client()
    client.get("/")

    assert client.get("/dump").json == {"after": True}


def test_registration_decorators_return_the_function(app: App) -> None:
    def hook(*args: t.Any) -> None:
        return None

    assert app.before_request(hook) is hook
    assert app.after_request(hook) is hook
    assert app.teardown_request(hook) is hook
    assert app.teardown_appcontext(hook) is hook
    assert app.errorhandler(404)(hook) is hook


# --- how Flask picks among several handlers ------------------------------------------------


def test_a_code_handler_anywhere_beats_a_class_handler_on_the_blueprint(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index() -> str:
        abort(404)

    bp.register_error_handler(HTTPException, lambda error: ("blueprint generic", 404))
    app.register_error_handler(404, lambda error: ("app 404", 404))
    app.register_blueprint(bp)

    assert app.test_client().get("/").text == "app 404"


def test_the_most_specific_class_wins(app: App) -> None:
    app.register_error_handler(HTTPException, lambda error: ("generic", 404))
    app.register_error_handler(NotFound, lambda error: ("not found", 404))

    assert app.test_client().get("/missing").text == "not found"


def test_registering_a_handler_again_replaces_it(app: App) -> None:
    app.register_error_handler(404, lambda error: ("first", 404))
    app.register_error_handler(404, lambda error: ("second", 404))

    assert app.test_client().get("/missing").text == "second"


def test_a_subclass_handler_does_not_catch_its_base(app: App) -> None:
    class SpecificError(ValueError):
        pass

    app.register_error_handler(SpecificError, lambda error: ("specific", 400))

    @app.route("/")
    def index() -> str:
        raise ValueError("plain")

    assert app.test_client().get("/").status_code == 500


def test_handled_errors_are_handled_in_debug_too(app: App) -> None:
    app.debug = True
    app.register_error_handler(ValueError, lambda error: ("handled", 400))

    @app.route("/")
    def index() -> str:
        raise ValueError()

    assert app.test_client().get("/").text == "handled"


def test_base_exceptions_are_not_handled(app: App) -> None:
    @app.route("/")
    def index() -> str:
        raise SystemExit(3)

    with pytest.raises(SystemExit):
        app.test_client().get("/")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"DEBUG": True, "TRAP_BAD_REQUEST_ERRORS": False}, 400),
        ({"TRAP_BAD_REQUEST_ERRORS": True}, 500),
    ],
    ids=["debug-untrapped", "trapped"],
)
def test_trap_bad_request_errors(app: App, config: dict[str, bool], expected: int) -> None:
    app.config.update(config)

    @app.route("/", methods=["POST"])
    def index() -> str:
        return request.form["missing"]

    assert app.test_client().post("/").status_code == expected


@pytest.mark.parametrize("mode", ["TESTING", "DEBUG"])
def test_propagation_wins_over_a_500_handler(app: App, mode: str) -> None:
    app.config[mode] = True
    app.register_error_handler(500, lambda error: ("custom 500", 500))

    @app.route("/")
    def index() -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        app.test_client().get("/")
