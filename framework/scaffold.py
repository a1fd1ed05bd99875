"""What App and Blueprint share: route registration, hook registries, error handlers.

Registries are keyed by blueprint name, ``None`` meaning the whole app. A
blueprint keeps its own registries and merges them into the app's (under its
name) when registered.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import sys
import typing as t
from collections import defaultdict
from functools import update_wrapper

from werkzeug.exceptions import HTTPException, default_exceptions

from .globals import _cv_app, _cv_request
from .helpers import get_root_path, send_from_directory

if t.TYPE_CHECKING:
    from jinja2 import FileSystemLoader

    from .cli import AppGroup
    from .wrappers import Request, Response

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
ErrorHandler = t.Callable[[t.Any], t.Any]
ExceptionKey = type[BaseException] | int

_sentinel: t.Any = object()


def setupmethod(f: F) -> F:
    """Mark a method that changes the app's setup; it refuses once the setup is final."""
    name = f.__name__

    def wrapper(self: Scaffold, *args: t.Any, **kwargs: t.Any) -> t.Any:
        self._check_setup_finished(name)
        return f(self, *args, **kwargs)

    return update_wrapper(wrapper, f)  # type: ignore[return-value]


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """The first context processor of every app and blueprint, as in Flask: the current
    ``g`` and ``request`` themselves (faster in a template than the proxy globals).

    ``session`` stays the proxy from the environment's globals, so only a template
    that really reads the session marks it accessed.
    """
    context: dict[str, t.Any] = {}
    app_ctx = _cv_app.get(None)
    if app_ctx is not None:
        context["g"] = app_ctx.g
    request_ctx = _cv_request.get(None)
    if request_ctx is not None:
        context["request"] = request_ctx.request
    return context


def _endpoint_from_view_func(view_func: t.Callable[..., t.Any] | None) -> str:
    if view_func is None:
        raise TypeError("add_url_rule() needs a view_func when no endpoint is given.")
    return view_func.__name__


class Scaffold:
    """Route, hook and error-handler registration shared by :class:`App` and Blueprints."""

    name: str
    _static_folder: str | None = None
    _static_url_path: str | None = None
    _cli: AppGroup | None = None

    def __init__(
        self,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        root_path: str | None = None,
    ) -> None:
        self.import_name = import_name
        self.static_folder = static_folder
        self.static_url_path = static_url_path
        self.template_folder = template_folder
        if root_path is None:
            root_path = get_root_path(self.import_name)
        self.root_path = root_path

        self.view_functions: dict[str, t.Callable[..., t.Any]] = {}
        self.error_handler_spec: dict[
            str | None, dict[int | None, dict[type[BaseException], ErrorHandler]]
        ] = defaultdict(lambda: defaultdict(dict))
        self.before_request_funcs: dict[str | None, list[t.Callable[[], t.Any]]] = defaultdict(list)
        self.after_request_funcs: dict[str | None, list[t.Callable[[Response], Response]]] = (
            defaultdict(list)
        )
        self.teardown_request_funcs: dict[
            str | None, list[t.Callable[[BaseException | None], None]]
        ] = defaultdict(list)
        self.template_context_processors: dict[
            str | None, list[t.Callable[[], dict[str, t.Any]]]
        ] = defaultdict(list, {None: [_default_template_ctx_processor]})
        self.url_value_preprocessors: dict[
            str | None, list[t.Callable[[str | None, dict[str, t.Any] | None], None]]
        ] = defaultdict(list)
        self.url_default_functions: dict[
            str | None, list[t.Callable[[str, dict[str, t.Any]], None]]
        ] = defaultdict(list)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @property
    def cli(self) -> AppGroup:
        """The click group of this app or blueprint: ``@app.cli.command()`` adds a
        ``hookscope`` command (a blueprint's join the app's when it is registered)."""
        if self._cli is None:
            from .cli import AppGroup  # click loads only when the CLI is used

            self._cli = AppGroup(name=self.name)
        return self._cli

    def _check_setup_finished(self, f_name: str) -> None:
        raise NotImplementedError

    # -- folders ----------------------------------------------------------------

    @property
    def static_folder(self) -> str | None:
        if self._static_folder is not None:
            return os.path.join(self.root_path, self._static_folder)
        return None

    @static_folder.setter
    def static_folder(self, value: str | os.PathLike[str] | None) -> None:
        if value is not None:
            value = os.fspath(value).rstrip(r"\/")
        self._static_folder = value

    @property
    def has_static_folder(self) -> bool:
        return self.static_folder is not None

    @property
    def static_url_path(self) -> str | None:
        if self._static_url_path is not None:
            return self._static_url_path
        if self.static_folder is not None:
            basename = os.path.basename(self.static_folder)
            return f"/{basename}".rstrip("/")
        return None

    @static_url_path.setter
    def static_url_path(self, value: str | None) -> None:
        if value is not None:
            value = value.rstrip("/")
        self._static_url_path = value

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """``SEND_FILE_MAX_AGE_DEFAULT`` in seconds; None lets the browser revalidate."""
        from .globals import current_app

        value = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"]
        if value is None:
            return None
        if hasattr(value, "total_seconds"):
            return int(value.total_seconds())
        return int(value)

    def send_static_file(self, filename: str) -> Response:
        """The view behind the ``static`` endpoint: a file from :attr:`static_folder`."""
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(t.cast(str, self.static_folder), filename, max_age=max_age)

    @property
    def jinja_loader(self) -> FileSystemLoader | None:
        if self.template_folder is not None:
            from jinja2 import FileSystemLoader  # Jinja2 loads only for apps that render

            return FileSystemLoader(os.path.join(self.root_path, self.template_folder))
        return None

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = None
    ) -> t.IO[t.Any]:
        """Open a file relative to :attr:`root_path` for reading."""
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")
        path = os.path.join(self.root_path, resource)
        if mode == "rb":
            return open(path, mode)
        return open(path, mode, encoding=encoding)

    # -- routes -----------------------------------------------------------------

    def _method_route(
        self, method: str, rule: str, options: dict[str, t.Any]
    ) -> t.Callable[[F], F]:
        if "methods" in options:
            raise TypeError("Use the 'route' decorator to use the 'methods' argument.")
        return self.route(rule, methods=[method], **options)

    def get(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        return self._method_route("GET", rule, options)

    def post(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        return self._method_route("POST", rule, options)

    def put(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        return self._method_route("PUT", rule, options)

    def delete(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        return self._method_route("DELETE", rule, options)

    def patch(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        return self._method_route("PATCH", rule, options)

    def route(self, rule: str, **options: t.Any) -> t.Callable[[F], F]:
        """Register the decorated function for ``rule``; options go to :meth:`add_url_rule`."""

        def decorator(f: F) -> F:
            endpoint = options.pop("endpoint", None)
            self.add_url_rule(rule, endpoint, f, **options)
            return f

        return decorator

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        raise NotImplementedError

    @setupmethod
    def endpoint(self, endpoint: str) -> t.Callable[[F], F]:
        """Register the decorated function as the view of an existing ``endpoint``."""

        def decorator(f: F) -> F:
            self.view_functions[endpoint] = f
            return f

        return decorator

    # -- hooks ------------------------------------------------------------------

    @setupmethod
    def before_request(self, f: F) -> F:
        """Run ``f()`` before each request; a non-None return becomes the response."""
        self.before_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def after_request(self, f: F) -> F:
        """Run ``f(response)`` after each request (last registered runs first)."""
        self.after_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def teardown_request(self, f: F) -> F:
        """Run ``f(exc)`` when the request context is popped, even after an error."""
        self.teardown_request_funcs.setdefault(None, []).append(f)
        return f

    @setupmethod
    def context_processor(self, f: F) -> F:
        self.template_context_processors[None].append(f)
        return f

    @setupmethod
    def url_value_preprocessor(self, f: F) -> F:
        """Run ``f(endpoint, view_args)`` before before_request hooks; it may change view_args."""
        self.url_value_preprocessors[None].append(f)
        return f

    @setupmethod
    def url_defaults(self, f: F) -> F:
        """Run ``f(endpoint, values)`` in ``url_for``; it may fill in values."""
        self.url_default_functions[None].append(f)
        return f

    @setupmethod
    def errorhandler(self, code_or_exception: ExceptionKey) -> t.Callable[[F], F]:
        """Handle an HTTP status code or an exception class (and its subclasses)."""

        def decorator(f: F) -> F:
            self.register_error_handler(code_or_exception, f)
            return f

        return decorator

    @setupmethod
    def register_error_handler(self, code_or_exception: ExceptionKey, f: ErrorHandler) -> None:
        exc_class, code = self._get_exc_class_and_code(code_or_exception)
        self.error_handler_spec[None][code][exc_class] = f

    @staticmethod
    def _get_exc_class_and_code(
        exc_class_or_code: ExceptionKey,
    ) -> tuple[type[BaseException], int | None]:
        exc_class: type[BaseException]
        if isinstance(exc_class_or_code, int):
            try:
                exc_class = default_exceptions[exc_class_or_code]
            except KeyError:
                raise ValueError(
                    f"'{exc_class_or_code}' is not a recognized HTTP error code. Use a"
                    " subclass of HTTPException with that code instead."
                ) from None
        else:
            exc_class = exc_class_or_code
        if isinstance(exc_class, BaseException):
            raise TypeError(
                f"{exc_class!r} is an instance, not a class. Handlers can only be"
                " registered for Exception classes or HTTP error codes."
            )
        if not isinstance(exc_class, type) or not issubclass(exc_class, Exception):
            raise ValueError(
                f"'{getattr(exc_class, '__name__', exc_class)}' is not a subclass of"
                " Exception. Handlers can only be registered for Exception classes or"
                " HTTP error codes."
            )
        if issubclass(exc_class, HTTPException):
            return exc_class, exc_class.code
        return exc_class, None


def outermost_first(request: Request) -> t.Sequence[str | None]:
    """The registry keys a request's hooks are read from, the app (None) first, then its
    blueprints from the outermost in: the order of url_value_preprocessors and
    before_request functions."""
    rule = request.url_rule
    if rule is None or "." not in rule.endpoint:
        return (None,)
    return (None, *reversed(request.blueprints))


def innermost_first(request: Request) -> t.Sequence[str | None]:
    """The request's blueprints, innermost first, then None for the app itself: the order
    of after_request and teardown_request functions."""
    rule = request.url_rule
    if rule is None or "." not in rule.endpoint:
        return (None,)
    return [*request.blueprints, None]


def find_package(import_name: str) -> tuple[str | None, str]:
    """Where a module is installed: ``(prefix, folder)``, as Flask works it out.

    ``folder`` holds the top-level package (or the module itself); ``prefix`` is the
    installation prefix when the folder is installed -- anywhere under ``sys.prefix``
    (a virtualenv's or the system's), or in a ``site-packages`` folder elsewhere -- and
    None for a module that is not installed (an app in a project folder).
    """
    folder = pathlib.PurePath(os.path.abspath(_package_folder(import_name)))
    prefix = pathlib.PurePath(os.path.abspath(sys.prefix))
    if folder.is_relative_to(prefix):
        return str(prefix), str(folder)
    if folder.name.lower() == "site-packages":
        lib = folder.parent
        if lib.name.lower() == "lib":  # prefix/lib/site-packages (Windows)
            return str(lib.parent), str(folder)
        if lib.parent.name.lower() == "lib":  # prefix/lib/pythonX.Y/site-packages
            return str(lib.parent.parent), str(folder)
        return str(lib), str(folder)  # prefix/site-packages
    return None, str(folder)


def _package_folder(import_name: str) -> str:
    """The folder that holds ``import_name``'s top-level module or package; for a
    namespace package, the folder of the portion that holds ``import_name``."""
    root_name = import_name.partition(".")[0]
    try:
        spec = importlib.util.find_spec(root_name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return os.getcwd()  # not importable (an interactive __main__, say)
    locations = list(spec.submodule_search_locations or ())
    if not locations:  # a module
        return os.path.dirname(t.cast(str, spec.origin))
    if spec.origin not in {None, "namespace"}:  # a package with an __init__.py
        return os.path.dirname(os.path.dirname(spec.origin))
    try:
        inner = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        inner = None
    if inner is not None and inner.submodule_search_locations:
        inner_folder = pathlib.PurePath(os.path.commonpath(list(inner.submodule_search_locations)))
        for location in locations:
            if inner_folder.is_relative_to(location):
                return os.path.dirname(location)
    return os.path.dirname(locations[0])
