"""``App``: configuration, the url_map, and the request dispatch around Werkzeug."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import sys
import typing as t
import weakref
from collections.abc import Iterator as _AbcIterator
from datetime import timedelta
from itertools import chain
from types import TracebackType
from urllib.parse import quote as _url_quote

from werkzeug.datastructures import Headers, ImmutableDict
from werkzeug.exceptions import Aborter, BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.routing import BuildError, Map, MapAdapter, RequestRedirect, RoutingException, Rule
from werkzeug.utils import cached_property
from werkzeug.utils import redirect as _werkzeug_redirect
from werkzeug.wrappers import Response as BaseResponse

from . import signals
from .config import Config, ConfigAttribute
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .globals import _cv_app, _cv_request
from .helpers import get_debug_flag
from .json.provider import DefaultJSONProvider, JSONProvider
from .logging import create_logger
from .scaffold import Scaffold, _endpoint_from_view_func, find_package, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .tracing import Tracer, TracerRegistry, traced_wsgi_app
from .wrappers import Request, Response, blueprint_chain

if t.TYPE_CHECKING:
    from .blueprints import Blueprint
    from .templating import Environment
    from .testing import AppClient, AppCliRunner

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
WSGIEnvironment = dict[str, t.Any]
StartResponse = t.Callable[..., t.Any]


def _make_timedelta(value: timedelta | int | None) -> timedelta | None:
    if value is None or isinstance(value, timedelta):
        return value
    return timedelta(seconds=value)


_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"

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


class App(Scaffold):
    """A WSGI application: routes, hooks, config, sessions and templates, as in Flask.

    Args:
        import_name: the name of the app's module or package (usually ``__name__``);
            it locates :attr:`root_path`, templates and static files.
        static_url_path: URL prefix of static files; ``/`` + the static folder's name
            by default.
        static_folder: folder of static files relative to :attr:`root_path`, or None.
        static_host: the host static files are served on, with ``host_matching``.
        host_matching: match rules on their ``host`` instead of the path only.
        subdomain_matching: match rules' ``subdomain`` relative to ``SERVER_NAME``.
        template_folder: folder of templates relative to :attr:`root_path`, or None.
        instance_path: the instance folder; by default ``instance`` beside the app's
            module or package.
        instance_relative_config: resolve config file names against the instance
            folder instead of :attr:`root_path`.
        root_path: override the folder found from ``import_name``.
    """

    request_class: type[Request] = Request
    response_class: type[Response] = Response
    aborter_class = Aborter
    jinja_environment: type[Environment]
    app_ctx_globals_class = _AppCtxGlobals
    config_class = Config
    url_rule_class = Rule
    url_map_class = Map
    json_provider_class: type[JSONProvider] = DefaultJSONProvider
    session_interface: SessionInterface = SecureCookieSessionInterface()
    test_client_class: type[AppClient] | None = None
    test_cli_runner_class: type[AppCliRunner] | None = None
    jinja_options: dict[str, t.Any] = {}
    default_config = ImmutableDict(DEFAULT_CONFIG)

    testing = ConfigAttribute[bool]("TESTING")
    secret_key = ConfigAttribute["str | bytes | None"]("SECRET_KEY")
    permanent_session_lifetime = ConfigAttribute[timedelta](
        "PERMANENT_SESSION_LIFETIME",
        get_converter=_make_timedelta,  # type: ignore[arg-type]
    )

    def __init__(
        self,
        import_name: str,
        static_url_path: str | None = None,
        static_folder: str | os.PathLike[str] | None = "static",
        static_host: str | None = None,
        host_matching: bool = False,
        subdomain_matching: bool = False,
        template_folder: str | os.PathLike[str] | None = "templates",
        instance_path: str | None = None,
        instance_relative_config: bool = False,
        root_path: str | None = None,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if instance_path is None:
            instance_path = self.auto_find_instance_path()
        elif not os.path.isabs(instance_path):
            raise ValueError(
                "If an instance path is provided it must be absolute."
                " A relative path was given instead."
            )
        self.instance_path = instance_path
        self.config = self.make_config(instance_relative_config)
        self.aborter = self.aborter_class()
        self.json: JSONProvider = self.json_provider_class(self)
        self.url_build_error_handlers: list[
            t.Callable[[Exception, str, dict[str, t.Any]], str]
        ] = []
        self.teardown_appcontext_funcs: list[t.Callable[[BaseException | None], None]] = []
        self.shell_context_processors: list[t.Callable[[], dict[str, t.Any]]] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.extensions: dict[str, t.Any] = {}
        self.url_map = self.url_map_class(host_matching=host_matching)
        self._bound_hosts: dict[tuple[t.Any, ...], tuple[str, str, str | None, str]] = {}
        self.subdomain_matching = subdomain_matching
        self.tracers = TracerRegistry()
        self._got_first_request = False

        if self.has_static_folder:
            if bool(static_host) != host_matching:
                raise ValueError(
                    "Invalid static_host/host_matching combination: set static_host"
                    " exactly when host_matching is on."
                )
            self_ref = weakref.ref(self)
            self.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                endpoint="static",
                host=static_host,
                view_func=lambda **kw: self_ref().send_static_file(**kw),  # type: ignore[union-attr]
            )

    # -- identity and setup state ------------------------------------------------

    @cached_property
    def name(self) -> str:
        """The app's name: the import name, or the script's file name for ``__main__``."""
        if self.import_name == "__main__":
            filename: str | None = getattr(sys.modules["__main__"], "__file__", None)
            if filename is None:
                return "__main__"
            return os.path.splitext(os.path.basename(filename))[0]
        return self.import_name

    @cached_property
    def logger(self) -> logging.Logger:
        """A logger named after the app; logs to ``wsgi.errors`` unless configured."""
        return create_logger(self)

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_first_request:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called"
                " on the application. It has already handled its first"
                " request, any changes will not be applied"
                " consistently.\n"
                "Make sure all imports, decorators, functions, etc."
                " needed to set up the application are done before"
                " running it."
            )

    @property
    def debug(self) -> bool:
        """Debug mode: pretty JSON, template auto-reload, exceptions propagated by run()."""
        return bool(self.config["DEBUG"])

    @debug.setter
    def debug(self, value: bool) -> None:
        self.config["DEBUG"] = value
        if self.config["TEMPLATES_AUTO_RELOAD"] is None and "jinja_env" in self.__dict__:
            self.jinja_env.auto_reload = value

    def make_config(self, instance_relative: bool = False) -> Config:
        root_path = self.instance_path if instance_relative else self.root_path
        defaults = dict(self.default_config)
        defaults["DEBUG"] = get_debug_flag()
        return self.config_class(root_path, defaults)

    def auto_find_instance_path(self) -> str:
        prefix, package_path = find_package(self.import_name)
        if prefix is None:
            return os.path.join(package_path, "instance")
        return os.path.join(prefix, "var", f"{self.name}-instance")

    def open_instance_resource(self, resource: str, mode: str = "rb") -> t.IO[t.Any]:
        return open(os.path.join(self.instance_path, resource), mode)

    # -- templates ---------------------------------------------------------------

    @cached_property
    def jinja_env(self) -> Environment:
        """The Jinja2 environment, created on first use."""
        return self.create_jinja_environment()

    @property
    def templates_auto_reload(self) -> bool:
        value = self.config["TEMPLATES_AUTO_RELOAD"]
        return self.debug if value is None else bool(value)

    @templates_auto_reload.setter
    def templates_auto_reload(self, value: bool) -> None:
        self.config["TEMPLATES_AUTO_RELOAD"] = value

    def create_jinja_environment(self) -> Environment:
        from .globals import g, request, session
        from .helpers import get_flashed_messages, url_for
        from .templating import Environment

        options = dict(self.jinja_options)
        options.setdefault("autoescape", self.select_jinja_autoescape)
        options.setdefault("auto_reload", self.templates_auto_reload)
        env = Environment(self, **options)
        env.globals.update(
            url_for=url_for,
            get_flashed_messages=get_flashed_messages,
            config=self.config,
            # The proxies, so imported macros (rendered without the context) see them too.
            request=request,
            session=session,
            g=g,
        )
        env.policies["json.dumps_function"] = self.json.dumps
        return env

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape string templates and .html/.htm/.xml/.xhtml/.svg files."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values; values passed to render win."""
        from .templating import _default_template_ctx_processor

        names: t.Iterable[str | None] = (None,)
        request_ctx = _cv_request.get(None)
        if request_ctx is not None:
            names = chain(names, reversed(request_ctx.request.blueprints))
        original = context.copy()
        context.update(_default_template_ctx_processor())
        for name in names:
            for func in self.template_context_processors.get(name, ()):
                context.update(self.ensure_sync(func)())
        context.update(original)

    @setupmethod
    def template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.jinja_env.filters[name or f.__name__] = f

    @setupmethod
    def template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        self.jinja_env.tests[name or f.__name__] = f

    @setupmethod
    def template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.jinja_env.globals[name or f.__name__] = f

    @setupmethod
    def teardown_appcontext(self, f: F) -> F:
        """Run ``f(exc)`` when the app context is popped."""
        self.teardown_appcontext_funcs.append(f)
        return f

    @setupmethod
    def shell_context_processor(self, f: F) -> F:
        self.shell_context_processors.append(f)
        return f

    def make_shell_context(self) -> dict[str, t.Any]:
        context: dict[str, t.Any] = {
            "app": self,
            "g": _cv_app.get().g if _cv_app.get(None) else None,
        }
        for processor in self.shell_context_processors:
            context.update(processor())
        return context

    # -- routing -----------------------------------------------------------------

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Map ``rule`` to ``view_func`` under ``endpoint`` (the function's name by default).

        ``options`` go to Werkzeug's Rule: methods, defaults, strict_slashes,
        redirect_to, subdomain, host, merge_slashes, alias, build_only.

        Raises:
            TypeError: ``methods`` is a string.
            AssertionError: another function already serves ``endpoint``.
        """
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        options["endpoint"] = endpoint
        methods = options.pop("methods", None)
        if methods is None:
            methods = getattr(view_func, "methods", None) or ("GET",)
        if isinstance(methods, str):
            raise TypeError(
                "Allowed methods must be a list of strings, for"
                ' example: @app.route(..., methods=["POST"])'
            )
        methods = {item.upper() for item in methods}
        required_methods = set(getattr(view_func, "required_methods", ()))
        if provide_automatic_options is None:
            provide_automatic_options = getattr(view_func, "provide_automatic_options", None)
        if provide_automatic_options is None:
            if "OPTIONS" not in methods and self.config["PROVIDE_AUTOMATIC_OPTIONS"]:
                provide_automatic_options = True
                required_methods.add("OPTIONS")
            else:
                provide_automatic_options = False
        methods |= required_methods

        rule_obj = self.url_rule_class(rule, methods=methods, **options)
        rule_obj.provide_automatic_options = provide_automatic_options  # type: ignore[attr-defined]
        self.url_map.add(rule_obj)
        if view_func is not None:
            existing = self.view_functions.get(endpoint)
            if existing is not None and existing != view_func:
                raise AssertionError(
                    "View function mapping is overwriting an existing endpoint function:"
                    f" {endpoint} (already {_describe(existing)}, now {_describe(view_func)})."
                    " Give the new view another endpoint name."
                )
            self.view_functions[endpoint] = view_func

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a blueprint's routes and hooks (``url_prefix``, ``subdomain``,
        ``url_defaults`` and ``name`` override the blueprint's own)."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        return self.blueprints.values()

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        """The MapAdapter for a request, or for building URLs outside one (needs SERVER_NAME)."""
        if request is not None:
            trusted_hosts = self.config["TRUSTED_HOSTS"]
            if trusted_hosts is not None:
                request.trusted_hosts = trusted_hosts
                request.host  # noqa: B018  (raises SecurityError -> 400 for an untrusted Host)
            server_name = self.config["SERVER_NAME"]
            subdomain = None
            if self.url_map.host_matching:
                server_name = None
            elif not self.subdomain_matching:
                subdomain = self.url_map.default_subdomain or ""
            return self._bind_request(request.environ, server_name, subdomain)
        if self.config["SERVER_NAME"] is not None:
            return self.url_map.bind(
                self.config["SERVER_NAME"],
                script_name=self.config["APPLICATION_ROOT"],
                url_scheme=self.config["PREFERRED_URL_SCHEME"],
            )
        return None

    def _bind_request(
        self, environ: WSGIEnvironment, server_name: str | None, subdomain: str | None
    ) -> MapAdapter:
        """``url_map.bind_to_environ``, remembering what it derives from the host.

        Binding works out the server name, subdomain, script name and scheme from
        the Host header and friends, which costs about as much as routing itself;
        they are the same for every request to the same host, so the first request
        binds for real and later ones build the adapter from the remembered parts
        plus their own method, path and query.
        """
        key = (
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_CONNECTION"),
            environ.get("HTTP_UPGRADE"),
            environ.get("SCRIPT_NAME"),
            server_name,
            subdomain,
            self.url_map.host_matching,
        )
        known = self._bound_hosts.get(key)
        if known is None:
            adapter = self.url_map.bind_to_environ(
                environ, server_name=server_name, subdomain=subdomain
            )
            if adapter.subdomain != "<invalid>":  # a mismatched host warns on every request
                if len(self._bound_hosts) >= 256:
                    self._bound_hosts.clear()
                self._bound_hosts[key] = (
                    adapter.server_name,
                    adapter.script_name,
                    adapter.subdomain,
                    adapter.url_scheme,
                )
            return adapter
        path_info = environ.get("PATH_INFO")
        query = environ.get("QUERY_STRING")
        return MapAdapter(
            self.url_map,
            *known,
            "/" if path_info is None else path_info.encode("latin-1").decode(errors="replace"),
            environ["REQUEST_METHOD"],
            None if query is None else query.encode("latin-1").decode(errors="replace"),
        )

    def url_for(
        self,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        request_ctx = _cv_request.get(None)
        url_adapter: MapAdapter | None
        if request_ctx is not None:
            url_adapter = request_ctx.url_adapter
            blueprint_name = request_ctx.request.blueprint
            if endpoint[:1] == ".":
                endpoint = f"{blueprint_name}{endpoint}" if blueprint_name else endpoint[1:]
            if _external is None:
                _external = _scheme is not None
        else:
            app_ctx = _cv_app.get(None)
            if app_ctx is not None and app_ctx.app is self:
                url_adapter = app_ctx.url_adapter
            else:
                url_adapter = self.create_url_adapter(None)
            if _external is None:
                _external = True
        if url_adapter is None:
            raise RuntimeError(
                "Unable to build URLs outside an active request without 'SERVER_NAME'"
                " configured. Also configure 'APPLICATION_ROOT' and"
                " 'PREFERRED_URL_SCHEME' as needed."
            )
        if _scheme is not None and not _external:
            raise ValueError("When specifying '_scheme', '_external' must be True.")

        self.inject_url_defaults(endpoint, values)
        try:
            url = url_adapter.build(
                endpoint, values, method=_method, url_scheme=_scheme, force_external=_external
            )
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = f"{url}#{_url_quote(_anchor, safe=_ANCHOR_SAFE)}"
        return url

    def inject_url_defaults(self, endpoint: str, values: dict[str, t.Any]) -> None:
        if not self.url_default_functions:
            return
        names: t.Iterable[str | None] = (None,)
        if "." in endpoint:
            names = chain(names, reversed(blueprint_chain(endpoint.rpartition(".")[0])))
        for name in names:
            for func in self.url_default_functions.get(name, ()):
                func(endpoint, values)

    def handle_url_build_error(
        self, error: BuildError, endpoint: str, values: dict[str, t.Any]
    ) -> str:
        for handler in self.url_build_error_handlers:
            try:
                url = handler(error, endpoint, values)
            except BuildError as e:
                error = e
            else:
                if url is not None:
                    return url
        if error is sys.exc_info()[1]:
            raise
        raise error

    def redirect(self, location: str, code: int = 302) -> BaseResponse:
        return _werkzeug_redirect(location, code=code, Response=self.response_class)

    # -- contexts ----------------------------------------------------------------

    def app_context(self) -> AppContext:
        return AppContext(self)

    def request_context(self, environ: WSGIEnvironment) -> RequestContext:
        return RequestContext(self, environ)

    def test_request_context(self, *args: t.Any, **kwargs: t.Any) -> RequestContext:
        """A request context for a request built from EnvironBuilder's arguments."""
        from .testing import EnvironBuilder

        builder = EnvironBuilder(self, *args, **kwargs)
        try:
            return self.request_context(builder.get_environ())
        finally:
            builder.close()

    def test_client(self, use_cookies: bool = True, **kwargs: t.Any) -> AppClient:
        from .testing import AppClient

        cls = self.test_client_class or AppClient
        return cls(self, self.response_class, use_cookies=use_cookies, **kwargs)

    def test_cli_runner(self, **kwargs: t.Any) -> AppCliRunner:
        from .testing import AppCliRunner

        cls = self.test_cli_runner_class or AppCliRunner
        return cls(self, **kwargs)

    # -- tracing -----------------------------------------------------------------

    def add_tracer(self, tracer: Tracer, *, deferred: bool = False) -> Tracer:
        """Call ``tracer(trace)`` with each finished request's trace (see framework.tracing);
        with ``deferred``, call it with the :class:`~framework.tracing.TraceRecord` instead."""
        self.tracers.add(tracer, deferred=deferred)
        return tracer

    def remove_tracer(self, tracer: Tracer) -> None:
        self.tracers.remove(tracer)

    # -- dispatch ----------------------------------------------------------------

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        return self.wsgi_app(environ, start_response)

    def wsgi_app(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        """The WSGI application; wrap this attribute (not the app) with middleware."""
        if self.tracers.active:
            return traced_wsgi_app(self, environ, start_response)
        ctx = self.request_context(environ)
        error: BaseException | None = None
        try:
            try:
                ctx.push()
                response = self.full_dispatch_request(ctx)
            except Exception as e:
                error = e
                response = self.handle_exception(e)
            except:  # noqa: E722
                error = sys.exc_info()[1]
                raise
            try:
                return response(environ, start_response)
            except Exception as e:
                # Werkzeug gives some headers (Location) their wire form only now; one
                # it cannot convert is the app's error, logged and answered like others.
                error = e
                return self.handle_exception(e)(environ, start_response)
        finally:
            if "werkzeug.debug.preserve_context" in environ:
                environ["werkzeug.debug.preserve_context"](_cv_app.get())
                environ["werkzeug.debug.preserve_context"](_cv_request.get())
            if error is not None and self.should_ignore_error(error):
                error = None
            ctx.pop(error)

    def full_dispatch_request(self, ctx: RequestContext | None = None) -> Response:
        """Hooks, view and error handling for the current request, up to the response."""
        if ctx is None:
            ctx = _cv_request.get()
        self._got_first_request = True
        try:
            if signals.request_started.receivers:
                signals.request_started.send(self)
            rv = None
            if self.before_request_funcs or self.url_value_preprocessors:
                rv = self.preprocess_request(ctx)
            if rv is None:
                rv = self.dispatch_request(ctx)
        except Exception as e:
            rv = self.handle_user_exception(e)
        return self.finalize_request(rv, ctx=ctx)

    def preprocess_request(self, ctx: RequestContext | None = None) -> t.Any:
        """Run url_value_preprocessors, then before_request hooks until one returns a value."""
        if ctx is None:
            ctx = _cv_request.get()
        request = ctx.request
        recorder = ctx.recorder
        names: tuple[str | None, ...] = (None,)
        if request.url_rule is not None and "." in request.url_rule.endpoint:
            names = (None, *reversed(request.blueprints))

        if self.url_value_preprocessors:
            for name in names:
                for preprocessor in self.url_value_preprocessors.get(name, ()):
                    if recorder is None:
                        preprocessor(request.endpoint, request.view_args)
                    else:
                        recorder.call(
                            "url_value_preprocessor",
                            name,
                            preprocessor,
                            preprocessor,
                            request.endpoint,
                            request.view_args,
                        )

        if self.before_request_funcs:
            for name in names:
                for func in self.before_request_funcs.get(name, ()):
                    if recorder is None:
                        rv = self.ensure_sync(func)()
                    else:
                        rv = recorder.call("before_request", name, func, self.ensure_sync(func))
                    if rv is not None:
                        if recorder is not None:
                            recorder.short_circuited(self, names, func)
                        return rv
        return None

    def dispatch_request(self, ctx: RequestContext | None = None) -> t.Any:
        """Call the view of the matched rule (or raise the routing error)."""
        if ctx is None:
            ctx = _cv_request.get()
        request = ctx.request
        if request.routing_exception is not None:
            self.raise_routing_exception(request)
        rule: Rule = request.url_rule  # type: ignore[assignment]
        if getattr(rule, "provide_automatic_options", False) and request.method == "OPTIONS":
            return self.make_default_options_response(ctx)
        view = self.view_functions[rule.endpoint]
        if ctx.recorder is None:
            return self.ensure_sync(view)(**request.view_args)  # type: ignore[arg-type]
        return ctx.recorder.call_view(view, self.ensure_sync(view), request.view_args)  # type: ignore[arg-type]

    def raise_routing_exception(self, request: Request) -> t.NoReturn:
        """Raise the routing error; in debug, explain a redirect that would drop form data."""
        error = t.cast(HTTPException, request.routing_exception)
        if (
            not self.debug
            or not isinstance(error, RequestRedirect)
            or error.code in {307, 308}
            or request.method in {"GET", "HEAD", "OPTIONS"}
        ):
            raise error
        from .debughelpers import FormDataRoutingRedirect

        raise FormDataRoutingRedirect(request)

    def make_default_options_response(self, ctx: RequestContext | None = None) -> Response:
        if ctx is None:
            ctx = _cv_request.get()
        adapter = t.cast(MapAdapter, ctx.url_adapter)
        methods = adapter.allowed_methods()
        response = self.response_class()
        response.allow.update(methods)
        return response

    def finalize_request(
        self, rv: t.Any, from_error_handler: bool = False, ctx: RequestContext | None = None
    ) -> Response:
        """Make a response of ``rv`` and run the after_request hooks on it."""
        response = self._text_response(rv) if type(rv) is str else self.make_response(rv)
        try:
            response = self.process_response(response, ctx)
            if signals.request_finished.receivers:
                signals.request_finished.send(self, response=response)
        except Exception:
            if not from_error_handler:
                raise
            self.logger.exception("Request finalizing failed with an error while handling an error")
        return response

    def process_response(self, response: Response, ctx: RequestContext | None = None) -> Response:
        """after_this_request functions, then after_request hooks (innermost blueprint
        first, each list in reverse), then the session is saved."""
        if ctx is None:
            ctx = _cv_request.get()
        recorder = ctx.recorder
        for func in ctx._after_request_functions:
            if recorder is None:
                response = self.ensure_sync(func)(response)
            else:
                response = recorder.call(
                    "after_request", None, func, self.ensure_sync(func), response
                )
            if response is None:
                raise _after_request_returned_none(func)
        if self.after_request_funcs:
            for name in _innermost_first(ctx.request):
                for func in reversed(self.after_request_funcs.get(name, ())):
                    if recorder is None:
                        response = self.ensure_sync(func)(response)
                    else:
                        response = recorder.call(
                            "after_request", name, func, self.ensure_sync(func), response
                        )
                    if response is None:
                        raise _after_request_returned_none(func)
        self._save_session(ctx, response)
        _check_header_values(response)
        return response

    def _save_session(self, ctx: RequestContext, response: Response) -> None:
        interface = self.session_interface
        if ctx._session is None:
            # The session is opened lazily. One nobody touched still needs saving when
            # the browser holds a permanent session that is refreshed on each request.
            # (A look at the raw header first: parsing cookies costs more than the rest.)
            if "HTTP_COOKIE" not in ctx.request.environ or not (
                self.config["SESSION_REFRESH_EACH_REQUEST"]
                and interface.get_cookie_name(self) in ctx.request.cookies
            ):
                return
        session = ctx.open_session()
        if not interface.is_null_session(session):
            interface.save_session(self, session, response)

    def make_response(self, rv: t.Any) -> Response:
        """Turn a view's return value into a response object.

        Accepts str, bytes, a dict or list (JSON), an iterator or generator (streamed),
        a Response, any WSGI callable, or a tuple ``(body, status)``,
        ``(body, headers)`` or ``(body, status, headers)``.
        """
        status: t.Any = None
        headers: t.Any = None
        if isinstance(rv, tuple):
            length = len(rv)
            if length == 3:
                rv, status, headers = rv
            elif length == 2:
                if isinstance(rv[1], Headers | dict | tuple | list):
                    rv, headers = rv
                else:
                    rv, status = rv
            else:
                raise TypeError(
                    "The view function did not return a valid response tuple."
                    " The tuple must have the form (body, status, headers),"
                    " (body, status), or (body, headers)."
                )
        if rv is None:
            request_ctx = _cv_request.get(None)
            endpoint = request_ctx.request.endpoint if request_ctx is not None else None
            raise TypeError(
                f"The view function for {endpoint!r} did not return a valid"
                " response. The function either returned None or ended without a"
                " return statement."
            )
        if not isinstance(rv, self.response_class):
            if isinstance(rv, HTTPException):
                # Its own response, retyped: cheaper than running it as a WSGI app, and
                # the body stays a plain sequence (not a stream).
                request_ctx = _cv_request.get(None)
                environ = request_ctx.request.environ if request_ctx is not None else None
                rv = self.response_class.force_type(rv.get_response(environ), environ)
            elif isinstance(rv, str | bytes | bytearray) or isinstance(rv, _AbcIterator):
                rv = self.response_class(rv, status=status, headers=headers)  # type: ignore[arg-type]
                status = headers = None
            elif isinstance(rv, dict | list):
                rv = self.json.response(rv)
            elif isinstance(rv, BaseResponse) or callable(rv):
                try:
                    request_ctx = _cv_request.get(None)
                    environ = request_ctx.request.environ if request_ctx is not None else None
                    rv = self.response_class.force_type(rv, environ)
                except TypeError as e:
                    raise TypeError(
                        f"{e}\nThe view function did not return a valid"
                        " response. The return type must be a string,"
                        " dict, list, tuple with headers or status,"
                        " Response instance, or WSGI callable, but it"
                        f" was a {type(rv).__name__}."
                    ).with_traceback(sys.exc_info()[2]) from None
            else:
                raise TypeError(
                    "The view function did not return a valid"
                    " response. The return type must be a string,"
                    " dict, list, tuple with headers or status,"
                    " Response instance, or WSGI callable, but it was a"
                    f" {type(rv).__name__}."
                )
        if status is not None:
            if isinstance(status, str | bytes | bytearray):
                rv.status = status
            else:
                rv.status_code = status
        if headers:
            rv.headers.update(headers)
        return rv  # type: ignore[no-any-return]

    def _text_response(self, rv: str) -> Response:
        # What make_response does for the most common return value, minus the checks.
        return self.response_class(rv, mimetype=self.response_class.default_mimetype)

    # -- errors ------------------------------------------------------------------

    def _find_error_handler(
        self, e: BaseException, blueprints: list[str]
    ) -> tuple[str | None, t.Callable[[t.Any], t.Any]] | None:
        """The handler for ``e``: by code first, then by class along its MRO; the
        innermost blueprint first, then the app. Returns ``(owner, handler)``."""
        if not self.error_handler_spec:
            return None
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = self.error_handler_spec.get(name, {}).get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return name, handler
        return None

    def _call_error_handler(
        self, found: tuple[str | None, t.Callable[[t.Any], t.Any]], e: BaseException
    ) -> t.Any:
        owner, handler = found
        request_ctx = _cv_request.get(None)
        recorder = request_ctx.recorder if request_ctx is not None else None
        if recorder is None:
            return self.ensure_sync(handler)(e)
        return recorder.call("errorhandler", owner, handler, self.ensure_sync(handler), e)

    def trap_http_exception(self, e: Exception) -> bool:
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            from werkzeug.exceptions import BadRequest

            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(self, e: HTTPException) -> t.Any:
        if e.code is None or isinstance(e, RoutingException):
            return e
        found = self._find_error_handler(e, _current_blueprints())
        if found is None:
            return e
        return self._call_error_handler(found, e)

    def handle_user_exception(self, e: Exception) -> t.Any:
        """Handle an exception from a hook or view with a registered handler, or re-raise."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        found = self._find_error_handler(e, _current_blueprints())
        if found is None:
            raise
        return self._call_error_handler(found, e)

    def handle_exception(self, e: Exception) -> Response:
        """An unhandled exception: log it and answer 500 (or propagate when testing/debug)."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: t.Any = InternalServerError(original_exception=e)
        found = self._find_error_handler(server_error, _current_blueprints())
        if found is not None:
            server_error = self._call_error_handler(found, server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def log_exception(
        self,
        exc_info: tuple[type[BaseException], BaseException, TracebackType]
        | tuple[None, None, None],
    ) -> None:
        request_ctx = _cv_request.get(None)
        where = ""
        if request_ctx is not None:
            where = f" on {request_ctx.request.path} [{request_ctx.request.method}]"
        self.logger.error(f"Exception{where}", exc_info=exc_info)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        return False

    def do_teardown_request(self, exc: BaseException | None = None) -> None:
        if not self.teardown_request_funcs and not signals.request_tearing_down.receivers:
            return
        request_ctx = _cv_request.get()
        recorder = request_ctx.recorder
        if self.teardown_request_funcs:
            for name in _innermost_first(request_ctx.request):
                for func in reversed(self.teardown_request_funcs.get(name, ())):
                    if recorder is None:
                        self.ensure_sync(func)(exc)
                    else:
                        recorder.call("teardown_request", name, func, self.ensure_sync(func), exc)
        if signals.request_tearing_down.receivers:
            signals.request_tearing_down.send(self, exc=exc)

    def do_teardown_appcontext(self, exc: BaseException | None = None) -> None:
        if not self.teardown_appcontext_funcs and not signals.appcontext_tearing_down.receivers:
            return
        app_ctx = _cv_app.get(None)
        recorder = app_ctx.recorder if app_ctx is not None else None
        for func in reversed(self.teardown_appcontext_funcs):
            if recorder is None:
                self.ensure_sync(func)(exc)
            else:
                recorder.call("teardown_appcontext", None, func, self.ensure_sync(func), exc)
        if signals.appcontext_tearing_down.receivers:
            signals.appcontext_tearing_down.send(self, exc=exc)

    # -- sync/async --------------------------------------------------------------

    def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        """Coroutine functions (async views and hooks) run to completion in an event loop."""
        code = getattr(func, "__code__", None)
        if code is not None and not code.co_flags & inspect.CO_COROUTINE:
            return func  # a plain function: the common case, decided without inspect
        if inspect.iscoroutinefunction(func):
            return self.async_to_sync(func)
        return func

    def async_to_sync(
        self, func: t.Callable[..., t.Coroutine[t.Any, t.Any, t.Any]]
    ) -> t.Callable[..., t.Any]:
        import asyncio  # only apps with async views or hooks pay for importing it

        @functools.wraps(func)
        def run(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return asyncio.run(func(*args, **kwargs))

        return run

    # -- serving -----------------------------------------------------------------

    def run(
        self,
        host: str | None = None,
        port: int | None = None,
        debug: bool | None = None,
        load_dotenv: bool = True,
        **options: t.Any,
    ) -> None:
        """Serve the app with Werkzeug's development server (threaded, 127.0.0.1:5000).

        With debug on, the reloader and the PIN-protected Werkzeug debugger are used,
        as in Flask; the debugger is refused on a non-loopback host.
        """
        if os.environ.get("HOOKSCOPE_RUN_FROM_CLI") == "true":
            return  # `hookscope run` serves the app itself; ignore app.run() in the module
        if debug is not None:
            self.debug = bool(debug)
        server_name = self.config.get("SERVER_NAME")
        sn_host = sn_port = None
        if server_name:
            sn_host, _, sn_port = server_name.partition(":")
        host = host or sn_host or "127.0.0.1"
        if port is None:
            port = int(sn_port) if sn_port else 5000
        options.setdefault("use_reloader", self.debug)
        options.setdefault("use_debugger", self.debug)
        options.setdefault("threaded", True)
        if options["use_debugger"] and host not in {"127.0.0.1", "localhost", "::1"}:
            self.logger.warning(
                "The Werkzeug debugger runs code from the browser; it is off because"
                " the server listens on %s, not on loopback.",
                host,
            )
            options["use_debugger"] = False

        from werkzeug.serving import run_simple

        try:
            run_simple(host, port, self, **options)
        finally:
            self._got_first_request = False


#: Headers Werkzeug turns into URIs (percent-encoding non-ASCII) when it sends them.
_URI_HEADERS = frozenset({"location", "content-location"})


def _check_header_values(response: Response) -> None:
    """Refuse a header HTTP cannot carry, instead of letting the server drop the connection.

    WSGI servers send header values as latin-1; a value outside it would make the
    server give up on the response after the app has finished. Raising here turns
    it into a logged 500 that names the header.
    """
    for name, value in response.headers:  # the plain iterator: no generator per header
        if not value.isascii() and name.lower() not in _URI_HEADERS:
            try:
                value.encode("latin-1")
            except UnicodeEncodeError:
                raise ValueError(
                    f"The response header {name!r} has a value that is not latin-1 text"
                    f" ({value[:40]!r}); HTTP headers cannot carry it. Percent-encode the"
                    " value, or use werkzeug.http.dump_options_header with an RFC 8187"
                    " filename*= parameter."
                ) from None


def _innermost_first(request: Request) -> t.Sequence[str | None]:
    """The request's blueprints, innermost first, then None for the app itself."""
    rule = request.url_rule
    if rule is None or "." not in rule.endpoint:
        return (None,)
    return [*request.blueprints, None]


def _current_blueprints() -> list[str]:
    request_ctx = _cv_request.get(None)
    return request_ctx.request.blueprints if request_ctx is not None else []


def _after_request_returned_none(func: t.Callable[..., t.Any]) -> TypeError:
    return TypeError(
        f"The after_request function {_describe(func)} returned None. It must return the"
        " response it was given (or a new response object)."
    )


def _describe(func: t.Callable[..., t.Any]) -> str:
    module = getattr(func, "__module__", None) or "?"
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    return f"{module}.{name}"
