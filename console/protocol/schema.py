"""Checking a decoded JSON object against a message's dataclass, field by field.

A line from a worker is untrusted: every field is checked against its type hint (strings,
numbers, literals, tuples, nested dataclasses, optional values) before a message is built,
and anything else raises :class:`ProtocolError` with the path of the field at fault.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Hashable
from typing import Any, Literal, Union


class ProtocolError(ValueError):
    """A line that is not a valid message; the message says what was wrong with it."""


def build(cls: type[Any], data: Any, where: str) -> Any:
    """An instance of the dataclass ``cls`` from the JSON object ``data``.

    Raises:
        ProtocolError: a field is missing, unknown or of the wrong type; ``where`` names
            the message in the error.
    """
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object, got {type(data).__name__}")
    hints = _field_types(typing.cast(Hashable, cls))
    known = {f.name: f for f in dataclasses.fields(cls)}
    unknown = set(data) - set(known)
    if unknown:
        raise ProtocolError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    values = {}
    for name, spec in known.items():
        if name in data:
            values[name] = _convert(hints[name], data[name], f"{where}.{name}")
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ProtocolError(f"{where}: missing field {name!r}")
    return cls(**values)


@functools.cache
def _field_types(cls: Hashable) -> dict[str, Any]:
    """A message class's field types, resolved once per class."""
    return typing.get_type_hints(cls)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin in (Union, types.UnionType):
        for option in args:
            try:
                return _convert(option, value, where)
            except ProtocolError:
                continue
        raise ProtocolError(f"{where}: unexpected value {_preview(value)}")
    if origin is Literal:
        if value in args:
            return value
        raise ProtocolError(f"{where}: {_preview(value)} is not one of {list(args)}")
    if hint is type(None):
        if value is None:
            return None
        raise ProtocolError(f"{where}: expected null")
    if origin is tuple:
        if not isinstance(value, list):
            raise ProtocolError(f"{where}: expected a list")
        return tuple(_convert(args[0], item, f"{where}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ProtocolError(f"{where}: expected an object")
        return {key: _convert(args[1], item, f"{where}.{key}") for key, item in value.items()}
    if dataclasses.is_dataclass(hint):
        return build(typing.cast(type[Any], hint), value, where)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ProtocolError(f"{where}: expected an integer, got {_preview(value)}")
    if hint in (str, bool, int) and isinstance(value, hint):
        return value
    raise ProtocolError(
        f"{where}: expected {getattr(hint, '__name__', hint)}, got {_preview(value)}"
    )


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = ["ProtocolError", "build"]
