"""``App``, the façade: configuration, the url_map, hook registries, contexts and serving.

What an app does with a request lives beside it, one concern to a module, and App
combines them: :mod:`~framework.routing` (rules and URL building),
:mod:`~framework.responses` (return values into responses),
:mod:`~framework.dispatch` (the request lifecycle) and
:mod:`~framework.error_handling` (error handlers and the 500).
"""

from __future__ import annotations

import logging
import os
import sys
import typing as t
import weakref
from datetime import timedelta
from itertools import chain

from werkzeug.datastructures import ImmutableDict
from werkzeug.exceptions import Aborter
from werkzeug.routing import Map, MapAdapter, Rule
from werkzeug.utils import cached_property

from .config import DEFAULT_CONFIG, Config, ConfigAttribute, as_timedelta
from .ctx import AppContext, RequestContext, _AppCtxGlobals
from .dispatch import Dispatch
from .error_handling import ErrorHandling, ExcInfo
from .globals import _cv_app, _cv_request
from .helpers import get_debug_flag
from .json.provider import DefaultJSONProvider, JSONProvider
from .logging import create_logger
from .responses import ResponseMaking
from .routing import Routing
from .scaffold import Scaffold, find_package, setupmethod
from .sessions import SecureCookieSessionInterface, SessionInterface
from .tracing import Tracer, TracerRegistry
from .wrappers import Request, Response

if t.TYPE_CHECKING:
    from jinja2 import BaseLoader

    from .blueprints import Blueprint
    from .templating import Environment
    from .testing import AppClient, AppCliRunner

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
WSGIEnvironment = dict[str, t.Any]

_BOUND_HOSTS_KEPT = 256
"""How many hosts :meth:`App._bind_request` remembers before starting afresh."""


class _DefaultJinjaEnvironment:
    """``App.jinja_environment`` until a subclass sets its own: the framework's
    :class:`~framework.templating.Environment`, imported only when first asked for, so
    an app that never renders never imports Jinja2."""

    def __get__(self, obj: object, owner: type | None = None) -> type[Environment]:
        from .templating import Environment

        return Environment


class App(Dispatch, ErrorHandling, ResponseMaking, Routing, Scaffold):
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
    jinja_environment: type[Environment] = _DefaultJinjaEnvironment()  # type: ignore[assignment]
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
        get_converter=as_timedelta,  # type: ignore[arg-type]
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
                # AssertionError, as Flask raises: code written for Flask may expect it.
                raise AssertionError(
                    "Invalid static_host/host_matching combination: with a static folder,"
                    " set static_host exactly when host_matching is on (or pass"
                    " static_folder=None)."
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
        """The Jinja2 environment (of class :attr:`jinja_environment`) with Flask's globals."""
        from .globals import g, request, session
        from .helpers import get_flashed_messages, url_for

        options = dict(self.jinja_options)
        options.setdefault("autoescape", self.select_jinja_autoescape)
        options.setdefault("auto_reload", self.templates_auto_reload)
        env = self.jinja_environment(self, **options)
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

    def create_global_jinja_loader(self) -> BaseLoader:
        """The environment's loader: the app's template folder, then each blueprint's.
        Override it to load templates from elsewhere."""
        from .templating import DispatchingJinjaLoader

        return DispatchingJinjaLoader(self)

    def select_jinja_autoescape(self, filename: str | None) -> bool:
        """Autoescape string templates and .html/.htm/.xml/.xhtml/.svg files."""
        if filename is None:
            return True
        return filename.endswith((".html", ".htm", ".xml", ".xhtml", ".svg"))

    def update_template_context(self, context: dict[str, t.Any]) -> None:
        """Add the context processors' values; values passed to render win."""
        names: t.Iterable[str | None] = (None,)
        request_ctx = _cv_request.get(None)
        if request_ctx is not None:
            names = chain(names, reversed(request_ctx.request.blueprints))
        original = context.copy()
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

    # -- the request's URL adapter ------------------------------------------------------
    # (Here rather than in routing.py: see that module's docstring.)

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
                if len(self._bound_hosts) >= _BOUND_HOSTS_KEPT:
                    self._bound_hosts.clear()
                self._bound_hosts[key] = (
                    adapter.server_name,
                    adapter.script_name,
                    adapter.subdomain,
                    adapter.url_scheme,
                )
            return adapter
        # The environ's strings carry bytes as latin-1; ASCII ones are already the text.
        path_info = environ.get("PATH_INFO")
        if path_info is None:
            path_info = "/"
        elif not path_info.isascii():
            path_info = path_info.encode("latin-1").decode(errors="replace")
        query = environ.get("QUERY_STRING")
        if query is not None and not query.isascii():
            query = query.encode("latin-1").decode(errors="replace")
        return MapAdapter(self.url_map, *known, path_info, environ["REQUEST_METHOD"], query)

    # -- logging ---------------------------------------------------------------------

    def log_exception(self, exc_info: ExcInfo) -> None:
        """Log an unhandled exception on ``app.logger``, naming the request.

        (Here rather than beside the error handling: Flask's default log format names
        the module that logs, and Flask's says ``ERROR in app``.)
        """
        request_ctx = _cv_request.get(None)
        where = ""
        if request_ctx is not None:
            where = f" on {request_ctx.request.path} [{request_ctx.request.method}]"
        self.logger.error(f"Exception{where}", exc_info=exc_info)

    # -- blueprints ------------------------------------------------------------------

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Register a blueprint's routes and hooks (``url_prefix``, ``subdomain``,
        ``url_defaults`` and ``name`` override the blueprint's own)."""
        blueprint.register(self, options)

    def iter_blueprints(self) -> t.ValuesView[Blueprint]:
        return self.blueprints.values()

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
