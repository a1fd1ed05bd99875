"""Proxies that stand for whatever object is current: ``request``, ``session``, ``g``...

A proxy forwards everything to the object it stands for right now, the way Werkzeug's
``LocalProxy`` does (and Flask's globals are ``LocalProxy`` objects): attribute access,
every operator and protocol (``len``, ``in``, ``[]``, ``+``, ``with``, ``await``, ``hash``,
``copy``...), ``repr``, and ``__class__``, so ``isinstance(request, Request)`` holds.
``type(proxy)`` is the only thing that tells it from the object; the proxy's class says what
it stands for (``RequestProxy``), and every one of them subclasses :class:`LocalProxy`.

Outside the context that binds it, a proxy is "unbound": ``bool()`` is False, ``repr()`` is
``<LocalProxy unbound>``, ``dir()`` is empty, ``__class__`` is the proxy's class and
``__wrapped__`` is what it reads from (the context variable); anything else raises
RuntimeError with a message naming the missing context.

Each proxy gets a class of its own holding the lookup in closures: attribute access, the
common case (``request.args``, ``g.user``), is then one Python call instead of Werkzeug's
descriptors, which matters for code that reads ``request`` and ``g`` in every hook.
"""

from __future__ import annotations

import copy
import math
import operator
import typing as t
from contextvars import ContextVar

#: Names a bound proxy answers itself instead of forwarding.
_OWN_NAMES = frozenset(
    {"_get_current_object", "__copy__", "__deepcopy__", "__reduce__", "__reduce_ex__"}
)
#: Names an unbound proxy still answers (everything else raises RuntimeError).
_UNBOUND_NAMES = _OWN_NAMES | {
    "__class__",
    "__doc__",
    "__wrapped__",
    "__repr__",
    "__bool__",
    "__dir__",
}

_UNBOUND_REPR = "<LocalProxy unbound>"


def _unbound_attribute(proxy: LocalProxy, name: str, error: RuntimeError) -> t.Any:
    """``proxy.name`` while the proxy stands for nothing."""
    if name in _UNBOUND_NAMES:
        return object.__getattribute__(proxy, name)
    raise error


def _forward_comparison(operation: t.Callable[[t.Any, t.Any], t.Any]) -> t.Any:
    """An unbound proxy compares as an object without comparisons: equal only to itself."""

    def forward(self: LocalProxy, other: t.Any) -> t.Any:
        try:
            target = type(self)._get_current_object()
        except RuntimeError:
            return NotImplemented
        return operation(target, other)

    return forward


def _forward_binary(operation: t.Callable[[t.Any, t.Any], t.Any]) -> t.Any:
    def forward(self: LocalProxy, other: t.Any) -> t.Any:
        return operation(type(self)._get_current_object(), other)

    return forward


def _forward_reflected(operation: t.Callable[[t.Any, t.Any], t.Any]) -> t.Any:
    def forward(self: LocalProxy, other: t.Any) -> t.Any:
        return operation(other, type(self)._get_current_object())

    return forward


def _forward_in_place(operation: t.Callable[[t.Any, t.Any], t.Any]) -> t.Any:
    """``proxy += x`` changes the object in place and leaves the name bound to the proxy."""

    def forward(self: LocalProxy, other: t.Any) -> LocalProxy:
        operation(type(self)._get_current_object(), other)
        return self

    return forward


class LocalProxy:
    """The base of every proxy: the forwarding operators, and what an unbound proxy answers.

    Subclasses set :meth:`_get_current_object`, which returns the object the proxy stands for
    or raises RuntimeError, and ``__wrapped__``, what it reads from. Use :func:`context_proxy`
    or :func:`function_proxy` rather than subclassing by hand.
    """

    __slots__ = ()

    #: The object this proxy stands for right now; raises RuntimeError when it is unbound.
    #: Pass this, not the proxy, to code that keeps the object past the current context
    #: (another thread, a signal receiver that stores its sender).
    _get_current_object: t.ClassVar[t.Callable[[], t.Any]]

    def __getattribute__(self, name: str) -> t.Any:
        try:
            target = type(self)._get_current_object()
        except RuntimeError as error:
            return _unbound_attribute(self, name, error)
        if name in _OWN_NAMES:
            return object.__getattribute__(self, name)
        return getattr(target, name)

    def __setattr__(self, name: str, value: t.Any) -> None:
        setattr(type(self)._get_current_object(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(type(self)._get_current_object(), name)

    def __dir__(self) -> list[str]:
        try:
            return dir(type(self)._get_current_object())
        except RuntimeError:
            return []

    def __repr__(self) -> str:
        try:
            return repr(type(self)._get_current_object())
        except RuntimeError:
            return _UNBOUND_REPR

    def __bool__(self) -> bool:
        try:
            return bool(type(self)._get_current_object())
        except RuntimeError:
            return False

    def __reduce_ex__(self, protocol: t.SupportsIndex) -> t.NoReturn:
        raise TypeError(
            f"cannot pickle a {type(self).__name__}, a proxy: pickle the object it stands"
            " for, proxy._get_current_object(), instead"
        )

    def __reduce__(self) -> t.NoReturn:
        self.__reduce_ex__(0)

    def __copy__(self) -> t.Any:
        return copy.copy(type(self)._get_current_object())

    def __deepcopy__(self, memo: dict[int, t.Any]) -> t.Any:
        return copy.deepcopy(type(self)._get_current_object(), memo)

    def __str__(self) -> str:
        return str(type(self)._get_current_object())

    def __bytes__(self) -> bytes:
        return bytes(type(self)._get_current_object())

    def __format__(self, format_spec: str) -> str:
        return format(type(self)._get_current_object(), format_spec)

    def __hash__(self) -> int:
        return hash(type(self)._get_current_object())

    __eq__ = _forward_comparison(operator.eq)
    __ne__ = _forward_comparison(operator.ne)
    __lt__ = _forward_comparison(operator.lt)
    __le__ = _forward_comparison(operator.le)
    __gt__ = _forward_comparison(operator.gt)
    __ge__ = _forward_comparison(operator.ge)

    def __call__(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        return type(self)._get_current_object()(*args, **kwargs)

    def __instancecheck__(self, instance: t.Any) -> bool:
        return isinstance(instance, type(self)._get_current_object())

    def __subclasscheck__(self, subclass: type) -> bool:
        return issubclass(subclass, type(self)._get_current_object())

    # -- containers and iteration ---------------------------------------------------------

    def __len__(self) -> int:
        return len(type(self)._get_current_object())

    def __length_hint__(self) -> int:
        # Reached only when the object has no __len__: length_hint() asks __len__ first.
        target = type(self)._get_current_object()
        hint = getattr(type(target), "__length_hint__", None)
        return NotImplemented if hint is None else hint(target)

    def __getitem__(self, key: t.Any) -> t.Any:
        return type(self)._get_current_object()[key]

    def __setitem__(self, key: t.Any, value: t.Any) -> None:
        type(self)._get_current_object()[key] = value

    def __delitem__(self, key: t.Any) -> None:
        del type(self)._get_current_object()[key]

    def __contains__(self, item: t.Any) -> bool:
        return item in type(self)._get_current_object()

    def __iter__(self) -> t.Any:
        return iter(type(self)._get_current_object())

    def __next__(self) -> t.Any:
        return next(type(self)._get_current_object())

    def __reversed__(self) -> t.Any:
        return reversed(type(self)._get_current_object())

    # -- context managers and coroutines: the object's own methods ------------------------

    def __enter__(self) -> t.Any:
        return type(self)._get_current_object().__enter__()

    def __exit__(self, *exc_info: t.Any) -> t.Any:
        return type(self)._get_current_object().__exit__(*exc_info)

    def __await__(self) -> t.Any:
        return type(self)._get_current_object().__await__()

    def __aiter__(self) -> t.Any:
        return type(self)._get_current_object().__aiter__()

    def __anext__(self) -> t.Any:
        return type(self)._get_current_object().__anext__()

    def __aenter__(self) -> t.Any:
        return type(self)._get_current_object().__aenter__()

    def __aexit__(self, *exc_info: t.Any) -> t.Any:
        return type(self)._get_current_object().__aexit__(*exc_info)

    # -- numbers --------------------------------------------------------------------------

    def __neg__(self) -> t.Any:
        return -type(self)._get_current_object()

    def __pos__(self) -> t.Any:
        return +type(self)._get_current_object()

    def __abs__(self) -> t.Any:
        return abs(type(self)._get_current_object())

    def __invert__(self) -> t.Any:
        return ~type(self)._get_current_object()

    def __complex__(self) -> complex:
        return complex(type(self)._get_current_object())

    def __int__(self) -> int:
        return int(type(self)._get_current_object())

    def __float__(self) -> float:
        return float(type(self)._get_current_object())

    def __index__(self) -> int:
        return operator.index(type(self)._get_current_object())

    def __round__(self, *ndigits: t.Any) -> t.Any:
        return round(type(self)._get_current_object(), *ndigits)

    def __trunc__(self) -> t.Any:
        return math.trunc(type(self)._get_current_object())

    def __floor__(self) -> t.Any:
        return math.floor(type(self)._get_current_object())

    def __ceil__(self) -> t.Any:
        return math.ceil(type(self)._get_current_object())

    def __pow__(self, other: t.Any, *modulo: t.Any) -> t.Any:
        return pow(type(self)._get_current_object(), other, *modulo)

    # -- binary operators: proxy OP x, x OP proxy, proxy OP= x -----------------------------

    __add__ = _forward_binary(operator.add)
    __sub__ = _forward_binary(operator.sub)
    __mul__ = _forward_binary(operator.mul)
    __matmul__ = _forward_binary(operator.matmul)
    __truediv__ = _forward_binary(operator.truediv)
    __floordiv__ = _forward_binary(operator.floordiv)
    __mod__ = _forward_binary(operator.mod)
    __lshift__ = _forward_binary(operator.lshift)
    __rshift__ = _forward_binary(operator.rshift)
    __and__ = _forward_binary(operator.and_)
    __xor__ = _forward_binary(operator.xor)
    __or__ = _forward_binary(operator.or_)
    __divmod__ = _forward_binary(divmod)
    __radd__ = _forward_reflected(operator.add)
    __rsub__ = _forward_reflected(operator.sub)
    __rmul__ = _forward_reflected(operator.mul)
    __rmatmul__ = _forward_reflected(operator.matmul)
    __rtruediv__ = _forward_reflected(operator.truediv)
    __rfloordiv__ = _forward_reflected(operator.floordiv)
    __rmod__ = _forward_reflected(operator.mod)
    __rlshift__ = _forward_reflected(operator.lshift)
    __rrshift__ = _forward_reflected(operator.rshift)
    __rand__ = _forward_reflected(operator.and_)
    __rxor__ = _forward_reflected(operator.xor)
    __ror__ = _forward_reflected(operator.or_)
    __rdivmod__ = _forward_reflected(divmod)
    __rpow__ = _forward_reflected(pow)
    __iadd__ = _forward_in_place(operator.iadd)
    __isub__ = _forward_in_place(operator.isub)
    __imul__ = _forward_in_place(operator.imul)
    __imatmul__ = _forward_in_place(operator.imatmul)
    __itruediv__ = _forward_in_place(operator.itruediv)
    __ifloordiv__ = _forward_in_place(operator.ifloordiv)
    __imod__ = _forward_in_place(operator.imod)
    __ipow__ = _forward_in_place(operator.ipow)
    __ilshift__ = _forward_in_place(operator.ilshift)
    __irshift__ = _forward_in_place(operator.irshift)
    __iand__ = _forward_in_place(operator.iand)
    __ixor__ = _forward_in_place(operator.ixor)
    __ior__ = _forward_in_place(operator.ior)


def function_proxy(class_name: str, function: t.Callable[[], t.Any], doc: str) -> t.Any:
    """A proxy for whatever ``function()`` returns each time it is used.

    ``function`` raises RuntimeError when there is nothing to stand for.
    """
    namespace = {
        "__slots__": (),
        "__doc__": doc,
        "__wrapped__": staticmethod(function),
        "_get_current_object": staticmethod(function),
    }
    return type(class_name, (LocalProxy,), namespace)()


def context_proxy(
    class_name: str,
    var: ContextVar[t.Any],
    attribute: str | None,
    unbound_message: str,
    doc: str,
) -> t.Any:
    """A proxy for the context in ``var`` (``attribute`` None) or for its ``attribute``.

    Outside the context, using it raises RuntimeError(``unbound_message``).
    """

    def _get_current_object() -> t.Any:
        try:
            context = var.get()
        except LookupError:
            raise RuntimeError(unbound_message) from None
        return context if attribute is None else getattr(context, attribute)

    # The same as LocalProxy's, with the lookup inlined: this is the hot path.
    def __getattribute__(self: LocalProxy, name: str) -> t.Any:
        try:
            context = var.get()
        except LookupError:
            return _unbound_attribute(self, name, RuntimeError(unbound_message))
        if name in _OWN_NAMES:
            return object.__getattribute__(self, name)
        return getattr(context if attribute is None else getattr(context, attribute), name)

    def __setattr__(self: LocalProxy, name: str, value: t.Any) -> None:
        try:
            context = var.get()
        except LookupError:
            raise RuntimeError(unbound_message) from None
        setattr(context if attribute is None else getattr(context, attribute), name, value)

    namespace = {
        "__slots__": (),
        "__doc__": doc,
        "__wrapped__": var,
        "_get_current_object": staticmethod(_get_current_object),
        "__getattribute__": __getattribute__,
        "__setattr__": __setattr__,
    }
    return type(class_name, (LocalProxy,), namespace)()
