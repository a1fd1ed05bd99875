"""A proxy does whatever the object it stands for does, and what Werkzeug's LocalProxy does.

Every operation in OPERATIONS runs on a copy of a value and, through a framework proxy, on
another copy: the outcomes (result or exception, and the value afterwards) must be equal.
Where a proxy cannot be its object -- augmented assignment keeps the name bound to the
proxy, an unbound proxy has no object -- it must do what Werkzeug's ``LocalProxy`` (what
Flask's globals are) does, reading the same context variable.
"""

from __future__ import annotations

import asyncio
import copy
import math
import operator
import pickle
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.local import LocalProxy as WerkzeugLocalProxy

from framework.proxies import LocalProxy, context_proxy, function_proxy

UNBOUND = "no value is bound"
current_value: ContextVar[Any] = ContextVar("current_value")
value_proxy = context_proxy("ValueProxy", current_value, None, UNBOUND, "Stands for a value.")
werkzeug_proxy = WerkzeugLocalProxy(current_value, unbound_message=UNBOUND)


def _augmented(operation: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(target: Any, other: Any) -> Any:
        target = operation(target, other)
        return target

    return apply


def _set_item(target: Any, key: Any) -> None:
    target[key] = "set"


def _del_item(target: Any, key: Any) -> None:
    del target[key]


OPERATIONS: dict[str, Callable[[Any, Any], Any]] = {
    "repr": lambda x, o: repr(x),
    "str": lambda x, o: str(x),
    "bytes": lambda x, o: bytes(x),
    "format": lambda x, o: format(x, ""),
    "format spec": lambda x, o: f"{x:>20}",
    "hash": lambda x, o: hash(x),
    "bool": lambda x, o: bool(x),
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "== reflected": lambda x, o: o == x,
    "< reflected": lambda x, o: o < x,
    "len": lambda x, o: len(x),
    "length_hint": lambda x, o: operator.length_hint(x, -1),
    "iter": lambda x, o: list(iter(x)),
    "reversed": lambda x, o: list(reversed(x)),
    "in": lambda x, o: o in x,
    "getitem": lambda x, o: x[o],
    "getitem slice": lambda x, o: x[1:],
    "setitem": _set_item,
    "delitem": _del_item,
    "next": lambda x, o: next(x),
    "call": lambda x, o: x(o),
    "attribute": lambda x, o: x.real,
    "method": lambda x, o: x.count(o),
    "hasattr": lambda x, o: hasattr(x, "append"),
    "setattr": lambda x, o: setattr(x, "attribute", o),
    "delattr": lambda x, o: delattr(x, "attribute"),
    "dir": lambda x, o: dir(x),
    "__class__": lambda x, o: x.__class__,
    "isinstance": lambda x, o: isinstance(x, type(o)),
    "isinstance of": lambda x, o: isinstance(o, x),
    "issubclass of": lambda x, o: issubclass(type(o), x),
    "copy": lambda x, o: copy.copy(x),
    "deepcopy": lambda x, o: copy.deepcopy(x),
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": abs,
    "invert": operator.invert,
    "complex": lambda x, o: complex(x),
    "int": lambda x, o: int(x),
    "float": lambda x, o: float(x),
    "index": lambda x, o: operator.index(x),
    "round": lambda x, o: round(x),
    "round digits": lambda x, o: round(x, 1),
    "trunc": lambda x, o: math.trunc(x),
    "floor": lambda x, o: math.floor(x),
    "ceil": lambda x, o: math.ceil(x),
    "pow modulo": lambda x, o: pow(x, o, 7),
    "divmod": divmod,
    "rdivmod": lambda x, o: divmod(o, x),
}
for _symbol, _operation in {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "@": operator.matmul,
    "/": operator.truediv,
    "//": operator.floordiv,
    "%": operator.mod,
    "**": pow,
    "<<": operator.lshift,
    ">>": operator.rshift,
    "&": operator.and_,
    "^": operator.xor,
    "|": operator.or_,
}.items():
    OPERATIONS[_symbol] = _operation
    OPERATIONS[f"{_symbol} reflected"] = lambda x, o, _operation=_operation: _operation(o, x)
for _symbol, _operation in {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "@=": operator.imatmul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "^=": operator.ixor,
    "|=": operator.ior,
}.items():
    OPERATIONS[_symbol] = _augmented(_operation)
AUGMENTED = {
    name for name in OPERATIONS if name.endswith("=") and name not in {"==", "!=", "<=", ">="}
}


class Namespace:
    """An object with attributes to set and delete, and no dunders of its own."""

    def __init__(self, attribute: Any) -> None:
        self.attribute = attribute

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Namespace) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"Namespace({vars(self)})"

    __hash__ = None  # type: ignore[assignment]


class Countdown:
    """An iterator with a length hint, a stable repr, and no length."""

    def __init__(self, start: int) -> None:
        self.left = start

    def __iter__(self) -> Countdown:
        return self

    def __next__(self) -> int:
        if self.left <= 0:
            raise StopIteration
        self.left -= 1
        return self.left

    def __length_hint__(self) -> int:
        return max(self.left, 0)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Countdown) and self.left == other.left

    def __repr__(self) -> str:
        return f"Countdown({self.left})"

    __hash__ = None  # type: ignore[assignment]


small_integers = st.integers(min_value=-300, max_value=300)
scalars = st.one_of(
    st.booleans(),
    small_integers,
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.text(max_size=5),
    st.binary(max_size=5),
)
values = st.one_of(
    scalars,
    st.lists(small_integers, max_size=4),
    st.tuples(small_integers, small_integers),
    st.dictionaries(st.text(max_size=2), small_integers, max_size=3),
    st.frozensets(small_integers, max_size=3),
    st.sets(small_integers, max_size=3),
    st.builds(Namespace, small_integers),
    st.sampled_from([int, str, list, dict, Exception, ValueError]),
    st.builds(Countdown, st.integers(min_value=0, max_value=3)),
)


def outcome(operation: Callable[[Any, Any], Any], target: Any, other: Any) -> tuple[Any, ...]:
    """What ``operation`` did: its result or exception type, and the target afterwards."""
    try:
        result = operation(target, other)
    except Exception as error:
        return ("raised", type(error), comparable(target))
    return ("returned", comparable(result), comparable(target))


def comparable(value: Any) -> Any:
    """``value``, or what it stands for if it is a proxy."""
    if issubclass(type(value), WerkzeugLocalProxy | LocalProxy):
        return ("proxy of", comparable(value._get_current_object()))
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, BaseException):  # exceptions compare by identity
        return (type(value), value.args)
    return value


def through(proxy: Any, value: Any, operation: Callable[[Any, Any], Any], other: Any) -> Any:
    token = current_value.set(value)
    try:
        return outcome(lambda _, o: operation(proxy, o), value, other)
    finally:
        current_value.reset(token)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@settings(max_examples=60, deadline=None, database=None)
@given(value=values, other=values)
def test_a_proxy_does_what_its_object_does(name: str, value: Any, other: Any) -> None:
    operation = OPERATIONS[name]
    mine = through(value_proxy, copy.deepcopy(value), operation, copy.deepcopy(other))
    if name in AUGMENTED:
        werkzeugs = through(werkzeug_proxy, copy.deepcopy(value), operation, copy.deepcopy(other))
        assert mine == werkzeugs
    elif not is_string_formatting(name, other):
        assert mine == outcome(operation, copy.deepcopy(value), copy.deepcopy(other))


def is_string_formatting(name: str, other: Any) -> bool:
    """``"text" % proxy``: any proxy has ``__getitem__``, so ``%`` takes it for a mapping."""
    return name == "% reflected" and isinstance(other, str | bytes)


#: Where an unbound LocalProxy raises a TypeError that CPython makes up when the special
#: method cannot be looked up ("unhashable type", "not iterable"), the framework's proxy
#: raises the RuntimeError that names the missing context.
SAYS_WHAT_IS_MISSING = {"hash", "iter"}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_an_unbound_proxy_fails_or_falls_back_as_local_proxy_does(name: str) -> None:
    operation = OPERATIONS[name]
    mine = outcome(lambda _, o: operation(value_proxy, o), None, 1)
    werkzeugs = outcome(lambda _, o: operation(werkzeug_proxy, o), None, 1)
    if name == "__class__":
        assert mine == ("returned", type(value_proxy), None)
        assert werkzeugs == ("returned", WerkzeugLocalProxy, None)
    elif name in SAYS_WHAT_IS_MISSING:
        assert mine == ("raised", RuntimeError, None)
        assert werkzeugs == ("raised", TypeError, None)
    else:
        assert mine == werkzeugs


def test_an_unbound_proxy_says_so() -> None:
    assert repr(value_proxy) == "<LocalProxy unbound>"
    assert not value_proxy
    assert dir(value_proxy) == []
    with pytest.raises(RuntimeError, match=UNBOUND):
        value_proxy.anything  # noqa: B018
    with pytest.raises(RuntimeError, match=UNBOUND):
        value_proxy._get_current_object()
    assert value_proxy.__wrapped__ is current_value
    assert value_proxy.__doc__ == "Stands for a value."
    assert value_proxy.__class__ is type(value_proxy)
    assert isinstance(value_proxy, LocalProxy)
    assert not isinstance(value_proxy, int)


def test_a_bound_proxy_looks_like_its_object_but_its_type_says_what_it_is() -> None:
    token = current_value.set(42)
    try:
        assert type(value_proxy).__name__ == "ValueProxy"
        assert issubclass(type(value_proxy), LocalProxy)
        assert isinstance(value_proxy, int)
        assert value_proxy.__class__ is int
        assert value_proxy.__doc__ == int.__doc__
        assert value_proxy._get_current_object() == 42
        assert type(value_proxy._get_current_object()) is int
        assert {value_proxy: "found"}[42] == "found"
    finally:
        current_value.reset(token)


def test_wrapped_is_the_objects_own_when_bound() -> None:
    def decorated() -> None: ...

    decorated.__wrapped__ = print  # type: ignore[attr-defined]
    token = current_value.set(decorated)
    try:
        assert value_proxy.__wrapped__ is print
        current_value.set(42)
        with pytest.raises(AttributeError):
            value_proxy.__wrapped__  # noqa: B018
    finally:
        current_value.reset(token)


def test_the_proxy_answers_get_current_object_even_when_its_object_has_one() -> None:
    token = current_value.set(werkzeug_proxy)
    try:
        assert value_proxy._get_current_object() is werkzeug_proxy
    finally:
        current_value.reset(token)


class Resource:
    """A context manager, an awaitable, an async iterator and an async context manager."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __enter__(self) -> str:
        self.events.append("enter")
        return "entered"

    def __exit__(self, *exc_info: Any) -> bool:
        self.events.append(f"exit {exc_info[0].__name__ if exc_info[0] else None}")
        return True  # swallows the exception

    def __await__(self) -> Iterator[None]:
        self.events.append("await")
        yield from asyncio.sleep(0).__await__()

    def __aiter__(self) -> Resource:
        self.events.append("aiter")
        self.left = 2
        return self

    async def __anext__(self) -> int:
        if not self.left:
            raise StopAsyncIteration
        self.left -= 1
        return self.left

    async def __aenter__(self) -> str:
        self.events.append("aenter")
        return "async entered"

    async def __aexit__(self, *exc_info: Any) -> None:
        self.events.append("aexit")


def test_with_await_async_for_and_async_with_reach_the_object() -> None:
    resource = Resource()
    token = current_value.set(resource)
    try:
        with value_proxy as entered:
            assert entered == "entered"
            raise ValueError("swallowed by __exit__")

        async def use() -> list[int]:
            await value_proxy
            async with value_proxy as async_entered:
                assert async_entered == "async entered"
            return [item async for item in value_proxy]

        assert asyncio.run(use()) == [1, 0]
    finally:
        current_value.reset(token)
    assert resource.events == ["enter", "exit ValueError", "await", "aenter", "aexit", "aiter"]


def test_augmented_assignment_changes_the_object_and_keeps_the_proxy() -> None:
    items = [1]
    token = current_value.set(items)
    try:
        proxy = value_proxy
        proxy += [2]
        assert proxy is value_proxy
        assert items == [1, 2]
    finally:
        current_value.reset(token)


def test_pickling_a_proxy_fails_with_a_message_that_says_what_to_pickle() -> None:
    token = current_value.set({"user": "admin"})
    try:
        with pytest.raises(TypeError, match=r"_get_current_object\(\)"):
            pickle.dumps(value_proxy)
        assert pickle.loads(pickle.dumps(value_proxy._get_current_object())) == {"user": "admin"}
    finally:
        current_value.reset(token)
    with pytest.raises(TypeError, match="cannot pickle a ValueProxy"):
        pickle.dumps(value_proxy)


def test_copies_are_copies_of_the_object() -> None:
    inner = [1]
    token = current_value.set({"list": inner})
    try:
        shallow = copy.copy(value_proxy)
        deep = copy.deepcopy(value_proxy)
    finally:
        current_value.reset(token)
    assert type(shallow) is dict and shallow["list"] is inner
    assert type(deep) is dict and deep["list"] == [1] and deep["list"] is not inner


def test_a_function_proxy_stands_for_what_the_function_returns() -> None:
    answers = iter(["first", "second"])
    proxy = function_proxy("AnswerProxy", lambda: next(answers), "Stands for the next answer.")
    assert proxy.upper() == "FIRST"
    assert proxy == "second"
    assert type(proxy).__name__ == "AnswerProxy"


def test_a_function_proxy_is_unbound_while_its_function_raises_runtime_error() -> None:
    def nothing() -> Any:
        raise RuntimeError("nothing to stand for")

    proxy = function_proxy("NothingProxy", nothing, "Stands for nothing.")
    assert repr(proxy) == "<LocalProxy unbound>"
    assert not proxy
    assert proxy.__wrapped__ is nothing
    with pytest.raises(RuntimeError, match="nothing to stand for"):
        proxy.attribute  # noqa: B018
