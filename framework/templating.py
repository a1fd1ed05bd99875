"""Jinja2 templates: the app's environment, the loader over app and blueprints, rendering."""

from __future__ import annotations

import typing as t

from jinja2 import BaseLoader, Template, TemplateNotFound
from jinja2 import Environment as BaseEnvironment

from . import signals
from .caller import PLAIN_CALLER
from .globals import _cv_request, current_app
from .scaffold import _default_template_ctx_processor as _default_template_ctx_processor

if t.TYPE_CHECKING:
    from .app import App
    from .scaffold import Scaffold


class Environment(BaseEnvironment):
    """A Jinja2 environment that knows its app; its loader is the app's
    :meth:`~framework.App.create_global_jinja_loader` unless one is given."""

    def __init__(self, app: App, **options: t.Any) -> None:
        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()
        super().__init__(**options)
        self.app = app


class DispatchingJinjaLoader(BaseLoader):
    """Look in the app's template folder first, then in each blueprint's, in order."""

    def __init__(self, app: App) -> None:
        self.app = app

    def _loaders(self) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        loader = self.app.jinja_loader
        if loader is not None:
            yield self.app, loader
        for blueprint in self.app.iter_blueprints():
            loader = blueprint.jinja_loader
            if loader is not None:
                yield blueprint, loader

    def get_source(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)
        for _, loader in self._loaders():
            try:
                return loader.get_source(environment, template)
            except TemplateNotFound:
                continue
        raise TemplateNotFound(template)

    def _get_source_explained(
        self, environment: BaseEnvironment, template: str
    ) -> tuple[str, str | None, t.Callable[[], bool] | None]:
        """Ask every loader, log what each answered (app.logger, INFO); the first match wins."""
        from .debughelpers import LoadingAttempt, explain_template_loading_attempts

        attempts: list[LoadingAttempt] = []
        for owner, loader in self._loaders():
            try:
                found = loader.get_source(environment, template)
            except TemplateNotFound:
                found = None
            attempts.append(LoadingAttempt(owner, loader, found))
        explain_template_loading_attempts(self.app, template, attempts)
        for attempt in attempts:
            if attempt.found is not None:
                return attempt.found
        raise TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for _, loader in self._loaders():
            found.update(loader.list_templates())
        return sorted(found)


def _render(app: App, template: Template, context: dict[str, t.Any]) -> str:
    app.update_template_context(context)
    if signals.before_render_template.receivers:
        signals.before_render_template.send(app, template=template, context=context)
    request_ctx = _cv_request.get(None)
    caller = PLAIN_CALLER if request_ctx is None else request_ctx.caller
    rendered = caller.render(template, context)
    if signals.template_rendered.receivers:
        signals.template_rendered.send(app, template=template, context=context)
    return rendered


def render_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> str:
    """Render a template from the template folders with ``context``."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template given as a string."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.from_string(source)
    return _render(app, template, context)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """A macro or variable a template exports, to call from Python code.

    ``get_template_attribute("_macros.html", "hello")("World")`` calls the ``hello``
    macro of ``_macros.html`` without rendering the rest of the template.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return getattr(app.jinja_env.get_template(template_name).module, attribute)


def _stream(app: App, template: Template, context: dict[str, t.Any]) -> t.Iterator[str]:
    app.update_template_context(context)
    if signals.before_render_template.receivers:
        signals.before_render_template.send(app, template=template, context=context)

    def generate() -> t.Iterator[str]:
        yield from template.generate(context)
        if signals.template_rendered.receivers:
            signals.template_rendered.send(app, template=template, context=context)

    from .helpers import stream_with_context

    stream = generate()
    if _cv_request.get(None) is not None:
        stream = stream_with_context(stream)
    return stream


def stream_template(
    template_name_or_list: str | Template | list[str | Template], **context: t.Any
) -> t.Iterator[str]:
    """Render a template piece by piece, for a streamed response."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.from_string(source)
    return _stream(app, template, context)
