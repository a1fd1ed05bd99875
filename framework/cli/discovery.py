"""Finding the app that ``--app`` (or ``FLASK_APP``) names, with Flask's rules.

``--app`` takes an import path, a file or a package directory, optionally followed by
``:name`` or ``:factory(literal, ...)``. :func:`prepare_import` turns a file path into an
import name, :func:`locate_app` imports it and picks the app, and :func:`find_best_app`
searches a module when no name is given. Every way this fails that is the user's to fix
raises :class:`NoAppException`, a usage error that names the module and what to do; an
exception the user's own factory raises is left to propagate, since its traceback is the
useful part.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from ..app import App

APP_NAMES = ("app", "application")
FACTORY_NAMES = ("create_app", "make_app")


class NoAppException(click.UsageError):
    """The app could not be found or loaded from what the command line named."""


def prepare_import(path: str | os.PathLike[str]) -> str:
    """Turn a file or directory path into the dotted name to import it by.

    The directory above the outermost package is put first on ``sys.path`` so that the
    import finds it, and a file inside a package is imported under its package's name,
    which keeps its relative imports working. A path that is already a dotted name
    (``pkg.mod``) is returned as is, relative to the working directory.
    """
    location = Path(os.path.realpath(path))
    if location.suffix == ".py":
        location = location.with_suffix("")
    if location.name == "__init__":
        location = location.parent
    parts = [location.name]
    directory = location.parent
    while (directory / "__init__.py").is_file():
        parts.insert(0, directory.name)
        directory = directory.parent
    if sys.path[:1] != [str(directory)]:
        sys.path.insert(0, str(directory))
    return ".".join(parts)


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> App | None:
    """Import ``module_name`` and return the app ``app_name`` names in it.

    Args:
        module_name: The dotted module to import.
        app_name: A name or a factory call (``create_app('dev')``); None searches the
            module with :func:`find_best_app`.
        raise_if_not_found: When False, a module that does not exist gives None instead
            of an error (an import error raised inside the module is still an error).

    Raises:
        NoAppException: The module does not exist, raised an ImportError, or holds no app
            by that name.
    """
    try:
        importlib.import_module(module_name)
    except ImportError as error:
        if _is_missing_module(module_name, error):
            if not raise_if_not_found:
                return None
            raise NoAppException(f"could not import {module_name!r}: no such module") from None
        details = "".join(traceback.format_exception(error)).rstrip()
        raise NoAppException(
            f"importing {module_name!r} raised an ImportError:\n\n{details}"
        ) from None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name)


def _is_missing_module(module_name: str, error: ImportError) -> bool:
    """True when the module itself (or a package above it) does not exist.

    An ImportError about anything else was raised while the module ran: its traceback
    must reach the user.
    """
    missing = error.name if isinstance(error, ModuleNotFoundError) else None
    return missing is not None and (module_name == missing or module_name.startswith(missing + "."))


def find_best_app(module: Any) -> App:
    """Return the app in ``module``: ``app`` or ``application``, else its only app, else
    what a ``create_app`` or ``make_app`` factory that takes no arguments returns.

    Raises:
        NoAppException: No app, several apps with none named ``app``, or a factory that
            needs arguments.
    """
    module_name = _name_of(module)
    instance: App | None = find_app_instance(module)
    if instance is not None:
        return instance
    for name in FACTORY_NAMES:
        factory = getattr(module, name, None)
        if inspect.isfunction(factory):
            _check_call(module_name, name, factory, (), {})
            app = factory()
            if isinstance(app, App):
                return app
    raise NoAppException(
        f"no app found in {module_name!r}: define 'app' or 'application', or a "
        "create_app() or make_app() factory, or name one with --app 'module:name'"
    )


def find_app_instance(module: Any, app_types: type | tuple[type, ...] = App) -> Any:
    """Return the app object ``module`` holds: ``app`` or ``application``, else its only
    app; None when it holds none.

    Args:
        module: The module (or any object with attributes) to search.
        app_types: What counts as an app; a command line that also serves other kinds of
            app passes their classes.

    Raises:
        NoAppException: Several apps, none of them named ``app`` or ``application``.
    """
    for name in APP_NAMES:
        value = getattr(module, name, None)
        if isinstance(value, app_types):
            return value
    apps = {name: value for name, value in vars(module).items() if isinstance(value, app_types)}
    if len(apps) > 1:
        module_name = _name_of(module)
        raise NoAppException(
            f"found several apps in {module_name!r} ({', '.join(sorted(apps))}) and none "
            f"named 'app'; pick one, e.g. '{module_name}:{min(apps)}'"
        )
    return next(iter(apps.values()), None)


def find_app_by_string(module: ModuleType, app_name: str) -> App:
    """Return the app that ``app_name`` (``name`` or ``factory(literal, ...)``) names.

    A name that holds a function is called as a factory with no arguments. Arguments
    are read as Python literals; nothing in ``app_name`` is evaluated.

    Raises:
        NoAppException: ``app_name`` is neither form, the name is missing, the call does
            not fit the factory's signature, or what it gives is not an app.
    """
    module_name = _name_of(module)
    name, args, kwargs, called = _parse_app_name(app_name)
    try:
        value = getattr(module, name)
    except AttributeError:
        raise NoAppException(f"module {module_name!r} has no attribute {name!r}") from None
    if isinstance(value, App) and not called:
        return value
    if called or inspect.isfunction(value):
        if not callable(value) or isinstance(value, App):
            raise NoAppException(
                f"{name!r} in {module_name!r} is a {type(value).__name__}, not a factory; "
                f"drop the parentheses"
            )
        _check_call(module_name, name, value, args, kwargs)
        value = value(*args, **kwargs)
        if not isinstance(value, App):
            raise NoAppException(
                f"{module_name}:{app_name.strip()} returned a {type(value).__name__}, not an app"
            )
        return value
    raise NoAppException(f"{name!r} in {module_name!r} is a {type(value).__name__}, not an app")


def _parse_app_name(app_name: str) -> tuple[str, tuple[Any, ...], dict[str, Any], bool]:
    """Split ``name`` or ``name(args)`` into the name, the literal arguments and whether
    it was a call."""
    unreadable = NoAppException(
        f"{app_name.strip()!r} is not a name or a factory call like create_app('dev')"
    )
    try:
        expression = ast.parse(app_name.strip(), mode="eval").body
    except SyntaxError:
        raise unreadable from None
    if isinstance(expression, ast.Name):
        return expression.id, (), {}, False
    if not (isinstance(expression, ast.Call) and isinstance(expression.func, ast.Name)):
        raise unreadable
    name = expression.func.id
    try:
        args = tuple(ast.literal_eval(node) for node in expression.args)
        kwargs = {
            keyword.arg: ast.literal_eval(keyword.value)
            for keyword in expression.keywords
            if keyword.arg is not None
        }
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise NoAppException(
            f"the arguments of {name}() must be Python literals (strings, numbers, "
            "booleans, None, and lists, tuples or dicts of them)"
        ) from None
    if len(kwargs) != len(expression.keywords):
        raise NoAppException(f"the arguments of {name}() cannot be unpacked with **")
    return name, args, kwargs, True


def _check_call(
    module_name: str,
    name: str,
    factory: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Refuse a factory call that does not fit its signature before making it, so a
    TypeError the factory itself raises is never taken for a wrong call."""
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError as error:
        raise NoAppException(
            f"cannot call {name}() in {module_name!r} with these arguments ({error}); pass "
            f"them with --app '{module_name}:{name}(...)'"
        ) from None
    except ValueError:
        pass  # no signature to check (some builtins); the call itself will tell


def _name_of(module: Any) -> str:
    return str(getattr(module, "__name__", module))
