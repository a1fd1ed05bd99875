"""Messages as JSON lines: ``{"v": 1, "type": "<kind>", ...fields}``, one per line.

Decoding never trusts the line: an unknown type, a missing or mistyped field, a line that is
not JSON or a newer protocol version raises :class:`ProtocolError` with a one-line reason,
so the reader can report it and carry on with the next line.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from console.protocol.messages import COMMAND_TYPES, EVENT_TYPES, Command, Event, Trace
from console.protocol.schema import ProtocolError, build
from console.protocol.trimming import trim_to_fit

PROTOCOL_VERSION = 1
#: A line longer than this is dropped (and reported) instead of being buffered without bound.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: A trace whose line would be longer than this is trimmed to fit (see trimming.py): a
#: console shows thousands of traces, and no single one needs more to be understood.
MAX_TRACE_BYTES = 1024 * 1024


def to_dict(message: Event | Command) -> dict[str, Any]:
    """The JSON object for a message, with the version and type tags."""
    body: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": message.TYPE}
    body.update(_plain(message))
    return body


def encode(message: Event | Command) -> bytes:
    """One JSON line (with its newline). Values JSON cannot hold are sent as their repr."""
    return _dumps(to_dict(message))


def encode_trace(app: str, trace: dict[str, Any], limit: int = MAX_TRACE_BYTES) -> bytes:
    """``encode(Trace(app, trace))``, trimmed to at most ``limit`` bytes, without the generic
    walk over the dataclass: the one message sent per request."""
    return trim_to_fit(
        trace,
        lambda fitted: _dumps(
            {"v": PROTOCOL_VERSION, "type": Trace.TYPE, "app": app, "trace": fitted}
        ),
        limit,
    )


def decode_event(line: bytes | str) -> Event:
    """Parse one event line.

    Raises:
        ProtocolError: the line is not a valid event of this protocol version.
    """
    return typing.cast(Event, _decode(line, EVENT_TYPES, "event"))


def decode_command(line: bytes | str) -> Command:
    """Parse one command line.

    Raises:
        ProtocolError: the line is not a valid command of this protocol version.
    """
    return typing.cast(Command, _decode(line, COMMAND_TYPES, "command"))


class LineSplitter:
    """Cuts a byte stream into lines, refusing to buffer a line past ``max_line`` bytes.

    ``feed`` yields complete lines; a line that grows too long yields a :class:`ProtocolError`
    in its place (once) and the rest of it is skipped up to the next newline.
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self._max_line = max_line
        self._buffer = bytearray()
        self._skipping = False

    def feed(self, chunk: bytes) -> Iterator[bytes | ProtocolError]:
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            if end < 0:
                break
            if self._skipping:
                self._skipping = False
            elif self._buffer:
                self._buffer += chunk[start:end]
                yield bytes(self._buffer)
            else:
                yield chunk[start:end]
            self._buffer.clear()
            start = end + 1
        if not self._skipping:
            self._buffer += chunk[start:]
            if len(self._buffer) > self._max_line:
                self._buffer.clear()
                self._skipping = True
                yield ProtocolError(f"line longer than {self._max_line} bytes skipped")


def _dumps(body: dict[str, Any]) -> bytes:
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=repr)
    except (TypeError, ValueError):  # e.g. a dict with tuple keys somewhere in a trace
        text = json.dumps(_json_safe(body), ensure_ascii=False, separators=(",", ":"), default=repr)
    return text.encode("utf-8", "backslashreplace") + b"\n"


def _plain(value: Any) -> Any:
    """Dataclasses to dicts; plain dicts are left to json, which walks them much faster."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_json_safe(item) for item in value]
    return value


def _decode(line: bytes | str, registry: Mapping[str, type[Any]], what: str) -> Any:
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        raise ProtocolError(f"not a JSON line: {error}") from None
    if not isinstance(data, dict):
        raise ProtocolError(f"expected a JSON object, got {type(data).__name__}")
    version = data.get("v")
    if version != PROTOCOL_VERSION:
        raise ProtocolError(
            f"unsupported protocol version {version!r} (this is {PROTOCOL_VERSION})"
        )
    kind = data.get("type")
    cls = registry.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ProtocolError(f"unknown {what} type {kind!r}")
    if cls is Trace and len(data) == 4:  # the one event per request: check it directly
        app, trace = data.get("app"), data.get("trace")
        if isinstance(app, str) and isinstance(trace, dict):
            return Trace(app, trace)
    fields = {key: value for key, value in data.items() if key not in ("v", "type")}
    return build(cls, fields, str(kind))


__all__ = [
    "MAX_LINE_BYTES",
    "MAX_TRACE_BYTES",
    "PROTOCOL_VERSION",
    "LineSplitter",
    "decode_command",
    "decode_event",
    "encode",
    "encode_trace",
    "to_dict",
]
