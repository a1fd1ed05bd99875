"""App construction: name, root_path, instance_path, static and template folders."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from pathlib import Path

import pytest
from werkzeug.routing import Map

import framework
from framework import App


@pytest.fixture
def package_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package ``shop`` with a module ``shop.views`` importable from tmp_path."""
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.py").write_text("")
    (tmp_path / "single.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("shop", "shop.views", "single"):
        sys.modules.pop(name, None)


def test_version_is_answered_with_a_deprecation_warning_as_in_flask() -> None:
    with pytest.warns(DeprecationWarning, match="__version__"):
        version = framework.__version__
    assert version == importlib.metadata.version("hookscope")


def test_name_is_the_import_name() -> None:
    assert App("shop.views").name == "shop.views"


def test_name_of_a_main_script_is_its_file_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules["__main__"], "__file__", "/srv/blog/run_blog.py", raising=False)
    assert App("__main__").name == "run_blog"


def test_name_of_an_interactive_main_is_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    app = App("__main__", root_path=str(tmp_path), instance_path=str(tmp_path))
    assert app.name == "__main__"


def test_root_path_of_a_package_is_its_folder(package_on_path: Path) -> None:
    assert App("shop").root_path == str(package_on_path / "shop")


def test_root_path_of_a_module_inside_a_package_is_the_package_folder(
    package_on_path: Path,
) -> None:
    assert App("shop.views").root_path == str(package_on_path / "shop")


def test_root_path_of_a_single_module_is_its_folder(package_on_path: Path) -> None:
    assert App("single").root_path == str(package_on_path)


def test_root_path_of_this_test_module() -> None:
    assert App(__name__).root_path == os.path.dirname(os.path.abspath(__file__))


def test_root_path_of_an_unknown_import_name_is_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert App("no_such_module_anywhere").root_path == str(tmp_path)


@pytest.fixture
def namespace_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``plugins/mod.py`` without an ``__init__.py``, importable from tmp_path."""
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "mod.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("plugins", None)
    sys.modules.pop("plugins.mod", None)


def test_root_path_of_a_namespace_package_not_yet_imported_is_the_working_directory(
    namespace_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(namespace_package)
    assert App("plugins").root_path == str(namespace_package)


def test_root_path_of_an_imported_namespace_package_must_be_given(
    namespace_package: Path,
) -> None:
    importlib.import_module("plugins.mod")
    with pytest.raises(RuntimeError, match="No root path can be found for the provided module"):
        App("plugins")


def test_root_path_of_a_module_inside_a_namespace_package(namespace_package: Path) -> None:
    assert App("plugins.mod").root_path == str(namespace_package / "plugins")


def test_explicit_root_path_wins(tmp_path: Path) -> None:
    assert App("shop", root_path=str(tmp_path)).root_path == str(tmp_path)


def test_instance_path_defaults_to_instance_beside_the_package(package_on_path: Path) -> None:
    assert App("shop").instance_path == str(package_on_path / "instance")


def test_instance_path_of_a_single_module(package_on_path: Path) -> None:
    assert App("single").instance_path == str(package_on_path / "instance")


def test_instance_path_of_a_package_installed_under_the_interpreters_prefix(
    package_on_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(package_on_path.parent))
    expected = package_on_path.parent / "var" / "shop-instance"
    assert App("shop").instance_path == str(expected)


def test_instance_path_of_a_package_in_a_site_packages_folder_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site_packages = tmp_path / "env" / "lib" / "python3.11" / "site-packages"
    (site_packages / "tool").mkdir(parents=True)
    (site_packages / "tool" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(site_packages))
    try:
        assert App("tool").instance_path == str(tmp_path / "env" / "var" / "tool-instance")
    finally:
        sys.modules.pop("tool", None)


def test_instance_path_of_a_namespace_package_is_beside_the_portion_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for project in ("first", "second"):
        portion = tmp_path / project / "plugins_ns" / f"plugin_{project}"
        portion.mkdir(parents=True)
        (portion / "__init__.py").write_text("")
        monkeypatch.syspath_prepend(str(tmp_path / project))
    try:
        app = App("plugins_ns.plugin_second")
        assert app.instance_path == str(tmp_path / "second" / "instance")
    finally:
        for name in ("plugins_ns", "plugins_ns.plugin_first", "plugins_ns.plugin_second"):
            sys.modules.pop(name, None)


def test_explicit_absolute_instance_path(tmp_path: Path) -> None:
    assert App("shop", instance_path=str(tmp_path)).instance_path == str(tmp_path)


def test_relative_instance_path_is_refused() -> None:
    with pytest.raises(ValueError, match="must be absolute"):
        App("shop", instance_path="instance")


def test_open_instance_resource_reads_from_the_instance_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("kept here")
    app = App("shop", instance_path=str(tmp_path))
    with app.open_instance_resource("notes.txt", "r") as f:
        assert f.read() == "kept here"


def test_url_map_is_a_werkzeug_map() -> None:
    assert isinstance(App("shop").url_map, Map)


def test_static_route_is_registered_by_default(tmp_path: Path) -> None:
    app = App("shop", root_path=str(tmp_path))
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules == {"static": "/static/<path:filename>"}
    assert app.static_folder == str(tmp_path / "static")
    assert app.static_url_path == "/static"


def test_static_url_path_follows_the_folder_name(tmp_path: Path) -> None:
    app = App("shop", root_path=str(tmp_path), static_folder="assets")
    assert app.static_url_path == "/assets"


@pytest.mark.parametrize(
    ("static_url_path", "expected_rule"),
    [
        ("/files", "/files/<path:filename>"),
        ("/files/", "/files/<path:filename>"),
        ("", "/<path:filename>"),
    ],
)
def test_explicit_static_url_path(static_url_path: str, expected_rule: str) -> None:
    app = App("shop", static_url_path=static_url_path)
    assert [r.rule for r in app.url_map.iter_rules("static")] == [expected_rule]


def test_no_static_folder_means_no_static_route() -> None:
    app = App("shop", static_folder=None)
    assert list(app.url_map.iter_rules()) == []
    assert "static" not in app.view_functions
    assert app.has_static_folder is False


def test_template_folder_is_relative_to_root_path(tmp_path: Path) -> None:
    app = App("shop", root_path=str(tmp_path), template_folder="pages")
    assert app.template_folder == "pages"
    assert app.jinja_loader is not None
    assert app.jinja_loader.searchpath == [str(tmp_path / "pages")]


def test_no_template_folder_means_no_loader() -> None:
    assert App("shop", template_folder=None).jinja_loader is None


def test_static_host_requires_host_matching() -> None:
    with pytest.raises((ValueError, AssertionError), match="static_host"):
        App("shop", static_host="static.example.com")


def test_host_matching_requires_a_static_host_when_serving_static_files() -> None:
    with pytest.raises((ValueError, AssertionError), match="static_host"):
        App("shop", host_matching=True)


def test_host_matching_with_static_host() -> None:
    app = App("shop", host_matching=True, static_host="cdn.example.com")
    assert app.url_map.host_matching is True
    assert [r.host for r in app.url_map.iter_rules("static")] == ["cdn.example.com"]


def test_the_app_is_a_wsgi_callable_answering_404_for_unknown_paths() -> None:
    app = App("shop")
    response = app.test_client().get("/nothing-here")
    assert response.status_code == 404


def test_setup_methods_are_refused_after_the_first_request() -> None:
    app = App("shop")

    @app.route("/")
    def index() -> str:
        return "home"

    app.test_client().get("/")
    with pytest.raises(AssertionError, match="can no longer be called"):

        @app.route("/late")
        def late() -> str:
            return "too late"


def test_view_functions_maps_endpoints_to_views() -> None:
    app = App("shop", static_folder=None)

    @app.route("/")
    def index() -> str:
        return "home"

    assert app.view_functions == {"index": index}


def test_blueprints_and_extensions_start_empty() -> None:
    app = App("shop")
    assert app.blueprints == {}
    assert app.extensions == {}


def test_logger_is_named_after_the_app() -> None:
    assert App("shop.views").logger.name == "shop.views"


def test_repr_names_the_app() -> None:
    assert repr(App("shop")) == f"<{App.__name__} 'shop'>"
