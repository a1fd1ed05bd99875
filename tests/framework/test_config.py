"""app.config: defaults, every loader, namespaces, and the attributes that mirror it."""

from __future__ import annotations

import datetime
import json
import sys
import tomllib
from pathlib import Path

import pytest
from werkzeug.utils import ImportStringError

from framework import App, Config


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "root").mkdir()
    (tmp_path / "instance").mkdir()
    return tmp_path


@pytest.fixture
def app(root: Path) -> App:
    return App("config_tests", root_path=str(root / "root"), instance_path=str(root / "instance"))


class ProductionSettings:
    DEBUG = False
    DATABASE_URI = "postgres://prod"
    lowercase_is_ignored = "nope"
    _private = "nope"


# -- defaults and item access ---------------------------------------------------------


FLASK_DEFAULTS: dict[str, object] = {
    "DEBUG": False,
    "TESTING": False,
    "PROPAGATE_EXCEPTIONS": None,
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "PERMANENT_SESSION_LIFETIME": datetime.timedelta(days=31),
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


@pytest.mark.parametrize(("key", "value"), FLASK_DEFAULTS.items())
def test_flask_default_keys(app: App, key: str, value: object) -> None:
    assert app.config[key] == value


def test_config_has_exactly_flask_default_keys(app: App) -> None:
    assert set(app.config) == set(FLASK_DEFAULTS)


def test_item_assignment(app: App) -> None:
    app.config["DEBUG"] = True
    app.config["MY_SETTING"] = "mine"
    assert app.debug is True
    assert app.config["MY_SETTING"] == "mine"


def test_config_is_a_dict(app: App) -> None:
    assert isinstance(app.config, Config)
    assert isinstance(app.config, dict)


def test_config_repr(root: Path) -> None:
    config = Config(str(root), {"A": 1})
    assert repr(config) == "<Config {'A': 1}>"


# -- mirrored attributes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attribute", "key", "value"),
    [
        ("debug", "DEBUG", True),
        ("testing", "TESTING", True),
        ("secret_key", "SECRET_KEY", "s3cret"),
        ("secret_key", "SECRET_KEY", b"bytes key"),
    ],
)
def test_attributes_write_the_config(app: App, attribute: str, key: str, value: object) -> None:
    setattr(app, attribute, value)
    assert app.config[key] == value


@pytest.mark.parametrize(
    ("attribute", "key", "value"),
    [("debug", "DEBUG", True), ("testing", "TESTING", True), ("secret_key", "SECRET_KEY", "k")],
)
def test_attributes_read_the_config(app: App, attribute: str, key: str, value: object) -> None:
    app.config[key] = value
    assert getattr(app, attribute) == value


def test_permanent_session_lifetime_accepts_seconds(app: App) -> None:
    app.config["PERMANENT_SESSION_LIFETIME"] = 3600
    assert app.permanent_session_lifetime == datetime.timedelta(hours=1)


def test_debug_follows_the_flask_debug_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert App("config_tests").debug is True
    monkeypatch.setenv("FLASK_DEBUG", "0")
    assert App("config_tests").debug is False


# -- from_pyfile ------------------------------------------------------------------------


def test_from_pyfile_relative_to_root_path(app: App, root: Path) -> None:
    (root / "root" / "settings.py").write_text("DEBUG = True\nSECRET_KEY = 'abc'\nlower = 1\n")
    assert app.config.from_pyfile("settings.py") is True
    assert (app.config["DEBUG"], app.config["SECRET_KEY"]) == (True, "abc")
    assert "lower" not in app.config


def test_from_pyfile_relative_to_instance_path(root: Path) -> None:
    (root / "instance" / "settings.py").write_text("WHERE = 'instance'\n")
    (root / "root" / "settings.py").write_text("WHERE = 'root'\n")
    app = App(
        "config_tests",
        root_path=str(root / "root"),
        instance_path=str(root / "instance"),
        instance_relative_config=True,
    )
    app.config.from_pyfile("settings.py")
    assert app.config["WHERE"] == "instance"


def test_from_pyfile_absolute_path(app: App, tmp_path: Path) -> None:
    settings = tmp_path / "elsewhere.cfg"
    settings.write_text("FROM = 'absolute'\n")
    app.config.from_pyfile(str(settings))
    assert app.config["FROM"] == "absolute"


def test_from_pyfile_sees_its_own_file_name(app: App, root: Path) -> None:
    (root / "root" / "settings.py").write_text("SELF = __file__\n")
    app.config.from_pyfile("settings.py")
    assert app.config["SELF"] == str(root / "root" / "settings.py")


def test_from_pyfile_missing_file_names_the_resolved_path(app: App, root: Path) -> None:
    with pytest.raises(OSError) as excinfo:
        app.config.from_pyfile("missing_settings.py")
    message = str(excinfo.value)
    assert "Unable to load configuration file" in message
    assert str(root / "root" / "missing_settings.py") in message


def test_from_pyfile_missing_file_in_instance_folder_names_that_path(root: Path) -> None:
    app = App(
        "config_tests",
        root_path=str(root / "root"),
        instance_path=str(root / "instance"),
        instance_relative_config=True,
    )
    with pytest.raises(FileNotFoundError, match=str(root / "instance" / "nope.py")):
        app.config.from_pyfile("nope.py")


def test_from_pyfile_silent_missing_file(app: App) -> None:
    assert app.config.from_pyfile("missing_settings.py", silent=True) is False


def test_from_pyfile_silent_also_skips_a_directory(app: App, root: Path) -> None:
    (root / "root" / "adir").mkdir()
    assert app.config.from_pyfile("adir", silent=True) is False
    with pytest.raises(IsADirectoryError):
        app.config.from_pyfile("adir")


def test_from_pyfile_syntax_error_is_raised(app: App, root: Path) -> None:
    (root / "root" / "broken.py").write_text("DEBUG = = True\n")
    with pytest.raises(SyntaxError):
        app.config.from_pyfile("broken.py")


# -- from_object ---------------------------------------------------------------------


def test_from_object_takes_uppercase_attributes_only(app: App) -> None:
    app.config.from_object(ProductionSettings)
    assert app.config["DATABASE_URI"] == "postgres://prod"
    assert "lowercase_is_ignored" not in app.config
    assert "_private" not in app.config


def test_from_object_of_an_instance(app: App) -> None:
    settings = ProductionSettings()
    settings.DATABASE_URI = "sqlite://"
    app.config.from_object(settings)
    assert app.config["DATABASE_URI"] == "sqlite://"


@pytest.fixture
def settings_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "hook_settings.py").write_text(
        "SITE = 'module'\nlower = 'x'\n\nclass Dev:\n    SITE = 'dev class'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "hook_settings"
    sys.modules.pop("hook_settings", None)


@pytest.mark.parametrize(
    ("suffix", "expected"), [("", "module"), (".Dev", "dev class"), (":Dev", "dev class")]
)
def test_from_object_import_string(
    app: App, settings_module: str, suffix: str, expected: str
) -> None:
    app.config.from_object(settings_module + suffix)
    assert app.config["SITE"] == expected
    assert "lower" not in app.config


def test_from_object_unknown_import_string(app: App) -> None:
    with pytest.raises(ImportStringError, match="no_such_settings_module"):
        app.config.from_object("no_such_settings_module")


# -- from_mapping -----------------------------------------------------------------------


def test_from_mapping_with_a_mapping_and_keywords(app: App) -> None:
    assert app.config.from_mapping({"A": 1, "lower": 2}, B=3, c=4) is True
    assert (app.config["A"], app.config["B"]) == (1, 3)
    assert "lower" not in app.config
    assert "c" not in app.config


def test_from_mapping_without_arguments(app: App) -> None:
    before = dict(app.config)
    assert app.config.from_mapping() is True
    assert dict(app.config) == before


# -- from_envvar ---------------------------------------------------------------------------


def test_from_envvar_loads_the_file_it_points_to(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = tmp_path / "env_settings.py"
    settings.write_text("FROM_ENV = True\n")
    monkeypatch.setenv("HOOKSCOPE_SETTINGS", str(settings))
    assert app.config.from_envvar("HOOKSCOPE_SETTINGS") is True
    assert app.config["FROM_ENV"] is True


def test_from_envvar_unset_variable_explains(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKSCOPE_SETTINGS", raising=False)
    with pytest.raises(RuntimeError, match="'HOOKSCOPE_SETTINGS' is not set"):
        app.config.from_envvar("HOOKSCOPE_SETTINGS")


def test_from_envvar_unset_variable_silent(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOOKSCOPE_SETTINGS", raising=False)
    assert app.config.from_envvar("HOOKSCOPE_SETTINGS", silent=True) is False


def test_from_envvar_pointing_to_a_missing_file(
    app: App, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOKSCOPE_SETTINGS", "gone.py")
    with pytest.raises(FileNotFoundError, match=str(root / "root" / "gone.py")):
        app.config.from_envvar("HOOKSCOPE_SETTINGS")
    assert app.config.from_envvar("HOOKSCOPE_SETTINGS", silent=True) is False


# -- from_prefixed_env -----------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os

    for name in list(os.environ):
        if name.startswith(("FLASK_", "HOOK_")):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1", 1),
        ("1.5", 1.5),
        ("true", True),
        ("null", None),
        ('{"a": [1]}', {"a": [1]}),
        ("plain text", "plain text"),
        ("'quoted'", "'quoted'"),
    ],
)
def test_from_prefixed_env_parses_json_values(
    app: App, clean_env: pytest.MonkeyPatch, raw: str, value: object
) -> None:
    clean_env.setenv("FLASK_SETTING", raw)
    assert app.config.from_prefixed_env() is True
    assert app.config["SETTING"] == value


def test_from_prefixed_env_ignores_other_variables(app: App, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("OTHER_SETTING", "1")
    clean_env.setenv("FLASKSETTING", "1")
    app.config.from_prefixed_env()
    assert "SETTING" not in app.config
    assert "OTHER_SETTING" not in app.config


def test_from_prefixed_env_custom_prefix_and_loads(app: App, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HOOK_SECRET_KEY", "123")
    app.config.from_prefixed_env("HOOK", loads=str)
    assert app.config["SECRET_KEY"] == "123"


def test_from_prefixed_env_nested_keys(app: App, clean_env: pytest.MonkeyPatch) -> None:
    app.config["DB"] = {"HOST": "localhost", "PORT": 5432}
    clean_env.setenv("FLASK_DB__PORT", "6543")
    clean_env.setenv("FLASK_DB__USER", '"admin"')
    app.config.from_prefixed_env()
    assert app.config["DB"] == {"HOST": "localhost", "PORT": 6543, "USER": "admin"}


def test_from_prefixed_env_nested_keys_create_dicts(
    app: App, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("FLASK_CACHE__REDIS__URL", "redis://x")
    app.config.from_prefixed_env()
    assert app.config["CACHE"] == {"REDIS": {"URL": "redis://x"}}


def test_from_prefixed_env_overrides_defaults(app: App, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_MAX_CONTENT_LENGTH", "1024")
    clean_env.setenv("FLASK_TESTING", "true")
    app.config.from_prefixed_env()
    assert app.config["MAX_CONTENT_LENGTH"] == 1024
    assert app.testing is True


# -- from_file -----------------------------------------------------------------------------


def test_from_file_with_json_load(app: App, root: Path) -> None:
    (root / "root" / "config.json").write_text('{"PORT": 8000, "lower": 1}')
    assert app.config.from_file("config.json", load=json.load) is True
    assert app.config["PORT"] == 8000
    assert "lower" not in app.config


def test_from_file_with_toml_in_binary_mode(app: App, root: Path) -> None:
    (root / "root" / "config.toml").write_text('NAME = "toml"\n[DB]\nHOST = "h"\n')
    app.config.from_file("config.toml", load=tomllib.load, text=False)
    assert app.config["NAME"] == "toml"
    assert app.config["DB"] == {"HOST": "h"}


def test_from_file_missing_file_names_the_resolved_path(app: App, root: Path) -> None:
    with pytest.raises(FileNotFoundError) as excinfo:
        app.config.from_file("absent.json", load=json.load)
    assert "Unable to load configuration file" in str(excinfo.value)
    assert str(root / "root" / "absent.json") in str(excinfo.value)


def test_from_file_silent_missing_file(app: App) -> None:
    assert app.config.from_file("absent.json", load=json.load, silent=True) is False


def test_from_file_bad_content_raises_the_loader_error(app: App, root: Path) -> None:
    (root / "root" / "bad.json").write_text("{not json")
    with pytest.raises(json.JSONDecodeError):
        app.config.from_file("bad.json", load=json.load)


# -- get_namespace ------------------------------------------------------------------------


@pytest.fixture
def store_config(app: App) -> Config:
    app.config.from_mapping(
        IMAGE_STORE_TYPE="fs",
        IMAGE_STORE_PATH="/var/app/images",
        IMAGE_STORE_BASE_URL="x",
        OTHER="o",
    )
    return app.config


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {"type": "fs", "path": "/var/app/images", "base_url": "x"}),
        ({"lowercase": False}, {"TYPE": "fs", "PATH": "/var/app/images", "BASE_URL": "x"}),
        (
            {"trim_namespace": False},
            {
                "image_store_type": "fs",
                "image_store_path": "/var/app/images",
                "image_store_base_url": "x",
            },
        ),
    ],
)
def test_get_namespace(
    store_config: Config, kwargs: dict[str, bool], expected: dict[str, str]
) -> None:
    assert store_config.get_namespace("IMAGE_STORE_", **kwargs) == expected


def test_get_namespace_without_matches(store_config: Config) -> None:
    assert store_config.get_namespace("NOTHING_") == {}
