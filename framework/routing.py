"""Routing and URL building: rules onto the url_map, routing errors, ``url_for``.

(The request's MapAdapter is made by ``App.create_url_adapter``, in app.py: Werkzeug
attributes its host-mismatch warning to that module, and code written for Flask filters
that warning by the module name ``flask.app``.)
"""

from __future__ import annotations

import sys
import typing as t
from itertools import chain
from urllib.parse import quote as _url_quote

from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError, Map, MapAdapter, RequestRedirect, Rule

from .globals import _cv_app, _cv_request
from .scaffold import _endpoint_from_view_func, setupmethod
from .wrappers import blueprint_chain

if t.TYPE_CHECKING:
    from .config import Config
    from .wrappers import Request

_ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"


class Routing:
    """The App's routing half: registering rules, matching requests, building URLs."""

    if t.TYPE_CHECKING:
        config: Config
        debug: bool
        url_map: Map
        url_rule_class: type[Rule]
        view_functions: dict[str, t.Callable[..., t.Any]]
        url_default_functions: dict[str | None, list[t.Callable[[str, dict[str, t.Any]], None]]]
        url_build_error_handlers: list[t.Callable[[Exception, str, dict[str, t.Any]], str]]

        def create_url_adapter(self, request: Request | None) -> MapAdapter | None: ...

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
                    f" {endpoint} (already {describe_function(existing)},"
                    f" now {describe_function(view_func)}). Give the new view another"
                    " endpoint name."
                )
            self.view_functions[endpoint] = view_func

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

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: t.Any,
    ) -> str:
        """The URL of ``endpoint`` with ``values``; unknown values become the query string.

        Inside a request, ``.name`` is relative to the request's blueprint and URLs are
        relative unless ``_external``; outside one, they are absolute and need
        ``SERVER_NAME``.
        """
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
        """Let the ``url_defaults`` functions of the app and the endpoint's blueprints
        fill in ``values``."""
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
        """Ask each of ``url_build_error_handlers`` for a URL; re-raise if none has one."""
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


def describe_function(func: t.Callable[..., t.Any]) -> str:
    """``module.qualname`` of a view or hook, for error messages."""
    module = getattr(func, "__module__", None) or "?"
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", repr(func))
    return f"{module}.{name}"
