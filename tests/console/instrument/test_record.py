"""How an instrumented app's steps are named: after the decorators that wrap them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from console.instrument.record import DecoratorAwareTracerRegistry, decorators_of


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def decorated_view(**kwargs: Any) -> Any:
        return view(**kwargs)

    return decorated_view


def cached(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def from_cache(**kwargs: Any) -> Any:
        return view(**kwargs)

    return from_cache


@login_required
@cached
def private() -> str:
    return "private"


def public() -> str:
    return "public"


def test_a_decorated_view_is_named_after_its_decorators_outermost_first() -> None:
    assert decorators_of(private) == ["login_required", "cached"]
    name, file, line = DecoratorAwareTracerRegistry().source_of(private)
    assert name == "login_required(cached(private))"
    assert (file, line) == (__file__, private.__wrapped__.__wrapped__.__code__.co_firstlineno)


def test_a_plain_function_keeps_its_name() -> None:
    assert decorators_of(public) == []
    assert DecoratorAwareTracerRegistry().source_of(public)[0] == "public"


def test_a_wrapper_without_code_of_its_own_adds_no_name() -> None:
    memoised = functools.lru_cache(maxsize=None)(public)

    assert decorators_of(memoised) == []
