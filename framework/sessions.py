"""Signed-cookie sessions, wire-compatible with Flask's.

The session is a dict signed with itsdangerous (salt ``cookie-session``,
HMAC key derivation, SHA-1) and serialized with the tagged JSON format, so a
cookie written here is read by Flask with the same key and the other way round.
"""

from __future__ import annotations

import hashlib
import typing as t
import weakref
from collections.abc import MutableMapping
from datetime import UTC, datetime

from werkzeug.datastructures import CallbackDict

from .json.tag import TaggedJSONSerializer

if t.TYPE_CHECKING:
    from itsdangerous import URLSafeTimedSerializer

    from .app import App
    from .wrappers import Request, Response


class SessionMixin(MutableMapping[str, t.Any]):
    """What every session object offers beyond a dict."""

    @property
    def permanent(self) -> bool:
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    #: True for a session created on this request (kept for API compatibility).
    new = False
    #: Set when the session was changed; a changed session is saved.
    modified = True
    #: Set when the request used the session (the request context sets it on each use,
    #: as Flask 3.1.3 does); adds ``Vary: Cookie``.
    accessed = False


class SecureCookieSession(CallbackDict[str, t.Any], SessionMixin):
    """The default session: a dict that notices changes."""

    modified = False

    def __init__(self, initial: t.Mapping[str, t.Any] | None = None) -> None:
        def on_update(session: SecureCookieSession) -> None:
            session.modified = True

        super().__init__(initial, on_update)


class NullSession(SecureCookieSession):
    """The session of an app without a secret key: readable, empty, refuses writes."""

    def _fail(self, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
        raise RuntimeError(
            "The session is unavailable because no secret key was set. Set the"
            " secret_key on the application to something unique and secret."
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class SessionInterface:
    """How sessions are opened from a request and saved into a response.

    Replace ``app.session_interface`` with a subclass to store sessions elsewhere.
    """

    null_session_class: type[NullSession] = NullSession
    pickle_based = False

    def make_null_session(self, app: App) -> NullSession:
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        return isinstance(obj, self.null_session_class)

    def get_cookie_name(self, app: App) -> str:
        return t.cast(str, app.config["SESSION_COOKIE_NAME"])

    def get_cookie_domain(self, app: App) -> str | None:
        return t.cast("str | None", app.config["SESSION_COOKIE_DOMAIN"] or None)

    def get_cookie_path(self, app: App) -> str:
        return t.cast(str, app.config["SESSION_COOKIE_PATH"] or app.config["APPLICATION_ROOT"])

    def get_cookie_httponly(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_HTTPONLY"])

    def get_cookie_secure(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"])

    def get_cookie_samesite(self, app: App) -> str | None:
        return t.cast("str | None", app.config["SESSION_COOKIE_SAMESITE"])

    def get_cookie_partitioned(self, app: App) -> bool:
        return bool(app.config["SESSION_COOKIE_PARTITIONED"])

    def get_expiration_time(self, app: App, session: SessionMixin) -> datetime | None:
        if session.permanent:
            return datetime.now(UTC) + app.permanent_session_lifetime
        return None

    def should_set_cookie(self, app: App, session: SessionMixin) -> bool:
        """Set the cookie when the session changed, or on every request for a permanent one."""
        return session.modified or (
            session.permanent and bool(app.config["SESSION_REFRESH_EACH_REQUEST"])
        )

    def open_session(self, app: App, request: Request) -> SessionMixin | None:
        raise NotImplementedError

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        raise NotImplementedError


class SecureCookieSessionInterface(SessionInterface):
    """Sessions stored in a cookie signed with the app's secret key."""

    salt = "cookie-session"
    digest_method = staticmethod(hashlib.sha1)
    key_derivation = "hmac"
    serializer = TaggedJSONSerializer()
    session_class = SecureCookieSession

    def __init__(self) -> None:
        self._serializers: weakref.WeakKeyDictionary[
            App, tuple[list[str | bytes], URLSafeTimedSerializer]
        ] = weakref.WeakKeyDictionary()

    def get_signing_serializer(self, app: App) -> URLSafeTimedSerializer | None:
        """The app's signer, rebuilt only when its keys change (building one costs as
        much as signing a session)."""
        if not app.secret_key:
            return None
        keys: list[str | bytes] = list(app.config["SECRET_KEY_FALLBACKS"] or ())
        keys.append(app.secret_key)  # the newest key, used for signing, comes last
        cached = self._serializers.get(app)
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = self._make_serializer(keys)
        self._serializers[app] = (keys, serializer)
        return serializer

    def _make_serializer(self, keys: list[str | bytes]) -> URLSafeTimedSerializer:
        # itsdangerous is imported here, not at module level, so that importing the
        # framework stays fast for apps (and reloads) that never use a session.
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(
            keys,  # type: ignore[arg-type]
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={
                "key_derivation": self.key_derivation,
                "digest_method": self.digest_method,
            },
        )

    def open_session(self, app: App, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(value, max_age=max_age)
        except Exception:
            # A tampered, expired, truncated or garbage cookie is an empty session,
            # never an error: the browser may hold anything.
            return self.session_class()
        if not isinstance(data, dict):
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: App, session: SessionMixin, response: Response) -> None:
        """Set, refresh or delete the cookie; ``Vary: Cookie`` whenever the session was
        used or its cookie changes (added once: parsing the header costs more than the
        rest)."""
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        secure = self.get_cookie_secure(app)
        partitioned = self.get_cookie_partitioned(app)
        samesite = self.get_cookie_samesite(app)
        httponly = self.get_cookie_httponly(app)
        vary = session.accessed

        if not session:
            if session.modified:
                response.delete_cookie(
                    name,
                    domain=domain,
                    path=path,
                    secure=secure,
                    partitioned=partitioned,
                    samesite=samesite,
                    httponly=httponly,
                )
                vary = True
        elif self.should_set_cookie(app, session):
            serializer = self.get_signing_serializer(app)
            if serializer is None:
                raise RuntimeError("The session cannot be saved: no secret key is set.")
            response.set_cookie(
                name,
                serializer.dumps(dict(session)),
                expires=self.get_expiration_time(app, session),
                httponly=httponly,
                domain=domain,
                path=path,
                secure=secure,
                partitioned=partitioned,
                samesite=samesite,
            )
            vary = True
        if vary:
            response.vary.add("Cookie")
