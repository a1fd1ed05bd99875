"""Signed-cookie sessions: the session proxy, every SESSION_COOKIE_* setting, bad cookies."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import typing as t
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import flask
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup

from framework import App, Response, session
from framework.globals import request_ctx
from framework.json.tag import TaggedJSONSerializer
from framework.sessions import (
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMixin,
)

SECRET = "correct horse battery staple"


def cookie_attributes(response: Response, name: str = "session") -> dict[str, str | bool]:
    """The Set-Cookie header for ``name`` as a dict: its value plus lowercased attributes."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = header.split("; ")
        key, _, value = first.partition("=")
        if key != name:
            continue
        parsed: dict[str, str | bool] = {"value": value}
        for attribute in attributes:
            attribute_name, equals, attribute_value = attribute.partition("=")
            parsed[attribute_name.lower()] = attribute_value if equals else True
        return parsed
    raise AssertionError(f"no Set-Cookie for {name!r} in {response.headers!r}")


def make_app(**config: t.Any) -> App:
    """An app with routes to write, read, mark permanent and clear the session."""
    app = App(__name__)
    app.secret_key = SECRET
    app.config.update(config)

    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        session[key] = value
        return "set"

    @app.route("/get/<key>")
    def get_value(key: str) -> str:
        return str(session.get(key))

    @app.route("/permanent/<key>/<value>")
    def set_permanent(key: str, value: str) -> str:
        session.permanent = True
        session[key] = value
        return "permanent"

    @app.route("/clear")
    def clear() -> str:
        session.clear()
        return "cleared"

    @app.route("/untouched")
    def untouched() -> str:
        return "untouched"

    @app.route("/dump")
    def dump() -> dict[str, t.Any]:
        return dict(session)

    return app


@pytest.fixture
def app() -> App:
    return make_app()


def test_session_values_survive_between_requests(app: App) -> None:
    client = app.test_client()
    client.get("/set/user/ann")

    assert client.get("/get/user").text == "ann"


def test_a_new_client_has_an_empty_session(app: App) -> None:
    app.test_client().get("/set/user/ann")

    assert app.test_client().get("/get/user").text == "None"


def test_session_state_flags(app: App) -> None:
    with app.test_request_context("/"):
        assert session.modified is False
        assert session.permanent is False
        session["a"] = 1
        assert session.modified is True
        assert session.accessed is True


def test_changing_a_nested_value_needs_modified(app: App) -> None:
    @app.route("/append/<item>")
    def append(item: str) -> str:
        session.setdefault("items", []).append(item)
        if item == "marked":
            session.modified = True
        return "ok"

    client = app.test_client()
    client.get("/append/first")
    client.get("/append/unmarked")
    client.get("/append/marked")

    assert client.get("/dump").json == {"items": ["first", "marked"]}


def test_session_cookie_carries_the_signed_data(app: App) -> None:
    response = app.test_client().get("/set/user/ann")
    value = t.cast(str, cookie_attributes(response)["value"])
    payload = value.split(".")[0]
    padded = payload + "=" * (-len(payload) % 4)

    assert base64.urlsafe_b64decode(padded) == b'{"user":"ann"}'


# --- cookie attributes --------------------------------------------------------


def test_default_cookie_attributes(app: App) -> None:
    attributes = cookie_attributes(app.test_client().get("/set/a/1"))

    assert attributes["httponly"] is True
    assert attributes["path"] == "/"
    assert "expires" not in attributes
    assert "secure" not in attributes
    assert "samesite" not in attributes
    assert "domain" not in attributes
    assert "partitioned" not in attributes


@pytest.mark.parametrize(
    ("setting", "value", "attribute", "expected"),
    [
        ("SESSION_COOKIE_DOMAIN", "example.com", "domain", "example.com"),
        ("SESSION_COOKIE_PATH", "/app", "path", "/app"),
        ("APPLICATION_ROOT", "/root", "path", "/root"),
        ("SESSION_COOKIE_SECURE", True, "secure", True),
        ("SESSION_COOKIE_SAMESITE", "Lax", "samesite", "Lax"),
        ("SESSION_COOKIE_SAMESITE", "Strict", "samesite", "Strict"),
        ("SESSION_COOKIE_SAMESITE", "None", "samesite", "None"),
        ("SESSION_COOKIE_PARTITIONED", True, "partitioned", True),
    ],
)
def test_session_cookie_settings_shape_the_cookie(
    setting: str, value: object, attribute: str, expected: object
) -> None:
    app = make_app(**{setting: value})
    response = app.test_client().get("/set/a/1", "http://example.com/")

    assert cookie_attributes(response)[attribute] == expected


def test_server_name_does_not_set_the_cookie_domain() -> None:
    app = make_app(SERVER_NAME="example.com")
    response = app.test_client().get("/set/a/1")

    assert "domain" not in cookie_attributes(response)


def test_samesite_is_normalised_like_werkzeug() -> None:
    response = make_app(SESSION_COOKIE_SAMESITE="lax").test_client().get("/set/a/1")

    assert cookie_attributes(response)["samesite"] == "Lax"


def test_session_cookie_name_setting() -> None:
    app = make_app(SESSION_COOKIE_NAME="sid")
    client = app.test_client()
    response = client.get("/set/a/1")

    assert cookie_attributes(response, "sid")["value"]
    assert client.get_cookie("session") is None
    assert client.get("/get/a").text == "1"


def test_session_cookie_httponly_can_be_turned_off() -> None:
    response = make_app(SESSION_COOKIE_HTTPONLY=False).test_client().get("/set/a/1")

    assert "httponly" not in cookie_attributes(response)


def test_partitioned_cookie_is_also_secure() -> None:
    response = make_app(SESSION_COOKIE_PARTITIONED=True).test_client().get("/set/a/1")

    assert cookie_attributes(response)["secure"] is True


def test_cookie_path_limits_where_the_session_is_sent() -> None:
    app = make_app(SESSION_COOKIE_PATH="/set")
    client = app.test_client()
    client.get("/set/a/1")

    assert client.get("/get/a").text == "None"


def test_invalid_samesite_value_is_a_clear_error() -> None:
    app = make_app(SESSION_COOKIE_SAMESITE="Sometimes", TESTING=True)

    with pytest.raises(ValueError, match="SameSite"):
        app.test_client().get("/set/a/1")


# --- when the cookie is written --------------------------------------------------


def test_untouched_session_sets_no_cookie(app: App) -> None:
    response = app.test_client().get("/untouched")

    assert "Set-Cookie" not in response.headers


def test_reading_a_session_does_not_rewrite_a_non_permanent_cookie(app: App) -> None:
    client = app.test_client()
    client.get("/set/a/1")

    assert "Set-Cookie" not in client.get("/get/a").headers


def test_permanent_session_expires_after_the_lifetime() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=timedelta(hours=2))
    before = datetime.now(UTC)
    response = app.test_client().get("/permanent/a/1")
    expires = parsedate_to_datetime(t.cast(str, cookie_attributes(response)["expires"]))

    assert before + timedelta(hours=2) - timedelta(seconds=2) <= expires
    assert expires <= before + timedelta(hours=2, seconds=2)


def test_permanent_session_lifetime_accepts_seconds() -> None:
    app = make_app(PERMANENT_SESSION_LIFETIME=600)
    before = datetime.now(UTC)
    response = app.test_client().get("/permanent/a/1")
    expires = parsedate_to_datetime(t.cast(str, cookie_attributes(response)["expires"]))

    assert abs((expires - before).total_seconds() - 600) < 3


def test_default_permanent_lifetime_is_31_days(app: App) -> None:
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=31)
    assert app.permanent_session_lifetime == timedelta(days=31)


def test_permanent_flag_is_stored_in_the_session(app: App) -> None:
    client = app.test_client()
    client.get("/permanent/a/1")

    assert client.get("/dump").json == {"_permanent": True, "a": "1"}


def test_permanent_session_is_refreshed_on_every_request(app: App) -> None:
    client = app.test_client()
    client.get("/permanent/a/1")
    response = client.get("/get/a")

    assert response.text == "1"
    assert "expires" in cookie_attributes(response)


def test_making_a_session_non_permanent_again_drops_the_expiry(app: App) -> None:
    @app.route("/temporary")
    def temporary() -> str:
        session.permanent = False
        return "temporary"

    client = app.test_client()
    client.get("/permanent/a/1")
    attributes = cookie_attributes(client.get("/temporary"))

    assert "expires" not in attributes
    assert client.get("/dump").json == {"_permanent": False, "a": "1"}


def test_refresh_each_request_off_writes_only_when_modified() -> None:
    app = make_app(SESSION_REFRESH_EACH_REQUEST=False)
    client = app.test_client()
    client.get("/permanent/a/1")

    assert "Set-Cookie" not in client.get("/get/a").headers
    assert "Set-Cookie" in client.get("/set/b/2").headers


class SignedAnHourAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 3600


def cookie_signed_an_hour_ago(data: dict[str, t.Any]) -> str:
    """A session cookie in Flask's format whose signature is one hour old."""
    serializer = URLSafeTimedSerializer(
        SECRET,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer=SignedAnHourAgo,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps(data)


def test_expired_signature_gives_an_empty_session() -> None:
    client = make_app(PERMANENT_SESSION_LIFETIME=60).test_client()
    client.set_cookie("session", cookie_signed_an_hour_ago({"user": "ann", "_permanent": True}))

    assert client.get("/get/user").text == "None"


def test_signature_within_the_lifetime_is_accepted() -> None:
    client = make_app(PERMANENT_SESSION_LIFETIME=7200).test_client()
    client.set_cookie("session", cookie_signed_an_hour_ago({"user": "ann"}))

    assert client.get("/get/user").text == "ann"


# --- Vary and deletion ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/get/a", "/set/a/1", "/clear"])
def test_accessing_the_session_adds_vary_cookie(app: App, url: str) -> None:
    assert "Cookie" in app.test_client().get(url).headers.get("Vary", "")


@pytest.mark.parametrize(
    "access",
    [
        lambda: "user" in session,
        lambda: len(session),
        lambda: list(session),
        lambda: bool(session),
        lambda: session.permanent,
        lambda: dict(session.items()),
    ],
    ids=["in", "len", "iter", "bool", "permanent", "items"],
)
def test_any_read_of_the_session_adds_vary_cookie(access: t.Callable[[], object]) -> None:
    app = make_app()
    app.add_url_rule("/read", "read", lambda: repr(access()))

    assert app.test_client().get("/read").headers["Vary"] == "Cookie"


def test_not_touching_the_session_adds_no_vary(app: App) -> None:
    assert "Vary" not in app.test_client().get("/untouched").headers


def test_saving_a_refreshed_cookie_does_not_count_as_using_the_session(app: App) -> None:
    """The request context marks the session accessed when the request uses it (Flask
    3.1.3); the framework's own reads, to save a refreshed permanent cookie, do not."""
    client = app.test_client()
    client.get("/permanent/user/ann")

    with client:
        response = client.get("/untouched")
        session_seen = request_ctx._session
        assert (session_seen.accessed, session_seen.modified) == (False, False)
    assert "Set-Cookie" in response.headers  # the permanent cookie was refreshed


def test_a_test_request_context_that_never_used_the_session_shows_it_unaccessed(
    app: App,
) -> None:
    with app.test_request_context("/"):
        assert request_ctx._session.accessed is False
        assert session.get("user") is None
        assert request_ctx._session.accessed is True


def test_emptying_the_session_deletes_the_cookie(app: App) -> None:
    client = app.test_client()
    client.get("/set/a/1")
    response = client.get("/clear")
    attributes = cookie_attributes(response)

    assert attributes["value"] == ""
    assert attributes["max-age"] == "0"
    assert attributes["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    assert client.get_cookie("session") is None


def test_deleting_uses_the_configured_domain_and_path() -> None:
    app = make_app(SESSION_COOKIE_DOMAIN="example.com", SESSION_COOKIE_PATH="/")
    client = app.test_client()
    client.get("/set/a/1", "http://example.com/")
    attributes = cookie_attributes(client.get("/clear", "http://example.com/"))

    assert (attributes["domain"], attributes["path"]) == ("example.com", "/")


def test_clearing_an_empty_session_still_sends_a_deletion(app: App) -> None:
    assert cookie_attributes(app.test_client().get("/clear"))["max-age"] == "0"


# --- keys --------------------------------------------------------------------------


def test_secret_key_fallbacks_read_cookies_signed_with_an_old_key() -> None:
    old_app = make_app()
    old_app.secret_key = "old key"
    client = old_app.test_client()
    client.get("/set/user/ann")
    old_cookie = t.cast(t.Any, client.get_cookie("session")).value

    new_app = make_app(SECRET_KEY_FALLBACKS=["old key"])
    new_app.secret_key = "new key"
    new_client = new_app.test_client()
    new_client.set_cookie("session", old_cookie)

    assert new_client.get("/get/user").text == "ann"


def test_cookie_from_an_unknown_key_is_ignored() -> None:
    old_app = make_app()
    old_app.secret_key = "old key"
    client = old_app.test_client()
    client.get("/set/user/ann")
    old_cookie = t.cast(t.Any, client.get_cookie("session")).value

    new_app = make_app()
    new_app.secret_key = "new key"
    new_client = new_app.test_client()
    new_client.set_cookie("session", old_cookie)

    assert new_client.get("/get/user").text == "None"


def test_rewritten_cookie_is_signed_with_the_current_key() -> None:
    old_app = make_app()
    old_app.secret_key = "old key"
    client = old_app.test_client()
    client.get("/set/user/ann")

    new_app = make_app(SECRET_KEY_FALLBACKS=["old key"])
    new_app.secret_key = "new key"
    new_client = new_app.test_client()
    new_client.set_cookie("session", t.cast(t.Any, client.get_cookie("session")).value)
    new_client.get("/set/theme/dark")
    rewritten = t.cast(t.Any, new_client.get_cookie("session")).value

    current_only = make_app()
    current_only.secret_key = "new key"
    check = current_only.test_client()
    check.set_cookie("session", rewritten)

    assert check.get("/dump").json == {"user": "ann", "theme": "dark"}


def test_bytes_secret_key_works() -> None:
    app = make_app()
    app.secret_key = b"\x00binary\xffkey"
    client = app.test_client()
    client.get("/set/a/1")

    assert client.get("/get/a").text == "1"


# --- no secret key ------------------------------------------------------------------


def test_without_secret_key_reading_the_session_works() -> None:
    app = make_app()
    app.secret_key = None

    assert app.test_client().get("/get/a").text == "None"


def test_without_secret_key_writing_raises_a_runtime_error() -> None:
    app = make_app(TESTING=True)
    app.secret_key = None

    with pytest.raises(RuntimeError, match="no secret key was set.*Set the secret_key"):
        app.test_client().get("/set/a/1")


@pytest.mark.parametrize(
    "write",
    [
        lambda: session.__setitem__("a", 1),
        lambda: session.pop("a", None),
        lambda: session.clear(),
        lambda: session.update(a=1),
        lambda: session.setdefault("a", 1),
    ],
    ids=["setitem", "pop", "clear", "update", "setdefault"],
)
def test_without_secret_key_every_write_raises(write: t.Callable[[], object]) -> None:
    app = make_app(TESTING=True)
    app.secret_key = None
    app.add_url_rule("/write", "write", lambda: repr(write()))

    with pytest.raises(RuntimeError, match="secret_key"):
        app.test_client().get("/write")


def test_without_secret_key_writing_answers_500_outside_testing() -> None:
    app = make_app()
    app.secret_key = None

    assert app.test_client().get("/set/a/1").status_code == 500


def test_without_secret_key_a_session_cookie_is_ignored() -> None:
    app = make_app()
    app.secret_key = None
    client = app.test_client()
    client.set_cookie("session", "eyJhIjoiMSJ9.ZZZZZZ.xxxxxxxxxxxxxxxxxxxxxxxxxxx")

    assert client.get("/get/a").text == "None"


# --- bad cookies ------------------------------------------------------------------


def _valid_cookie(app: App) -> str:
    client = app.test_client()
    client.get("/set/user/ann")
    return t.cast(t.Any, client.get_cookie("session")).value


def _change_the_signature(value: str) -> str:
    """Change the signature's first character: every bit of it counts (the last one's don't)."""
    signed, _, signature = value.rpartition(".")
    return f"{signed}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


@pytest.mark.parametrize(
    "spoil",
    [
        _change_the_signature,
        lambda value: value[: len(value) // 2],
        lambda value: value.replace("eyJ1c2VyIjoiYW5uIn0", "eyJ1c2VyIjoiYWRtaW4ifQ"),
        lambda value: "garbage",
        lambda value: "",
        lambda value: "....",
        lambda value: "!!!." + value,
    ],
    ids=["tampered", "truncated", "swapped-payload", "garbage", "empty", "dots", "bang"],
)
def test_a_bad_cookie_gives_an_empty_session(app: App, spoil: t.Callable[[str], str]) -> None:
    client = app.test_client()
    client.set_cookie("session", spoil(_valid_cookie(app)))
    response = client.get("/get/user")

    assert (response.status_code, response.text) == (200, "None")


def test_an_oversized_cookie_gives_an_empty_session(app: App) -> None:
    response = app.test_client().get("/get/user", headers={"Cookie": "session=" + "x" * 8000})

    assert (response.status_code, response.text) == (200, "None")


def test_a_non_utf8_cookie_gives_an_empty_session(app: App) -> None:
    response = app.test_client().get("/get/user", headers={"Cookie": "session=\xff\xfe\xfa"})

    assert (response.status_code, response.text) == (200, "None")


def test_a_bad_cookie_is_replaced_on_write(app: App) -> None:
    client = app.test_client()
    client.set_cookie("session", "garbage")
    client.get("/set/user/ann")

    assert client.get("/get/user").text == "ann"


def test_an_oversized_session_warns_like_werkzeug(app: App) -> None:
    @app.route("/big")
    def big() -> str:
        session["blob"] = secrets.token_hex(4000)
        return "big"

    with pytest.warns(UserWarning, match="too large"):
        app.test_client().get("/big")


# --- replaceable interface ------------------------------------------------------


class ServerSideSessions(SessionInterface):
    """Keeps session data in a dict; the cookie holds only an id."""

    def __init__(self) -> None:
        self.store: dict[str, dict[str, t.Any]] = {}

    def open_session(self, app: App, request: t.Any) -> SessionMixin:
        sid = request.cookies.get("sid")
        data = SecureCookieSession(self.store.get(sid, {}) if sid else {})
        data.sid = sid  # type: ignore[attr-defined]
        return data

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        sid = getattr(session, "sid", None) or uuid.uuid4().hex
        self.store[sid] = dict(session)
        response.set_cookie("sid", sid, httponly=self.get_cookie_httponly(app))


def test_session_interface_can_be_replaced() -> None:
    app = make_app()
    interface = ServerSideSessions()
    app.session_interface = interface
    client = app.test_client()
    client.get("/set/user/ann")

    assert client.get("/get/user").text == "ann"
    assert list(interface.store.values()) == [{"user": "ann"}]
    assert client.get_cookie("session") is None


def test_session_interface_returning_none_falls_back_to_a_null_session() -> None:
    class NoSessions(SecureCookieSessionInterface):
        def open_session(self, app: App, request: t.Any) -> None:
            return None

    app = make_app(TESTING=True)
    app.session_interface = NoSessions()
    client = app.test_client()

    assert client.get("/get/a").text == "None"
    with pytest.raises(RuntimeError, match="secret"):
        client.get("/set/a/1")


def test_default_interface_uses_flasks_salt_and_digest(app: App) -> None:
    interface = app.session_interface

    assert isinstance(interface, SecureCookieSessionInterface)
    assert interface.salt == "cookie-session"
    assert interface.key_derivation == "hmac"


# --- compatibility with Flask 3.1 cookies ---------------------------------------


def _flask_app() -> flask.Flask:
    app = flask.Flask(__name__)
    app.secret_key = SECRET

    @app.route("/set/<key>/<value>")
    def set_value(key: str, value: str) -> str:
        flask.session[key] = value
        return "set"

    @app.route("/dump")
    def dump() -> dict[str, t.Any]:
        return dict(flask.session)

    return app


def test_flask_reads_a_cookie_written_by_this_framework(app: App) -> None:
    ours = app.test_client()
    ours.get("/set/user/ann")
    flask_client = _flask_app().test_client()
    flask_client.set_cookie("session", t.cast(t.Any, ours.get_cookie("session")).value)

    assert flask_client.get("/dump").json == {"user": "ann"}


def test_this_framework_reads_a_cookie_written_by_flask(app: App) -> None:
    flask_client = _flask_app().test_client()
    flask_client.get("/set/user/ann")
    ours = app.test_client()
    ours.set_cookie("session", t.cast(t.Any, flask_client.get_cookie("session")).value)

    assert ours.get("/dump").json == {"user": "ann"}


# --- more of Flask's session behaviour ---------------------------------------------------


def test_setting_then_clearing_in_one_request_sends_a_deletion(app: App) -> None:
    @app.route("/flip")
    def flip() -> str:
        session["a"] = 1
        session.clear()
        return "flipped"

    assert cookie_attributes(app.test_client().get("/flip"))["max-age"] == "0"


def test_vary_cookie_when_only_after_request_read_the_session() -> None:
    app = make_app()

    @app.after_request
    def read_session(response: Response) -> Response:
        session.get("user")
        return response

    assert app.test_client().get("/untouched").headers["Vary"] == "Cookie"


def test_vary_cookie_on_a_failed_request_that_read_the_session() -> None:
    app = make_app()

    @app.route("/fail")
    def fail() -> str:
        session.get("user")
        raise ZeroDivisionError()

    response = app.test_client().get("/fail")

    assert (response.status_code, response.headers["Vary"]) == (500, "Cookie")


def test_vary_cookie_on_a_404_whose_before_request_read_the_session() -> None:
    app = make_app()

    @app.before_request
    def read_session() -> None:
        session.get("user")

    response = app.test_client().get("/nowhere")

    assert (response.status_code, response.headers["Vary"]) == (404, "Cookie")


def test_an_empty_secret_key_counts_as_none() -> None:
    app = make_app(TESTING=True)
    app.secret_key = ""

    with pytest.raises(RuntimeError, match="secret_key"):
        app.test_client().get("/set/a/1")


def test_large_sessions_are_compressed_and_still_read() -> None:
    app = make_app()

    @app.route("/big")
    def big() -> str:
        session["text"] = "x" * 500
        return "big"

    client = app.test_client()
    client.get("/big")
    value = t.cast(t.Any, client.get_cookie("session")).value

    assert value.startswith(".")
    assert len(value) < 200
    assert client.get("/dump").json == {"text": "x" * 500}
    flask_client = _flask_app().test_client()
    flask_client.set_cookie("session", value)
    assert flask_client.get("/dump").json == {"text": "x" * 500}


def test_non_string_keys_come_back_as_strings(app: App) -> None:
    @app.route("/int-key")
    def int_key() -> str:
        session[1] = "one"  # type: ignore[index]
        return "ok"

    client = app.test_client()
    client.get("/int-key")

    assert client.get("/dump").json == {"1": "one"}


def test_unserialisable_session_values_are_a_type_error() -> None:
    app = make_app(TESTING=True)

    @app.route("/set-of-things")
    def set_of_things() -> str:
        session["things"] = {1, 2}
        return "ok"

    with pytest.raises(TypeError, match="not JSON serializable"):
        app.test_client().get("/set-of-things")


def test_session_interface_reads_its_settings_from_config() -> None:
    app = make_app(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
    )
    interface = app.session_interface

    assert interface.get_cookie_name(app) == "sid"
    assert interface.get_cookie_domain(app) == "example.com"
    assert interface.get_cookie_path(app) == "/app"
    assert interface.get_cookie_secure(app) is True
    assert interface.get_cookie_samesite(app) == "Strict"
    assert interface.get_cookie_partitioned(app) is True
    assert interface.get_cookie_httponly(app) is True


def test_should_set_cookie_and_expiration_time(app: App) -> None:
    interface = app.session_interface
    data = SecureCookieSession({"a": 1})

    assert interface.should_set_cookie(app, data) is False
    assert interface.get_expiration_time(app, data) is None
    data.permanent = True
    assert interface.should_set_cookie(app, data) is True
    expires = interface.get_expiration_time(app, data)
    assert expires is not None
    assert expires.tzinfo is not None


def test_without_secret_key_the_session_is_a_null_session() -> None:
    app = make_app()
    app.secret_key = None

    with app.test_request_context():
        current = session._get_current_object()  # type: ignore[attr-defined]
        assert type(current).__name__ == "NullSession"
        assert app.session_interface.is_null_session(current)


SESSION_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.text(max_size=10),
    st.binary(max_size=10),
    st.uuids(),
    st.builds(Markup, st.text(max_size=10)),
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(UTC),
    ).map(lambda value: value.replace(microsecond=0)),
)
SESSION_CONTENTS = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.recursive(
        SESSION_SCALARS,
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.lists(children, max_size=3).map(tuple)
        ),
        max_leaves=6,
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(SESSION_CONTENTS)
def test_generated_sessions_cross_between_this_framework_and_flask(
    contents: dict[str, t.Any],
) -> None:
    ours = make_app().test_client()
    with ours.session_transaction() as written:
        written.update(contents)
    flask_client = _flask_app().test_client()
    flask_client.set_cookie("session", t.cast(t.Any, ours.get_cookie("session")).value)

    with flask_client.session_transaction() as read_by_flask:
        assert dict(read_by_flask) == contents
        read_by_flask["flask"] = (b"back",)
    ours.set_cookie("session", t.cast(t.Any, flask_client.get_cookie("session")).value)
    with ours.session_transaction() as read_back:
        assert dict(read_back) == {**contents, "flask": (b"back",)}
