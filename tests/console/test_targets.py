"""Turning TARGET strings into apps: the syntax, the search, and every way it can fail."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from console.targets import TargetError, TargetSpec, load_target, load_wsgi_target, parse_target
from framework import App

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def fresh_fixture_imports() -> Iterator[None]:
    """Give each test its own import of the fixture apps and leave sys.path as it was."""
    saved_path = list(sys.path)
    yield
    sys.path[:] = saved_path
    for name in [name for name in sys.modules if name.startswith("targets_")]:
        del sys.modules[name]


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Module targets are found from the current directory, as on the command line."""
    monkeypatch.chdir(FIXTURES)


# parse_target: pure, no imports


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("app.py", TargetSpec("app.py", "path")),
        ("demo_apps/login", TargetSpec("demo_apps/login", "path")),
        ("demo_apps/login/app.py:web", TargetSpec("demo_apps/login/app.py", "path", "web")),
        ("demo_apps.login", TargetSpec("demo_apps.login", "module")),
        ("pkg.mod:application", TargetSpec("pkg.mod", "module", "application")),
        ("pkg.mod:create_app()", TargetSpec("pkg.mod", "module", "create_app", called=True)),
        (
            "pkg.mod:create_app('dev', debug=True, ports=[1, 2], extra=None)",
            TargetSpec(
                "pkg.mod",
                "module",
                "create_app",
                called=True,
                args=("dev",),
                kwargs={"debug": True, "ports": [1, 2], "extra": None},
            ),
        ),
        (
            "pkg.mod:create_app('a:b', {'k': (1, -2.5)})",
            TargetSpec(
                "pkg.mod", "module", "create_app", called=True, args=("a:b", {"k": (1, -2.5)})
            ),
        ),
        ("  pkg.mod : app  ", TargetSpec("pkg.mod", "module", "app")),
    ],
)
def test_parse_target_reads_location_name_and_literal_arguments(
    target: str, expected: TargetSpec
) -> None:
    assert parse_target(target) == expected


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("mod:f(__import__('os'))", "argument 1 of f() is not a literal: __import__('os')"),
        ("mod:f('ok', open('/etc/passwd'))", "argument 2 of f() is not a literal: open("),
        ("mod:f(x=print('hi'))", "argument x= of f() is not a literal: print('hi')"),
        ("mod:f(f'{secret}')", "argument 1 of f() is not a literal"),
        ("mod:f(1 + 2)", "argument 1 of f() is not a literal: 1 + 2"),
        ("mod:f(*args)", "f() arguments cannot be unpacked with *"),
        ("mod:f(**options)", "f() arguments cannot be unpacked with **"),
        ("mod:os.system('id')", "\"os.system('id')\" is not a name or a factory call"),
        ("mod:factories[0]()", "is not a name or a factory call"),
        ("mod:create_app()()", "is not a name or a factory call"),
        ("mod:lambda: 1", "'lambda: 1' is not a name or a factory call"),
        ("mod:create_app(", "is not a name or a factory call"),
        ("mod:__builtins__", "'__builtins__' is a special module attribute, not an app"),
        ("mod:__import__('os')", "'__import__' is a special module attribute, not an app"),
        ("mod:", "nothing after the ':'"),
        (":app", "no module or file given before the ':'"),
        ("", "empty target; give a file, a package directory or a module"),
        ("  ", "empty target"),
        ("my app", "'my app' is neither a file path nor a dotted module name"),
        ("pkg..mod", "'pkg..mod' is neither a file path nor a dotted module name"),
    ],
)
def test_parse_target_refuses_anything_but_names_and_literals(target: str, reason: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(target)
    assert reason in caught.value.reason
    assert str(caught.value) == f"could not load {target!r}: {caught.value.reason}"
    assert "\n" not in str(caught.value)
    assert caught.value.traceback is None


# load_target: finding the app


def test_a_file_path_loads_the_app_named_app() -> None:
    app = load_target(str(FIXTURES / "targets_app.py"))

    assert isinstance(app, App)
    assert app.name == "targets_app"
    assert app.test_client().get("/").text == "hello from targets_app"


def test_a_relative_file_path_is_read_from_the_current_directory(in_fixtures: None) -> None:
    assert load_target("targets_app.py").name == "targets_app"


def test_a_module_name_is_imported_from_the_current_directory(in_fixtures: None) -> None:
    assert load_target("targets_app").name == "targets_app"


def test_module_colon_name_picks_that_object(in_fixtures: None) -> None:
    assert load_target("targets_two_apps:admin").name == "admin"
    assert load_target(f"{FIXTURES / 'targets_two_apps.py'}:front").name == "front"


def test_a_factory_call_gets_its_literal_arguments(in_fixtures: None) -> None:
    app = load_target("targets_app:create_app('made-for-test', debug=True)")

    assert app.name == "made-for-test"
    assert app.debug is True
    assert app.test_client().get("/made").text == "made"


def test_a_factory_named_without_parentheses_is_called(in_fixtures: None) -> None:
    assert load_target("targets_app:create_app").name == "factory-made"


@pytest.mark.parametrize(
    ("module", "app_name"),
    [
        ("targets_application", "targets_application"),
        ("targets_other_name", "targets_other_name"),
        ("targets_factory", "from-create-app"),
        ("targets_make_app", "from-make-app"),
    ],
)
def test_without_a_name_the_module_is_searched(
    in_fixtures: None, module: str, app_name: str
) -> None:
    assert load_target(module).name == app_name


def test_a_package_directory_loads_its_factory_with_relative_imports_working() -> None:
    app = load_target(str(FIXTURES / "targets_pkg"))

    assert app.name == "targets_pkg"
    assert app.test_client().get("/").text == "package home"


def test_a_file_inside_a_package_is_imported_under_its_dotted_name() -> None:
    app = load_target(str(FIXTURES / "targets_pkg" / "wsgi.py"))

    assert sys.modules["targets_pkg.wsgi"].app is app
    assert str(FIXTURES) in sys.path


def test_a_package_init_file_means_the_package() -> None:
    assert load_target(str(FIXTURES / "targets_pkg" / "__init__.py")).name == "targets_pkg"


# load_target: failures, each with its own reason


def failure(target: str) -> TargetError:
    with pytest.raises(TargetError) as caught:
        load_target(target)
    assert "\n" not in str(caught.value), "the message must stay on one line"
    return caught.value


def test_a_missing_file_is_named() -> None:
    error = failure("no/such/app.py")

    assert error.reason == f"no such file or directory: {Path.cwd() / 'no/such/app.py'}"
    assert error.traceback is None


def test_a_missing_module_is_named(in_fixtures: None) -> None:
    assert failure("targets_nowhere").reason == "no module named 'targets_nowhere'"
    assert failure("targets_pkg.nowhere").reason == "no module named 'targets_pkg.nowhere'"


def test_a_file_that_is_not_python_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("app = 1\n")

    assert failure(str(notes)).reason == f"{notes} is not a Python file (.py)"


def test_a_directory_that_is_not_a_package_is_refused(tmp_path: Path) -> None:
    assert failure(str(tmp_path) + "/").reason == (
        f"directory {tmp_path} is not a package (it has no __init__.py)"
    )


def test_a_file_name_that_is_no_identifier_still_loads(tmp_path: Path) -> None:
    dashed = tmp_path / "targets-dashed.py"
    dashed.write_text("from framework import App\napp = App(__name__)\n")

    assert load_target(str(dashed)).name == "targets-dashed"


def test_a_syntax_error_is_reported_with_its_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "targets_broken.py"
    broken.write_text("from framework import App\napp = App(__name__\n")

    error = failure(str(broken))

    assert error.reason.startswith("importing 'targets_broken' raised SyntaxError: ")
    assert error.traceback is not None
    assert f'File "{broken}", line 2' in error.traceback
    assert "SyntaxError" in error.traceback


def test_an_exception_at_import_is_reported_with_the_users_traceback() -> None:
    error = failure(str(FIXTURES / "targets_raises_at_import.py"))

    assert error.reason == (
        "importing 'targets_raises_at_import' raised RuntimeError: boom at import"
    )
    assert error.traceback is not None
    assert error.traceback.startswith("Traceback (most recent call last):")
    assert 'targets_raises_at_import.py", line 3' in error.traceback
    assert "importlib" not in error.traceback
    assert "console/targets.py" not in error.traceback


def test_a_missing_dependency_is_an_import_failure_not_a_missing_target() -> None:
    error = failure(str(FIXTURES / "targets_missing_dependency.py"))

    assert error.reason == (
        "importing 'targets_missing_dependency' raised ModuleNotFoundError: "
        "No module named 'hookscope_no_such_dependency'"
    )
    assert error.traceback is not None


def test_a_missing_attribute_is_named(in_fixtures: None) -> None:
    assert failure("targets_app:web").reason == "module 'targets_app' has no attribute 'web'"


def test_an_attribute_that_is_not_an_app_is_refused(in_fixtures: None) -> None:
    assert failure("targets_no_app:app").reason == "'app' in 'targets_no_app' is a str, not an App"


def test_a_module_without_an_app_says_what_it_looked_for(in_fixtures: None) -> None:
    assert failure("targets_no_app").reason == (
        "no app found in 'targets_no_app': define 'app' or 'application', "
        "or a create_app()/make_app() factory"
    )


def test_two_apps_and_none_named_app_asks_to_pick_one(in_fixtures: None) -> None:
    assert failure("targets_two_apps").reason == (
        "found several apps in 'targets_two_apps' (admin, front) and none named 'app'; "
        "pick one, e.g. 'targets_two_apps:admin'"
    )


def test_a_factory_that_needs_arguments_says_which(in_fixtures: None) -> None:
    assert failure("targets_factory_needs_args").reason == (
        "cannot call create_app() with these arguments: missing a required argument: 'config_name'"
    )
    assert "too many positional arguments" in failure("targets_app:create_app(1, 2)").reason


def test_a_factory_that_raises_is_reported_with_its_traceback(in_fixtures: None) -> None:
    error = failure("targets_factory_raises")

    assert error.reason == "factory create_app() raised RuntimeError: DATABASE_URL is not set"
    assert error.traceback is not None
    assert 'targets_factory_raises.py", line 5, in create_app' in error.traceback


def test_a_factory_that_returns_something_else_is_refused(in_fixtures: None) -> None:
    assert failure("targets_factory_returns_none").reason == (
        "factory create_app() returned a NoneType, not an App"
    )


def test_a_file_named_like_an_imported_module_is_refused(tmp_path: Path) -> None:
    shadow = tmp_path / "json.py"
    shadow.write_text("from framework import App\napp = App(__name__)\n")

    error = failure(str(shadow))

    assert error.reason.startswith("importing 'json' gave ")
    assert error.reason.endswith(
        f"not {shadow}; rename the file so it does not clash with that module"
    )


def test_a_plain_wsgi_callable_is_accepted_where_any_wsgi_app_will_do() -> None:
    hello = load_wsgi_target("demo_apps/hello_werkzeug.py")

    assert callable(hello) and not isinstance(hello, App)
    with pytest.raises(TargetError, match="no app found"):
        load_target("demo_apps/hello_werkzeug.py")


def test_load_wsgi_target_still_prefers_an_app() -> None:
    assert isinstance(load_wsgi_target("demo_apps/hook_order.py"), App)


# genuine Flask apps: the same syntax and search, and Flask 3 only


def test_a_flask_factory_is_found_and_called_like_a_framework_one(in_fixtures: None) -> None:
    found = load_target("targets_flask_factory")
    called = load_target("targets_flask_factory:create_app('bonjour')")

    assert isinstance(found, Flask) and isinstance(called, Flask)
    assert found.test_client().get("/").text == "hello"
    assert called.test_client().get("/").text == "bonjour"


def test_a_flask_app_in_a_module_and_a_flask_package_load(
    in_fixtures: None, tmp_path: Path
) -> None:
    assert isinstance(load_target("targets_flask_app:app"), Flask)
    package = FIXTURES.parent.parent.parent / "demo_apps" / "flask_blog"
    blog = load_target(f"{package}:create_app({str(tmp_path)!r})")
    assert isinstance(blog, Flask) and blog.name == "demo_apps.flask_blog"
    assert blog.instance_path == str(tmp_path)


def installed_flask_says(tmp_path: Path, version: str) -> None:
    """Put a distribution record for Flask ``version`` first on sys.path, as an old Flask
    installed in the project would be found first."""
    from tests.console.test_flask_apps import flask_distribution_record

    flask_distribution_record(tmp_path, version)
    sys.path.insert(0, str(tmp_path))


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("2.3.3", "Flask 2.3.3 is too old: hookscope runs Flask 3.0 and 3.1 apps"),
        ("4.0.0", "Flask 4.0.0 is newer than hookscope knows: hookscope runs Flask 3.0 and"),
    ],
)
def test_a_flask_app_of_another_major_version_is_refused_naming_it(
    in_fixtures: None, tmp_path: Path, version: str, reason: str
) -> None:
    installed_flask_says(tmp_path, version)

    error = failure("targets_flask_factory")

    assert error.reason.startswith(reason)
    assert error.reason.endswith("(pip install 'flask>=3.0,<4')")
    assert isinstance(load_target("targets_app"), App)  # a framework app is not concerned


def test_a_wsgi_function_named_in_the_target_is_served_not_called(in_fixtures: None) -> None:
    hello = load_wsgi_target("targets_wsgi_function:hello")
    factory_named_bare = load_wsgi_target("targets_flask_factory:create_app")

    assert callable(hello) and hello.__name__ == "hello"
    assert isinstance(factory_named_bare, Flask)
