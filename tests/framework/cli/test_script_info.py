"""ScriptInfo: which app the command line runs against, loaded once and only when needed."""

from __future__ import annotations

import pytest

from framework import App
from framework.cli import NoAppException, ScriptInfo

from .conftest import WriteModule

BLOG = """
    from framework import App

    app = App("blog")
    other = App("other")
"""


def test_an_import_path_with_a_name_loads_that_app_once(write_module: WriteModule) -> None:
    path = write_module("blog.py", BLOG)
    info = ScriptInfo(app_import_path=f"{path}:other")

    app = info.load_app()

    assert app.name == "other"
    assert info.load_app() is app


@pytest.mark.parametrize("import_path", ["blog", "blog.py", "./blog.py"])
def test_without_a_name_the_module_is_searched(write_module: WriteModule, import_path: str) -> None:
    write_module("blog.py", BLOG)

    assert ScriptInfo(app_import_path=import_path).load_app().name == "blog"


def test_create_app_comes_before_the_import_path(write_module: WriteModule) -> None:
    write_module("blog.py", BLOG)
    info = ScriptInfo(app_import_path="blog", create_app=lambda: App("made"))

    assert info.load_app().name == "made"


def test_a_create_app_that_returns_none_is_named_in_the_error() -> None:
    def create_app() -> None:
        return None

    with pytest.raises(NoAppException, match=r"create_app\(\) returned None, not an app"):
        ScriptInfo(create_app=create_app).load_app()  # type: ignore[arg-type]


@pytest.mark.parametrize("filename", ["wsgi.py", "app.py"])
def test_with_nothing_named_wsgi_py_or_app_py_in_the_working_directory_is_used(
    write_module: WriteModule, filename: str
) -> None:
    write_module(filename, BLOG)

    assert ScriptInfo().load_app().name == "blog"


def test_with_nothing_named_and_nothing_to_find_the_error_says_how_to_name_an_app(
    write_module: WriteModule,
) -> None:
    with pytest.raises(NoAppException) as caught:
        ScriptInfo().load_app()

    assert caught.value.format_message() == (
        "could not locate an app: name it with the --app option or the FLASK_APP environment "
        "variable, or put it in a wsgi.py or app.py file in the current directory"
    )


@pytest.mark.parametrize(("flask_debug", "debug"), [("1", True), ("0", False), ("", False)])
def test_debug_mode_is_set_from_flask_debug(
    monkeypatch: pytest.MonkeyPatch, flask_debug: str, debug: bool
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", flask_debug)
    app = App("blog")
    app.debug = not debug

    assert ScriptInfo(create_app=lambda: app).load_app().debug is debug


def test_debug_mode_is_left_alone_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    app = App("blog")
    monkeypatch.setenv("FLASK_DEBUG", "1")

    assert ScriptInfo(create_app=lambda: app, set_debug_flag=False).load_app().debug is False


def test_data_is_room_for_the_command_line_to_share_things_with_its_commands() -> None:
    info = ScriptInfo()
    info.data["database"] = "blog.sqlite"

    assert info.data == {"database": "blog.sqlite"}
