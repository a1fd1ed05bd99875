"""Turn a TARGET (``app.py``, ``pkg/``, ``pkg.mod``, ``pkg.mod:create_app('dev')``) into an app.

The syntax and the search follow Flask's app discovery, so a user can point hookscope at
whatever they would give ``flask --app``. An app is a framework ``App`` or a genuine
``flask.Flask`` (Flask 3): hookscope never imports Flask itself, it recognises a Flask app
once the user's module has imported Flask. Every way this can fail becomes a
:class:`TargetError` whose message names the target and the reason in one line; the code
never evaluates the target string, it only reads literals out of it with :mod:`ast`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Literal, TypeAlias, cast

if TYPE_CHECKING:
    from wsgiref.types import WSGIApplication

    from flask import Flask

    from framework import App

    LoadedApp: TypeAlias = App | Flask

DEFAULT_APP_NAMES = ("app", "application")
FACTORY_NAMES = ("create_app", "make_app")
#: The Flask major version whose internals hookscope's instrumentation knows (3.0, 3.1).
SUPPORTED_FLASK_MAJOR = 3
_IMPORTLIB_DIRECTORY = Path(importlib.__file__).parent


class TargetError(Exception):
    """A target could not be turned into an app.

    Attributes:
        target: The target string as the user gave it.
        reason: One line saying what was wrong.
        traceback: The formatted traceback when the user's own code raised (an import error,
            a failing factory), for the caller to show under the message; otherwise None.
    """

    def __init__(self, target: str, reason: str, traceback: str | None = None) -> None:
        self.target = target
        self.reason = reason
        self.traceback = traceback
        super().__init__(f"could not load {target!r}: {reason}")


@dataclass(frozen=True)
class TargetSpec:
    """A parsed target: where the code is, and which object in it is the app.

    Attributes:
        location: A file or directory path, or a dotted module name.
        kind: ``"path"`` or ``"module"``, saying how to read ``location``.
        attribute: The name after the colon, or None to search the module.
        called: True when the attribute is a factory to call (``create_app()``).
        args: Positional literal arguments for the factory.
        kwargs: Keyword literal arguments for the factory.
    """

    location: str
    kind: Literal["path", "module"]
    attribute: str | None = None
    called: bool = False
    args: tuple[object, ...] = ()
    kwargs: Mapping[str, object] = field(default_factory=dict)


def parse_target(target: str) -> TargetSpec:
    """Split a target into its location and the app's name or factory call.

    The location is a path when it ends in ``.py`` or contains a path separator, otherwise
    a dotted module name. The part after the first colon is a name, or a call of a name
    whose arguments are Python literals.

    Raises:
        TargetError: The target is empty, the module name is not valid, or the part after
            the colon is not a name or a call with literal arguments.
    """
    if not target.strip():
        raise TargetError(target, "empty target; give a file, a package directory or a module")
    location, colon, attribute_source = target.partition(":")
    location = location.strip()
    if not location:
        raise TargetError(target, "no module or file given before the ':'")
    kind: Literal["path", "module"]
    if location.endswith(".py") or "/" in location or os.sep in location:
        kind = "path"
    else:
        kind = "module"
        if not all(part.isidentifier() for part in location.split(".")):
            raise TargetError(
                target, f"{location!r} is neither a file path nor a dotted module name"
            )
    if not colon:
        return TargetSpec(location, kind)
    return _parse_attribute(target, location, kind, attribute_source.strip())


def _parse_attribute(
    target: str, location: str, kind: Literal["path", "module"], source: str
) -> TargetSpec:
    if not source:
        raise TargetError(target, "nothing after the ':'; give an app name or a factory call")
    try:
        expression = ast.parse(source, mode="eval").body
    except SyntaxError:
        raise TargetError(
            target, f"{source!r} is not a name or a factory call like create_app('dev')"
        ) from None
    if isinstance(expression, ast.Name):
        return TargetSpec(location, kind, _app_name(target, expression.id))
    if not (isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name)):
        raise TargetError(
            target, f"{source!r} is not a name or a factory call like create_app('dev')"
        )
    name = _app_name(target, expression.func.id)
    args = tuple(
        _literal(target, name, f"argument {position}", node)
        for position, node in enumerate(expression.args, start=1)
    )
    kwargs: dict[str, object] = {}
    for keyword in expression.keywords:
        if keyword.arg is None:
            raise TargetError(target, f"{name}() arguments cannot be unpacked with **")
        kwargs[keyword.arg] = _literal(target, name, f"argument {keyword.arg}=", keyword.value)
    return TargetSpec(location, kind, name, called=True, args=args, kwargs=kwargs)


def _app_name(target: str, name: str) -> str:
    """Refuse dunder names: they reach module machinery (``__builtins__``), never an app."""
    if name.startswith("__") and name.endswith("__"):
        raise TargetError(target, f"{name!r} is a special module attribute, not an app")
    return name


def _literal(target: str, factory: str, label: str, node: ast.expr) -> object:
    if isinstance(node, ast.Starred):
        raise TargetError(target, f"{factory}() arguments cannot be unpacked with *")
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise TargetError(
            target,
            f"{label} of {factory}() is not a literal: {ast.unparse(node)} "
            "(only strings, numbers, booleans, None, and lists/tuples/dicts of them)",
        ) from None


def _app_classes() -> tuple[type, ...]:
    """The classes whose instances are apps: the framework's App, and Flask's once imported.

    The framework is imported on first use: the supervisor parses targets but never loads
    one (its workers do), and importing it there would slow the console's start for nothing.
    Flask is never imported here: a module that made a Flask app has imported it already.
    """
    from framework import App

    flask = sys.modules.get("flask")
    flask_class = getattr(flask, "Flask", None)
    return (App,) if not isinstance(flask_class, type) else (App, flask_class)


def is_app(value: object) -> bool:
    return isinstance(value, _app_classes())


def is_flask_app(value: object) -> bool:
    """True for an instance of ``flask.Flask`` (only possible once Flask is imported)."""
    flask_class = getattr(sys.modules.get("flask"), "Flask", None)
    return isinstance(flask_class, type) and isinstance(value, flask_class)


def unsupported_flask() -> str | None:
    """Why the installed Flask cannot be traced, or None when it can (or is not installed)."""
    try:
        installed = importlib.metadata.version("flask")
    except importlib.metadata.PackageNotFoundError:
        return None
    major = installed.partition(".")[0]
    if not major.isdigit() or int(major) == SUPPORTED_FLASK_MAJOR:
        return None
    age = "too old" if int(major) < SUPPORTED_FLASK_MAJOR else "newer than hookscope knows"
    return (
        f"Flask {installed} is {age}: hookscope runs Flask 3.0 and 3.1 apps "
        "(pip install 'flask>=3.0,<4')"
    )


def _checked(target: str, app: LoadedApp) -> LoadedApp:
    """``app``, unless it is a Flask app of a version hookscope cannot trace."""
    if is_flask_app(app):
        problem = unsupported_flask()
        if problem is not None:
            raise TargetError(target, problem)
    return app


def load_target(target: str) -> LoadedApp:
    """Import the target's module and return the app it names or holds.

    With no name after the colon the module is searched for ``app``, then ``application``,
    then a single App anywhere in the module, then a ``create_app``/``make_app`` factory
    called with no arguments. A name that is a plain function is called as a factory.

    Raises:
        TargetError: For each way this can fail, with a one-line reason; import errors and
            failing factories also carry the traceback. A Flask app of a Flask other than
            3.x is refused, naming the installed version.
    """
    spec = parse_target(target)
    module = _import(target, spec)
    if spec.attribute is None:
        return _checked(target, _find_app(target, module))
    if not hasattr(module, spec.attribute):
        raise TargetError(target, f"module {module.__name__!r} has no attribute {spec.attribute!r}")
    value = getattr(module, spec.attribute)
    if is_app(value) and not spec.called:
        return _checked(target, value)
    if spec.called or inspect.isfunction(value):
        app = _call_factory(target, spec.attribute, value, spec.args, dict(spec.kwargs))
        return _checked(target, app)
    raise TargetError(
        target, f"{spec.attribute!r} in {module.__name__!r} is a {_kind_of(value)}, not an App"
    )


def load_wsgi_target(target: str) -> LoadedApp | WSGIApplication:
    """Like :func:`load_target`, but a plain WSGI callable is accepted too.

    ``hookscope run`` serves any WSGI application (the notes' bare Werkzeug example
    has no App): when the module's ``app`` or ``application`` is a callable that is not an
    App, or the target names a function that takes ``(environ, start_response)`` and
    nothing it could be called with as a factory, that callable is served as is.
    """
    spec = parse_target(target)
    if not spec.called:
        module = _import(target, spec)
        names = DEFAULT_APP_NAMES if spec.attribute is None else (spec.attribute,)
        for name in names:
            value = getattr(module, name, None)
            if is_app(value):
                break
            if callable(value) and not inspect.isclass(value):
                if name in DEFAULT_APP_NAMES or _takes_only_environ_and_start_response(value):
                    return cast("WSGIApplication", value)
    return load_target(target)


def _takes_only_environ_and_start_response(function: object) -> bool:
    """A WSGI function named in a target, told from a factory: it cannot be called bare."""
    try:
        signature = inspect.signature(cast("Callable[..., object]", function))
        signature.bind(None, None)
    except (TypeError, ValueError):
        return False
    try:
        signature.bind()
    except TypeError:
        return True
    return False


def _import(target: str, spec: TargetSpec) -> ModuleType:
    if spec.kind == "path":
        module_name, expected_file = _module_name_for_path(target, Path(spec.location))
    else:
        module_name, expected_file = spec.location, None
        _put_first_on_sys_path(Path.cwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and (
            module_name == error.name or module_name.startswith(error.name + ".")
        ):
            raise TargetError(target, f"no module named {error.name!r}") from None
        raise _import_failed(target, module_name, error) from None
    except (Exception, SystemExit) as error:
        raise _import_failed(target, module_name, error) from None
    if expected_file is not None:
        _check_imported_file(target, module, expected_file)
    return module


def _module_name_for_path(target: str, path: Path) -> tuple[str, Path]:
    """Return the dotted name to import ``path`` by, with its package root put on sys.path.

    Importing by dotted name (rather than from the file) keeps relative imports inside
    packages working and gives the module the name its own code expects.
    """
    path = path.resolve()
    if not path.exists():
        raise TargetError(target, f"no such file or directory: {path}")
    if path.is_dir():
        if not (path / "__init__.py").is_file():
            raise TargetError(target, f"directory {path} is not a package (it has no __init__.py)")
        package_file = path / "__init__.py"
    elif path.suffix != ".py":
        raise TargetError(target, f"{path} is not a Python file (.py)")
    elif path.name == "__init__.py":
        package_file, path = path, path.parent
    else:
        package_file = path
    parts = [] if path.is_dir() else [path.stem]
    directory = path if path.is_dir() else path.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    _put_first_on_sys_path(directory)
    return ".".join(parts), package_file


def _put_first_on_sys_path(directory: Path) -> None:
    entry = str(directory)
    if entry in sys.path:
        sys.path.remove(entry)
    sys.path.insert(0, entry)


def _check_imported_file(target: str, module: ModuleType, expected_file: Path) -> None:
    """Refuse a module that came from somewhere else than the target's file.

    This happens when the file is named like a module imported earlier (``code.py``,
    ``test.py``): importing by name then returns the other module.
    """
    found = getattr(module, "__file__", None)
    if found is None or Path(found).resolve() != expected_file:
        raise TargetError(
            target,
            f"importing {module.__name__!r} gave {found or 'a module with no file'}, not "
            f"{expected_file}; rename the file so it does not clash with that module",
        )


def _import_failed(target: str, module_name: str, error: BaseException) -> TargetError:
    """The error for a failed import; an old Flask failing to import says so first."""
    failure = _user_code_failed(target, f"importing {module_name!r} raised", error)
    if _raised_inside_flask(error):
        problem = unsupported_flask()
        if problem is not None:
            return TargetError(target, problem, failure.traceback)
    return failure


def _raised_inside_flask(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any(f"{os.sep}flask{os.sep}" in frame.filename for frame in frames)


def _find_app(target: str, module: ModuleType) -> LoadedApp:
    from framework.cli import NoAppException, find_app_instance  # the search flask --app does

    try:
        app: LoadedApp | None = find_app_instance(module, _app_classes())
    except NoAppException as error:
        raise TargetError(target, error.format_message()) from None
    if app is not None:
        return app
    for name in FACTORY_NAMES:
        factory = getattr(module, name, None)
        if inspect.isfunction(factory):
            return _call_factory(target, name, factory, (), {})
    raise TargetError(
        target,
        f"no app found in {module.__name__!r}: define 'app' or 'application', "
        "or a create_app()/make_app() factory",
    )


def _call_factory(
    target: str, name: str, factory: object, args: tuple[object, ...], kwargs: dict[str, object]
) -> LoadedApp:
    if not callable(factory):
        raise TargetError(target, f"{name!r} is a {_kind_of(factory)}, which cannot be called")
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError as error:
        raise TargetError(target, f"cannot call {name}() with these arguments: {error}") from None
    except ValueError:
        pass  # no signature to check (some builtins); the call itself will tell.
    try:
        app = factory(*args, **kwargs)
    except (Exception, SystemExit) as error:
        raise _user_code_failed(target, f"factory {name}() raised", error) from None
    if not is_app(app):
        raise TargetError(target, f"factory {name}() returned a {_kind_of(app)}, not an App")
    return cast("LoadedApp", app)


def _user_code_failed(target: str, doing: str, error: BaseException) -> TargetError:
    message = str(error).strip().splitlines()
    summary = f"{type(error).__name__}: {message[0]}" if message else type(error).__name__
    return TargetError(target, f"{doing} {summary}", _format_user_traceback(error))


def _format_user_traceback(error: BaseException) -> str:
    """Format the traceback from the first frame of the user's code onwards.

    Frames of this module and of importlib's machinery say nothing to the user.
    """
    tb: TracebackType | None = error.__traceback__
    while tb is not None and _is_machinery(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def _is_machinery(filename: str) -> bool:
    return (
        filename == __file__
        or filename.startswith("<frozen importlib")
        or Path(filename).parent == _IMPORTLIB_DIRECTORY
    )


def _kind_of(value: object) -> str:
    return type(value).__name__
