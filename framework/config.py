"""``app.config``: a dict of settings with loaders for files, objects and the environment,
and the settings every app starts with (:data:`DEFAULT_CONFIG`, Flask's keys and values)."""

from __future__ import annotations

import errno
import json
import os
import types
import typing as t
from datetime import timedelta

from werkzeug.utils import import_string

if t.TYPE_CHECKING:
    from .app import App

T = t.TypeVar("T")


class ConfigAttribute(t.Generic[T]):
    """An app attribute that reads and writes a config key (``app.debug`` -> ``DEBUG``)."""

    def __init__(self, name: str, get_converter: t.Callable[[t.Any], T] | None = None) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: None) -> ConfigAttribute[T]: ...

    @t.overload
    def __get__(self, obj: App, owner: type[App]) -> T: ...

    def __get__(self, obj: App | None, owner: type[App] | None = None) -> T | ConfigAttribute[T]:
        if obj is None:
            return self
        value = obj.config[self.__name__]
        if self.get_converter is not None:
            value = self.get_converter(value)
        return value  # type: ignore[no-any-return]

    def __set__(self, obj: App, value: t.Any) -> None:
        obj.config[self.__name__] = value


class Config(dict[str, t.Any]):
    """Settings, with loaders; only UPPERCASE names are taken from files and objects.

    Relative file names are resolved against :attr:`root_path` (the app's root
    path, or its instance path when ``instance_relative_config`` is set).
    """

    def __init__(self, root_path: str | os.PathLike[str], defaults: dict[str, t.Any] | None = None):
        super().__init__(defaults or {})
        self.root_path = root_path

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load the Python file named by an environment variable."""
        value = os.environ.get(variable_name)
        if not value:
            if silent:
                return False
            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as such"
                " configuration could not be loaded. Set this variable and make it"
                " point to a configuration file"
            )
        return self.from_pyfile(value, silent=silent)

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Load ``PREFIX_KEY`` environment variables; ``__`` in a key reaches into nested dicts.

        Values are parsed with ``loads`` (JSON) when they parse, kept as strings
        otherwise. The default prefix is Flask's, so an existing deployment's
        environment keeps working.
        """
        start = f"{prefix}_"
        for name in sorted(os.environ):
            if not name.startswith(start):
                continue
            raw = os.environ[name]
            key = name[len(start) :]
            value: t.Any
            try:
                value = loads(raw)
            except Exception:
                value = raw
            if "__" not in key:
                self[key] = value
                continue
            *parents, leaf = key.split("__")
            target: t.Any = self
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = value
        return True

    def from_pyfile(self, filename: str | os.PathLike[str], silent: bool = False) -> bool:
        """Execute a Python file and take its uppercase names.

        Raises:
            OSError: the file cannot be read; the message names the resolved path.
        """
        path = os.path.join(self.root_path, filename)
        module = types.ModuleType("config")
        module.__file__ = path
        try:
            with open(path, "rb") as f:
                exec(compile(f.read(), path, "exec"), module.__dict__)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Take the uppercase attributes of an object, or of the object an import string names."""
        if isinstance(obj, str):
            obj = import_string(obj)
        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], t.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a file with ``load`` (``json.load``, ``tomllib.load`` with ``text=False``...)."""
        path = os.path.join(self.root_path, filename)
        try:
            with open(path, "r" if text else "rb") as f:
                obj = load(f)
        except OSError as e:
            if silent and e.errno in (errno.ENOENT, errno.EISDIR):
                return False
            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise
        return self.from_mapping(obj)

    def from_mapping(self, mapping: t.Mapping[str, t.Any] | None = None, **kwargs: t.Any) -> bool:
        items: dict[str, t.Any] = {}
        if mapping is not None:
            items.update(mapping)
        items.update(kwargs)
        for key, value in items.items():
            if key.isupper():
                self[key] = value
        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """The keys starting with ``namespace`` (e.g. ``"IMAGE_STORE_"``) as a dict."""
        found: dict[str, t.Any] = {}
        for key, value in self.items():
            if not key.startswith(namespace):
                continue
            name = key[len(namespace) :] if trim_namespace else key
            found[name.lower() if lowercase else name] = value
        return found

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"


DEFAULT_CONFIG: dict[str, t.Any] = {
    "DEBUG": None,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "USE_X_SENDFILE": False,
    "TRUSTED_HOSTS": None,
    "SERVER_NAME": None,
    "APPLICATION_ROOT": "/",
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_CONTENT_LENGTH": None,
    "MAX_FORM_MEMORY_SIZE": 500_000,
    "MAX_FORM_PARTS": 1_000,
    "SEND_FILE_MAX_AGE_DEFAULT": None,
    "TRAP_BAD_REQUEST_ERRORS": None,
    "TRAP_HTTP_EXCEPTIONS": False,
    "EXPLAIN_TEMPLATE_LOADING": False,
    "PREFERRED_URL_SCHEME": "http",
    "TEMPLATES_AUTO_RELOAD": None,
    "MAX_COOKIE_SIZE": 4093,
    "PROVIDE_AUTOMATIC_OPTIONS": True,
}
"""What ``app.config`` holds before the app changes it: Flask 3.1's keys and defaults
(``DEBUG`` is then set from the ``FLASK_DEBUG``/``HOOKSCOPE_DEBUG`` environment)."""


def as_timedelta(value: timedelta | int | None) -> timedelta | None:
    """A lifetime setting given in seconds (or already a timedelta) as a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)
