"""``--app`` finds the app as ``flask --app`` does; each way it can fail says what to fix."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from framework import App
from framework.cli import NoAppException, find_best_app, locate_app, prepare_import

from .conftest import WriteModule

FACTORIES = """
    from framework import App

    def create_app():
        return App("made")

    def create_named(name, *, debug=False):
        app = App(name)
        app.debug = debug
        return app

    def create_nothing():
        return None

    def create_broken():
        raise TypeError("the factory's own bug")
"""


# prepare_import: a path becomes an import name


def test_a_file_in_a_package_is_imported_by_its_dotted_name(write_module: WriteModule) -> None:
    write_module("blog/__init__.py", "")
    path = write_module("blog/views/admin.py", "")
    write_module("blog/views/__init__.py", "")

    assert prepare_import(path) == "blog.views.admin"
    assert sys.path[0] == str(path.parents[2])


@pytest.mark.parametrize("given", ["blog", "blog/__init__.py", "blog/__init__", "./blog/../blog"])
def test_a_package_directory_is_imported_by_its_name(write_module: WriteModule, given: str) -> None:
    write_module("blog/__init__.py", "")

    assert prepare_import(given) == "blog"


def test_a_dotted_name_is_kept_relative_to_the_working_directory(
    write_module: WriteModule,
) -> None:
    assert prepare_import("blog.wsgi") == "blog.wsgi"


# locate_app: import, then a name, a factory call, or a search


def test_an_app_is_found_by_name_by_factory_call_and_by_search(write_module: WriteModule) -> None:
    write_module("shop.py", "from framework import App\nfront = App('front')\n")
    write_module("factories.py", FACTORIES)

    assert locate_app("shop", "front").name == "front"  # type: ignore[union-attr]
    assert locate_app("shop", None).name == "front"  # type: ignore[union-attr]
    assert locate_app("factories", None).name == "made"  # type: ignore[union-attr]
    made = locate_app("factories", " create_named('blog', debug=True, ) ")
    assert made is not None and (made.name, made.debug) == ("blog", True)


def test_a_module_that_does_not_exist_is_an_error_or_none_on_request(
    write_module: WriteModule,
) -> None:
    with pytest.raises(NoAppException, match="could not import 'nowhere': no such module"):
        locate_app("nowhere", None)
    assert locate_app("nowhere", None, raise_if_not_found=False) is None
    write_module("shop/__init__.py", "")
    assert locate_app("shop.nowhere", None, raise_if_not_found=False) is None


def test_an_import_error_inside_the_module_is_reported_with_its_traceback(
    write_module: WriteModule,
) -> None:
    write_module("needs_lib.py", "import not_installed_lib\n")

    for raise_if_not_found in (True, False):
        with pytest.raises(NoAppException) as caught:
            locate_app("needs_lib", None, raise_if_not_found=raise_if_not_found)
        message = caught.value.format_message()
        assert message.startswith("importing 'needs_lib' raised an ImportError:")
        assert 'needs_lib.py", line 1' in message
        assert "No module named 'not_installed_lib'" in message


@pytest.mark.parametrize(
    ("app_name", "reason"),
    [
        ("nope", "module 'factories' has no attribute 'nope'"),
        ("App", "'App' in 'factories' is a type, not an app"),
        ("create_nothing", "factories:create_nothing returned a NoneType, not an app"),
        ("create_named()", "cannot call create_named() in 'factories' with these arguments"),
        ("create_app(1)", "cannot call create_app() in 'factories' with these arguments"),
        ("create_named(name)", "the arguments of create_named() must be Python literals"),
        ("create_named(**{})", "the arguments of create_named() cannot be unpacked with **"),
        ("create_app(", "'create_app(' is not a name or a factory call like create_app('dev')"),
        ("factories.create_app", "is not a name or a factory call"),
    ],
)
def test_a_name_or_call_that_gives_no_app_is_refused(
    write_module: WriteModule, app_name: str, reason: str
) -> None:
    write_module("factories.py", FACTORIES)

    with pytest.raises(NoAppException) as caught:
        locate_app("factories", app_name)

    assert reason in caught.value.format_message()


def test_a_call_on_an_app_instance_is_refused(write_module: WriteModule) -> None:
    write_module("shop.py", "from framework import App\napp = App('shop')\n")

    with pytest.raises(NoAppException, match="is a App, not a factory; drop the parentheses"):
        locate_app("shop", "app()")


def test_a_type_error_the_factory_itself_raises_is_not_taken_for_a_wrong_call(
    write_module: WriteModule,
) -> None:
    write_module("factories.py", FACTORIES)

    with pytest.raises(TypeError, match="the factory's own bug"):
        locate_app("factories", "create_broken")


# find_best_app: the search when no name is given


def test_app_and_application_come_before_any_other_app() -> None:
    module = SimpleNamespace(other=App("other"), application=App("application"))

    assert find_best_app(module).name == "application"


def test_a_single_app_under_any_name_is_found() -> None:
    assert find_best_app(SimpleNamespace(shop=App("shop"), create_app=None)).name == "shop"


def test_several_apps_without_one_named_app_is_an_error_that_suggests_a_name() -> None:
    module = SimpleNamespace(__name__="shops", front=App("front"), back=App("back"))

    with pytest.raises(NoAppException) as caught:
        find_best_app(module)

    assert caught.value.format_message() == (
        "found several apps in 'shops' (back, front) and none named 'app'; "
        "pick one, e.g. 'shops:back'"
    )


def test_a_factory_is_called_when_the_module_holds_no_app() -> None:
    def make_app(**options: object) -> App:
        return App("from make_app")

    assert find_best_app(SimpleNamespace(make_app=make_app)).name == "from make_app"


def test_a_factory_that_needs_arguments_is_named_in_the_error() -> None:
    def create_app(config_name: str) -> App:
        return App(config_name)

    module = SimpleNamespace(__name__="blog", create_app=create_app)
    with pytest.raises(NoAppException, match=r"cannot call create_app\(\) in 'blog'"):
        find_best_app(module)


def test_a_module_without_app_or_factory_says_what_to_define() -> None:
    with pytest.raises(NoAppException) as caught:
        find_best_app(SimpleNamespace(__name__="empty"))

    assert caught.value.format_message().startswith(
        "no app found in 'empty': define 'app' or 'application', or a create_app() or "
        "make_app() factory"
    )
