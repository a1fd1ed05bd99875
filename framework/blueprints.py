"""Blueprints: a group of routes, hooks and handlers registered onto an app under a name.

A blueprint records what it is asked to do; registering it replays those
records against the app with the registration's url_prefix, subdomain,
url_defaults and name. Its hooks and error handlers land in the app's
registries under the blueprint's (dotted, when nested) name, so they run only
for requests to its own endpoints.
"""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict

from .scaffold import Scaffold, _endpoint_from_view_func, setupmethod

if t.TYPE_CHECKING:
    from .app import App

F = t.TypeVar("F", bound=t.Callable[..., t.Any])
DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]

_sentinel: t.Any = object()


class BlueprintSetupState:
    """One registration of a blueprint on an app: where its routes go and how they are named."""

    def __init__(
        self, blueprint: Blueprint, app: App, options: dict[str, t.Any], first_registration: bool
    ) -> None:
        self.app = app
        self.blueprint = blueprint
        self.options = options
        self.first_registration = first_registration
        subdomain = options.get("subdomain")
        self.subdomain: str | None = blueprint.subdomain if subdomain is None else subdomain
        url_prefix = options.get("url_prefix")
        self.url_prefix: str | None = blueprint.url_prefix if url_prefix is None else url_prefix
        self.name: str = options.get("name", blueprint.name)
        self.name_prefix: str = options.get("name_prefix", "")
        self.url_defaults: dict[str, t.Any] = dict(blueprint.url_values_defaults)
        self.url_defaults.update(options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        **options: t.Any,
    ) -> None:
        if self.url_prefix is not None:
            rule = (
                "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
                if rule
                else self.url_prefix
            )
        options.setdefault("subdomain", self.subdomain)
        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)
        defaults = self.url_defaults
        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))
        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


def _join_prefix(outer: str | None, inner: str | None) -> str | None:
    if outer is not None and inner is not None:
        return outer.rstrip("/") + "/" + inner.lstrip("/")
    return inner if inner is not None else outer


class Blueprint(Scaffold):
    """Routes, hooks and error handlers to register on an app, possibly several times.

    Args:
        name: the blueprint's name; endpoints become ``name.view``.
        import_name: usually ``__name__``; locates the blueprint's folders.
        static_folder, static_url_path, template_folder, root_path: as for App.
        url_prefix: prefix of every route (``/admin``).
        subdomain: subdomain of every route.
        url_defaults: default view arguments of every route.
        cli_group: name of the blueprint's CLI group (None merges into the app's).
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,
    ) -> None:
        super().__init__(
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )
        if not name:
            raise ValueError("'name' may not be empty.")
        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")
        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []
        self.url_values_defaults: dict[str, t.Any] = url_defaults or {}
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the blueprint"
                f" '{self.name}'. It has already been registered at least once, any"
                " changes will not be applied consistently.\n"
                "Make sure all imports, decorators, functions, etc. needed to set up"
                " the blueprint are done before registering it."
            )

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Run ``func(state)`` at each registration of this blueprint."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Run ``func(state)`` at the first registration only."""

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(wrapper)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one; its endpoints become ``this.nested.view``."""
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")
        self._blueprints.append((blueprint, options))

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: t.Callable[..., t.Any] | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")
        if view_func is not None and "." in getattr(view_func, "__name__", ""):
            raise ValueError("'view_func' name may not contain a dot '.' character.")
        self.record(
            lambda state: state.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Replay this blueprint's records onto ``app`` (called by ``app.register_blueprint``)."""
        name_prefix = options.get("name_prefix", "")
        self_name = options.get("name", self.name)
        if "." in self_name:
            raise ValueError("'name' may not contain a dot '.' character.")
        name = f"{name_prefix}.{self_name}".lstrip(".")
        if name in app.blueprints:
            existing = app.blueprints[name]
            which = "this" if existing is self else "a different"
            where = f" '{name}'" if self_name != name else ""
            raise ValueError(
                f"The name '{self_name}' is already registered for {which} blueprint{where}."
                " Use 'name=' to provide a unique name."
            )
        first_blueprint_registration = not any(bp is self for bp in app.blueprints.values())
        app.blueprints[name] = self
        self._got_registered_once = True
        state = BlueprintSetupState(self, app, options, first_blueprint_registration)

        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,
                endpoint="static",
            )
        self._merge_into(app, name)
        for deferred in self.deferred_functions:
            deferred(state)
        self._register_cli(app, options)

        for blueprint, nested_options in self._blueprints:
            nested = dict(nested_options)
            subdomain = nested.get("subdomain")
            if subdomain is None:
                subdomain = blueprint.subdomain
            if state.subdomain is not None and subdomain is not None:
                nested["subdomain"] = f"{subdomain}.{state.subdomain}"
            elif subdomain is not None or state.subdomain is not None:
                nested["subdomain"] = subdomain if subdomain is not None else state.subdomain
            url_prefix = nested.get("url_prefix")
            if url_prefix is None:
                url_prefix = blueprint.url_prefix
            joined = _join_prefix(state.url_prefix, url_prefix)
            if joined is not None:
                nested["url_prefix"] = joined
            nested["name_prefix"] = name
            blueprint.register(app, nested)

    def _merge_into(self, app: App, name: str) -> None:
        """Copy this blueprint's hook registries into the app's, keyed by ``name``.

        Views given to :meth:`endpoint` keep their endpoint as it was written, without the
        blueprint's name: as in Flask, ``bp.endpoint("bar")`` serves the app's rule "bar".
        """
        app.view_functions.update(self.view_functions)

        def key(own: str | None) -> str:
            return name if own is None else f"{name}.{own}"

        for own, by_code in self.error_handler_spec.items():
            target = app.error_handler_spec.setdefault(key(own), defaultdict(dict))
            for code, handlers in by_code.items():
                target.setdefault(code, {}).update(handlers)
        registries: tuple[tuple[t.Any, t.Any], ...] = (
            (self.before_request_funcs, app.before_request_funcs),
            (self.after_request_funcs, app.after_request_funcs),
            (self.teardown_request_funcs, app.teardown_request_funcs),
            (self.url_default_functions, app.url_default_functions),
            (self.url_value_preprocessors, app.url_value_preprocessors),
            (self.template_context_processors, app.template_context_processors),
        )
        for source, target in registries:
            for own, funcs in source.items():
                if funcs:
                    target.setdefault(key(own), []).extend(funcs)

    def _register_cli(self, app: App, options: dict[str, t.Any]) -> None:
        if self._cli is None or not self._cli.commands:
            return
        group = options.get("cli_group", self.cli_group)
        if group is None:
            app.cli.commands.update(self._cli.commands)
            return
        self._cli.name = self.name if group is _sentinel else group
        app.cli.add_command(self._cli)

    # -- app-wide variants, registered when the blueprint is -----------------------

    def _on_app(self, register: t.Callable[[App], None]) -> None:
        self.record_once(lambda state: register(state.app))

    @setupmethod
    def before_app_request(self, f: F) -> F:
        self._on_app(lambda app: app.before_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def after_app_request(self, f: F) -> F:
        self._on_app(lambda app: app.after_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def teardown_app_request(self, f: F) -> F:
        self._on_app(lambda app: app.teardown_request_funcs.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_context_processor(self, f: F) -> F:
        self._on_app(lambda app: app.template_context_processors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_url_value_preprocessor(self, f: F) -> F:
        self._on_app(lambda app: app.url_value_preprocessors.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_url_defaults(self, f: F) -> F:
        self._on_app(lambda app: app.url_default_functions.setdefault(None, []).append(f))
        return f

    @setupmethod
    def app_errorhandler(self, code: type[Exception] | int) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self._on_app(lambda app: app.register_error_handler(code, f))
            return f

        return decorator

    @setupmethod
    def app_template_filter(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.record_once(lambda state: state.app.add_template_filter(f, name=name))

    @setupmethod
    def app_template_test(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(self, f: t.Callable[..., bool], name: str | None = None) -> None:
        self.record_once(lambda state: state.app.add_template_test(f, name=name))

    @setupmethod
    def app_template_global(self, name: str | None = None) -> t.Callable[[F], F]:
        def decorator(f: F) -> F:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(self, f: t.Callable[..., t.Any], name: str | None = None) -> None:
        self.record_once(lambda state: state.app.add_template_global(f, name=name))
