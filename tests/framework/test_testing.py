"""The test client and test request contexts, used the way a Flask test suite uses them."""

from __future__ import annotations

import io
import typing as t

import click
import pytest
from click.testing import CliRunner
from werkzeug.test import ClientRedirectError, EnvironBuilder

from framework import (
    App,
    current_app,
    g,
    redirect,
    request,
    session,
    signals,
    stream_with_context,
    url_for,
)
from framework.cli import ScriptInfo
from framework.sessions import SecureCookieSessionInterface
from framework.testing import AppCliRunner
from framework.testing import EnvironBuilder as AppEnvironBuilder


@pytest.fixture
def app() -> App:
    app = App(__name__)
    app.secret_key = "testing secret"

    @app.route("/login", methods=["POST"])
    def login() -> t.Any:
        session["user"] = request.form["user"]
        return redirect(url_for("profile"))

    @app.route("/profile")
    def profile() -> str:
        return f"profile of {session.get('user', 'nobody')}"

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo() -> dict[str, t.Any]:
        return {
            "method": request.method,
            "args": request.args.to_dict(),
            "form": request.form.to_dict(),
            "json": request.get_json(silent=True),
            "content_type": request.content_type,
            "remote_addr": request.remote_addr,
            "user_agent": request.user_agent.string,
            "host": request.host,
            "scheme": request.scheme,
        }

    @app.route("/cookie/<value>")
    def set_cookie(value: str) -> t.Any:
        response = app.make_response("cookie set")
        response.set_cookie("flavour", value)
        return response

    @app.route("/cookie")
    def read_cookie() -> str:
        return request.cookies.get("flavour", "none")

    @app.route("/hop/<int:count>")
    def hop(count: int) -> t.Any:
        if count == 0:
            return "landed"
        return redirect(url_for("hop", count=count - 1))

    return app


# --- cookie jar ---------------------------------------------------------------


def test_client_keeps_cookies_between_requests(app: App) -> None:
    client = app.test_client()
    client.get("/cookie/mint")

    assert client.get("/cookie").text == "mint"


def test_client_cookie_can_be_set_and_read_directly(app: App) -> None:
    client = app.test_client()
    client.set_cookie("flavour", "lemon")

    assert client.get("/cookie").text == "lemon"
    client.get("/cookie/mint")
    cookie = client.get_cookie("flavour")
    assert cookie is not None
    assert cookie.value == "mint"


def test_client_cookie_can_be_deleted(app: App) -> None:
    client = app.test_client()
    client.get("/cookie/mint")
    client.delete_cookie("flavour")

    assert client.get("/cookie").text == "none"


def test_client_without_cookies_forgets_them(app: App) -> None:
    client = app.test_client(use_cookies=False)
    client.get("/cookie/mint")

    assert client.get("/cookie").text == "none"


def test_each_client_has_its_own_jar(app: App) -> None:
    first, second = app.test_client(), app.test_client()
    first.get("/cookie/mint")

    assert second.get("/cookie").text == "none"


# --- redirects ----------------------------------------------------------------


def test_redirects_are_not_followed_by_default(app: App) -> None:
    response = app.test_client().post("/login", data={"user": "ann"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"


def test_follow_redirects_lands_on_the_final_page(app: App) -> None:
    response = app.test_client().post("/login", data={"user": "ann"}, follow_redirects=True)

    assert response.status_code == 200
    assert response.text == "profile of ann"
    assert response.request.path == "/profile"
    assert [hop.status_code for hop in response.history] == [302]


def test_follow_redirects_through_several_hops(app: App) -> None:
    response = app.test_client().get("/hop/3", follow_redirects=True)

    assert response.text == "landed"
    assert [hop.request.path for hop in response.history] == ["/hop/3", "/hop/2", "/hop/1"]


def test_following_a_307_keeps_method_and_body(app: App) -> None:
    app.add_url_rule("/old", "old", lambda: redirect("/new", 307), methods=["POST"])
    app.add_url_rule("/new", "new", lambda: request.get_data(), methods=["POST"])

    response = app.test_client().post("/old", data=b"payload", follow_redirects=True)

    assert response.text == "payload"


def test_following_a_303_switches_to_get(app: App) -> None:
    app.add_url_rule("/old", "old", lambda: redirect("/new", 303), methods=["POST"])
    app.add_url_rule("/new", "new", lambda: request.method, methods=["GET", "POST"])

    response = app.test_client().post("/old", data=b"payload", follow_redirects=True)

    assert response.text == "GET"


def test_redirect_loop_is_detected(app: App) -> None:
    app.route("/loop")(lambda: redirect("/loop"))

    with pytest.raises(ClientRedirectError, match="Loop detected"):
        app.test_client().get("/loop", follow_redirects=True)


# --- request bodies -------------------------------------------------------------


def test_json_argument_sends_a_json_body(app: App) -> None:
    response = app.test_client().post("/echo", json={"name": "ann", "tags": [1, 2]})

    assert response.json is not None
    assert response.json["json"] == {"name": "ann", "tags": [1, 2]}
    assert response.json["content_type"] == "application/json"


def test_json_argument_uses_the_app_json_provider(app: App) -> None:
    import datetime

    when = datetime.date(2024, 5, 17)
    response = app.test_client().post("/echo", json={"when": when})

    assert response.json is not None
    assert response.json["json"] == {"when": "Fri, 17 May 2024 00:00:00 GMT"}


def test_json_body_on_a_get_request(app: App) -> None:
    body = app.test_client().get("/echo", json={"q": 1}).json

    assert body is not None
    assert body["json"] == {"q": 1}


def test_data_and_json_together_is_an_error(app: App) -> None:
    with pytest.raises(TypeError, match="data.*json|json.*data"):
        app.test_client().post("/echo", json={"a": 1}, data="raw")


def test_form_data_and_query_string(app: App) -> None:
    response = app.test_client().put("/echo?page=2", data={"title": "hi"})

    assert response.json is not None
    assert response.json["method"] == "PUT"
    assert response.json["args"] == {"page": "2"}
    assert response.json["form"] == {"title": "hi"}


def test_file_upload(app: App) -> None:
    @app.route("/upload", methods=["POST"])
    def upload() -> str:
        uploaded = request.files["doc"]
        return f"{uploaded.filename}:{uploaded.read().decode()}"

    response = app.test_client().post(
        "/upload", data={"doc": (io.BytesIO(b"contents"), "notes.txt")}
    )

    assert response.text == "notes.txt:contents"


def test_default_environ_looks_like_a_local_client(app: App) -> None:
    body = app.test_client().get("/echo").json

    assert body is not None
    assert body["remote_addr"] == "127.0.0.1"
    assert body["host"] == "localhost"
    assert body["scheme"] == "http"
    assert body["user_agent"] == f"Werkzeug/{_werkzeug_version()}"


def _werkzeug_version() -> str:
    from importlib.metadata import version

    return version("werkzeug")


def test_environ_base_and_base_url(app: App) -> None:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    body = client.get("/echo", base_url="https://example.org").json

    assert body is not None
    assert (body["remote_addr"], body["host"], body["scheme"]) == (
        "10.0.0.9",
        "example.org",
        "https",
    )


def test_server_name_becomes_the_default_host(app: App) -> None:
    app.config["SERVER_NAME"] = "example.com:8080"
    body = app.test_client().get("/echo").json

    assert body is not None
    assert body["host"] == "example.com:8080"


def test_open_accepts_an_environ_builder(app: App) -> None:
    builder = EnvironBuilder(path="/echo", method="POST", data={"a": "1"})
    body = app.test_client().open(builder).json

    assert body is not None
    assert body["form"] == {"a": "1"}


def test_response_json_of_a_non_json_response_is_none(app: App) -> None:
    response = app.test_client().get("/profile")

    assert response.is_json is False
    assert response.json is None


# --- session_transaction --------------------------------------------------------------


def test_session_transaction_prepares_the_session(app: App) -> None:
    client = app.test_client()
    with client.session_transaction() as prepared:
        prepared["user"] = "ann"

    assert client.get("/profile").text == "profile of ann"


def test_session_transaction_reads_what_a_request_stored(app: App) -> None:
    client = app.test_client()
    client.post("/login", data={"user": "bob"})

    with client.session_transaction() as stored:
        assert stored["user"] == "bob"


def test_session_transaction_takes_request_arguments(app: App) -> None:
    client = app.test_client()

    with client.session_transaction(base_url="http://other.example") as prepared:
        prepared["user"] = "eve"

    assert client.get("/profile", "http://other.example").text == "profile of eve"
    assert client.get("/profile").text == "profile of nobody"


def test_session_transaction_without_secret_key_is_a_clear_error(app: App) -> None:
    """Flask's message ("Session backend did not open a session"), with the reason named."""
    app.secret_key = None

    with pytest.raises(RuntimeError, match="did not open a session: no secret key was set"):
        with app.test_client().session_transaction():
            pass


def test_session_transaction_needs_cookies(app: App) -> None:
    with pytest.raises(TypeError, match="[Cc]ookies"):
        with app.test_client(use_cookies=False).session_transaction():
            pass


# --- with client: ------------------------------------------------------------------


def test_with_client_keeps_the_last_request_context(app: App) -> None:
    client = app.test_client()

    with client:
        client.get("/echo?page=7")
        assert request.path == "/echo"
        assert request.args["page"] == "7"

    with pytest.raises(RuntimeError, match="request context"):
        _ = request.path


def test_with_client_gives_access_to_the_session_after_the_request(app: App) -> None:
    client = app.test_client()

    with client:
        client.post("/login", data={"user": "ann"})
        assert session["user"] == "ann"


def test_with_client_each_request_replaces_the_kept_context(app: App) -> None:
    client = app.test_client()

    with client:
        client.get("/echo")
        client.get("/profile")
        assert request.path == "/profile"


def test_with_client_keeps_the_context_of_a_failed_request(app: App) -> None:
    @app.route("/fail")
    def fail() -> str:
        raise ValueError("boom")

    client = app.test_client()

    with client:
        assert client.get("/fail?attempt=1").status_code == 500
        assert request.args["attempt"] == "1"


def test_with_client_cannot_be_nested(app: App) -> None:
    client = app.test_client()

    with client:
        with pytest.raises(RuntimeError, match="Cannot nest client invocations"):
            with client:
                pass


def test_without_with_the_context_is_gone_after_the_request(app: App) -> None:
    app.test_client().get("/echo")

    with pytest.raises(RuntimeError, match="request context"):
        _ = request.path


# --- test_request_context ---------------------------------------------------------


def test_test_request_context_builds_a_request(app: App) -> None:
    with app.test_request_context(
        "/echo?x=1",
        method="POST",
        data={"field": "value"},
        headers={"X-Token": "abc"},
        base_url="https://example.org/prefix",
    ):
        assert request.method == "POST"
        assert request.args["x"] == "1"
        assert request.form["field"] == "value"
        assert request.headers["X-Token"] == "abc"
        assert request.url == "https://example.org/prefix/echo?x=1"
        assert request.script_root == "/prefix"


def test_test_request_context_environ_overrides(app: App) -> None:
    with app.test_request_context("/", environ_overrides={"REMOTE_ADDR": "192.0.2.1"}):
        assert request.remote_addr == "192.0.2.1"


def test_test_request_context_with_json(app: App) -> None:
    with app.test_request_context("/echo", method="POST", json=[1, 2, 3]):
        assert request.is_json
        assert request.get_json() == [1, 2, 3]


def test_test_request_context_matches_the_url(app: App) -> None:
    with app.test_request_context("/hop/4"):
        assert request.endpoint == "hop"
        assert request.view_args == {"count": 4}
        assert url_for("profile") == "/profile"


def test_test_request_context_for_an_unknown_url(app: App) -> None:
    with app.test_request_context("/nowhere"):
        assert request.endpoint is None
        assert request.routing_exception is not None
        assert request.routing_exception.code == 404  # type: ignore[attr-defined]


def test_test_request_context_with_subdomain(app: App) -> None:
    app.config["SERVER_NAME"] = "example.com"

    with app.test_request_context("/", subdomain="api"):
        assert request.host == "api.example.com"


def test_test_request_context_does_not_run_hooks(app: App) -> None:
    calls: list[str] = []
    app.before_request(lambda: calls.append("before"))

    with app.test_request_context("/profile"):
        pass

    assert calls == []
    with app.test_request_context("/profile"):
        app.preprocess_request()
    assert calls == ["before"]


def test_test_client_class_can_be_replaced(app: App) -> None:
    base = type(app.test_client())

    class LoggedInClient(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: t.Any, user: str, **kwargs: t.Any) -> None:
            super().__init__(*args, **kwargs)
            with self.session_transaction() as prepared:
                prepared["user"] = user

    app.test_client_class = LoggedInClient

    assert app.test_client(user="zoe").get("/profile").text == "profile of zoe"


def test_buffered_response_is_read_at_once(app: App) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        def chunks() -> t.Iterator[str]:
            yield "a"
            yield "b"

        return chunks()

    response = app.test_client().get("/stream", buffered=True)

    assert (response.is_streamed, response.data) == (False, b"ab")


def test_response_remembers_its_request(app: App) -> None:
    response = app.test_client().get("/profile?tab=2")

    assert response.request.path == "/profile"
    assert response.request.args["tab"] == "2"


def test_client_honours_application_root(app: App) -> None:
    app.config["APPLICATION_ROOT"] = "/root"
    app.route("/where")(lambda: request.url)

    assert app.test_client().get("/where").text == "http://localhost/root/where"


def test_test_request_context_uses_server_name_root_and_scheme(app: App) -> None:
    app.config.update(
        SERVER_NAME="example.com", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )

    with app.test_request_context("/page"):
        assert request.url == "https://example.com/root/page"


# --- EnvironBuilder and more client behaviour ----------------------------------------------


def test_environ_builder_uses_the_app_json_provider(app: App) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]
    environ = AppEnvironBuilder(app, "/echo", json={"b": 1, "a": 2}).get_environ()

    assert environ["wsgi.input"].read() == b'{"b": 1, "a": 2}'
    assert environ["CONTENT_TYPE"] == "application/json"


def test_environ_builder_follows_server_name_root_and_scheme(app: App) -> None:
    app.config.update(
        SERVER_NAME="example.com", APPLICATION_ROOT="/root", PREFERRED_URL_SCHEME="https"
    )
    environ = AppEnvironBuilder(app, "/x", subdomain="api").get_environ()

    assert (environ["HTTP_HOST"], environ["SCRIPT_NAME"], environ["wsgi.url_scheme"]) == (
        "api.example.com",
        "/root",
        "https",
    )


def test_environ_builder_refuses_base_url_with_subdomain(app: App) -> None:
    """Flask raises AssertionError here; the project validates without ``assert``."""
    with pytest.raises((AssertionError, ValueError), match='Cannot pass "subdomain"'):
        AppEnvironBuilder(app, "/x", base_url="http://example.com", subdomain="api")


def test_test_request_context_url_scheme(app: App) -> None:
    with app.test_request_context("/", url_scheme="https"):
        assert request.url == "https://localhost/"


def test_client_knows_its_application(app: App) -> None:
    assert app.test_client().application is app


def test_session_transaction_inside_with_client(app: App) -> None:
    client = app.test_client()

    with client:
        with client.session_transaction() as prepared:
            prepared["user"] = "kim"
        assert client.get("/profile").text == "profile of kim"
        assert session["user"] == "kim"


def test_unchanged_session_transaction_sets_no_cookie(app: App) -> None:
    client = app.test_client()

    with client.session_transaction():
        pass

    assert client.get_cookie("session") is None


def test_session_transaction_when_the_backend_opens_no_session(app: App) -> None:
    class NoSessions(SecureCookieSessionInterface):
        def open_session(self, app: App, request: t.Any) -> None:
            return None

    app.session_interface = NoSessions()

    with pytest.raises(RuntimeError, match="did not open a session"):
        with app.test_client().session_transaction():
            pass


def test_following_an_external_redirect_is_refused(app: App) -> None:
    app.route("/away")(lambda: redirect("http://other.example/x"))

    with pytest.raises(RuntimeError, match="Following external redirects is not supported"):
        app.test_client().get("/away", follow_redirects=True)


def test_with_client_drops_the_context_when_the_error_propagates(app: App) -> None:
    app.testing = True

    @app.route("/fail")
    def fail() -> str:
        raise ZeroDivisionError()

    client = app.test_client()

    with client:
        with pytest.raises(ZeroDivisionError):
            client.get("/fail")
        with pytest.raises(RuntimeError, match="request context"):
            _ = request.path


def test_leaving_with_client_tears_the_kept_context_down_once(app: App) -> None:
    calls: list[str] = []
    app.teardown_request(lambda exc: calls.append("teardown_request"))
    app.teardown_appcontext(lambda exc: calls.append("teardown_appcontext"))
    client = app.test_client()

    with client:
        client.get("/profile")
        calls.append("request done")

    assert calls == [
        "teardown_request",
        "teardown_appcontext",
        "request done",
        "teardown_request",
        "teardown_appcontext",
    ]


def test_with_client_pushes_the_kept_app_context_once(app: App) -> None:
    pushed: list[str] = []

    def count(sender: App, **kwargs: t.Any) -> None:
        pushed.append("pushed")

    client = app.test_client()

    with signals.appcontext_pushed.connected_to(count, app):
        with client:
            client.get("/profile")

    assert pushed == ["pushed", "pushed"]


def test_with_client_keeps_the_context_of_the_final_redirect_target(app: App) -> None:
    client = app.test_client()

    with client:
        client.post("/login", data={"user": "ann"}, follow_redirects=True)
        assert request.path == "/profile"


def test_with_client_keeps_g_of_the_last_request(app: App) -> None:
    @app.route("/remember")
    def remember() -> str:
        g.answer = 42
        return "ok"

    client = app.test_client()

    with client:
        client.get("/remember")
        assert g.answer == 42


def test_with_client_and_a_streamed_response(app: App) -> None:
    @app.route("/stream")
    def stream() -> t.Any:
        @stream_with_context
        def chunks() -> t.Iterator[str]:
            yield request.args["q"]

        return chunks()

    client = app.test_client()

    with client:
        assert client.get("/stream?q=z").data == b"z"
        assert request.args["q"] == "z"


def test_with_client_can_be_entered_again(app: App) -> None:
    client = app.test_client()

    with client:
        client.get("/echo?round=1")
    with client:
        client.get("/echo?round=2")
        assert request.args["round"] == "2"


def test_another_clients_request_does_not_replace_the_kept_context(app: App) -> None:
    kept, other = app.test_client(), app.test_client()

    with kept:
        kept.get("/echo?who=kept")
        other.get("/echo?who=other")
        assert request.args["who"] == "kept"


def test_with_client_keeps_the_context_of_a_404(app: App) -> None:
    client = app.test_client()

    with client:
        assert client.get("/nowhere?z=1").status_code == 404
        assert request.args["z"] == "1"
        assert request.endpoint is None


# --- test_cli_runner -------------------------------------------------------------------


def test_the_cli_runner_invokes_the_app_commands_in_the_app_context(app: App) -> None:
    @app.cli.command("hello")
    @click.argument("name")
    def hello(name: str) -> None:
        click.echo(f"hello {name} from {current_app.name}")

    runner = app.test_cli_runner()

    assert isinstance(runner, CliRunner)
    assert runner.invoke(args=["hello", "ada"]).output == f"hello ada from {app.name}\n"
    assert runner.invoke(hello, ["bob"]).output == f"hello bob from {app.name}\n"


def test_the_cli_runner_takes_a_script_info_of_the_callers_own(app: App) -> None:
    loaded: list[App] = []

    def create_app() -> App:
        loaded.append(app)
        return app

    @app.cli.command("hello")
    def hello() -> None:
        click.echo("hello")

    app.test_cli_runner().invoke(hello, obj=ScriptInfo(create_app=create_app))

    assert loaded == [app]


def test_a_cli_runner_class_of_the_apps_own_is_used(app: App) -> None:
    class ShopRunner(AppCliRunner):
        pass

    app.test_cli_runner_class = ShopRunner

    assert type(app.test_cli_runner()) is ShopRunner


def test_a_request_can_be_sent_again_from_its_environ() -> None:
    app = App("replay")

    @app.route("/whoami")
    def whoami() -> str:
        return f"{request.remote_addr} {request.url}"

    builder = AppEnvironBuilder(app, "/whoami")
    environ = builder.get_environ()
    builder.close()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.2"

    assert client.open(environ).text == "127.0.0.2 http://localhost/whoami"


def test_session_transaction_leaves_the_callers_request_context_active(app: App) -> None:
    client = app.test_client()

    with app.test_request_context("/callers"):
        with client.session_transaction() as prepared:
            prepared["user"] = "ada"
            assert request.path == "/callers"
