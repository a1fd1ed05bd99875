"""Class-based views: ``View`` and ``MethodView``, turned into view functions by ``as_view``."""

from __future__ import annotations

import typing as t

from .globals import current_app, request

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

http_method_funcs = frozenset(["get", "post", "head", "options", "delete", "put", "trace", "patch"])


class View:
    """Subclass and implement :meth:`dispatch_request`; register with :meth:`as_view`.

    ``decorators`` are applied to the generated view function in order (the
    first one is innermost). With ``init_every_request = False`` one instance
    serves every request, so it must not keep per-request state.
    """

    methods: t.ClassVar[t.Collection[str] | None] = None
    provide_automatic_options: t.ClassVar[bool | None] = None
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self, **kwargs: t.Any) -> t.Any:
        raise NotImplementedError(f"{type(self).__name__} must implement dispatch_request().")

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> t.Callable[..., t.Any]:
        """A view function that builds the class (with these arguments) and dispatches to it.

        ``name`` becomes the function's ``__name__`` and so the default endpoint.
        """
        view: t.Callable[..., t.Any]
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> t.Any:
                instance = view.view_class(*class_args, **class_kwargs)  # type: ignore[attr-defined]
                return current_app.ensure_sync(instance.dispatch_request)(**kwargs)

        else:
            shared = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> t.Any:
                return current_app.ensure_sync(shared.dispatch_request)(**kwargs)

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__
            for decorator in cls.decorators:
                view = decorator(view)

        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


class MethodView(View):
    """Dispatch to the method named after the HTTP method (``get``, ``post``, ...).

    The allowed methods are the handlers the class defines or inherits; HEAD
    falls back to ``get``.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)
        if "methods" in cls.__dict__:
            return
        methods: set[str] = set()
        for base in cls.__bases__:
            if getattr(base, "methods", None):
                methods.update(base.methods)  # type: ignore[attr-defined]
        for name in http_method_funcs:
            if hasattr(cls, name):
                methods.add(name.upper())
        if methods:
            cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> t.Any:
        handler = getattr(self, request.method.lower(), None)
        if handler is None and request.method == "HEAD":
            handler = getattr(self, "get", None)
        if handler is None:
            raise NotImplementedError(
                f"{type(self).__name__} has no handler for {request.method!r}; define"
                f" a '{request.method.lower()}' method or leave it out of 'methods'."
            )
        return current_app.ensure_sync(handler)(**kwargs)
