"""The messages between a worker process and the supervisor, and their JSON-lines encoding.

One definition shared by the worker, the supervisor, the TUI, ``hookscope watch --json`` and
the tests. It imports only the standard library so that any of them (and any outside tool
reading ``--json`` output) can use it without pulling in the framework.

Every message is one JSON object on one line: ``{"v": 1, "type": "<kind>", ...fields}``.
Decoding never trusts the line: an unknown type, a missing or mistyped field, a line that is
not JSON or a newer protocol version raises :class:`ProtocolError` with a one-line reason, so
the reader can report it and carry on with the next line.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Union

PROTOCOL_VERSION = 1
#: A line longer than this is dropped (and reported) instead of being buffered without bound.
MAX_LINE_BYTES = 16 * 1024 * 1024


class ProtocolError(ValueError):
    """A line that is not a valid message; the message says what was wrong with it."""


# --- url_map description ---------------------------------------------------------------


@dataclass(frozen=True)
class ConverterInfo:
    """One ``<converter(arguments):name>`` part of a rule."""

    name: str
    converter: str
    arguments: str = ""
    regex: str = ""


@dataclass(frozen=True)
class RouteInfo:
    """One rule of an app's url_map, as the route inspector shows it.

    ``redirect_to`` is the rule's target string, or the ``repr`` of a callable target.
    ``defaults`` values are JSON values when they can be, their ``repr`` otherwise.
    """

    rule: str
    endpoint: str
    methods: tuple[str, ...]
    converters: tuple[ConverterInfo, ...] = ()
    defaults: dict[str, Any] | None = None
    strict_slashes: bool = True
    redirect_to: str | None = None
    subdomain: str | None = None
    host: str | None = None
    blueprint: str | None = None
    view: str | None = None
    file: str | None = None
    line: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What identifies "the same route" across two versions of an app."""
        return (self.rule, self.endpoint)


@dataclass(frozen=True)
class RouteDiff:
    """What a reload did to the url_map."""

    added: tuple[RouteInfo, ...] = ()
    removed: tuple[RouteInfo, ...] = ()
    changed: tuple[RouteInfo, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def diff_routes(before: tuple[RouteInfo, ...], after: tuple[RouteInfo, ...]) -> RouteDiff:
    """Compare two url_maps by (rule, endpoint); a route whose other details differ is changed.

    A view that only moved to another line counts as changed, so the user sees that the
    route's code was touched.
    """
    old = {route.key: route for route in before}
    new = {route.key: route for route in after}
    return RouteDiff(
        added=tuple(route for key, route in new.items() if key not in old),
        removed=tuple(route for key, route in old.items() if key not in new),
        changed=tuple(route for key, route in new.items() if key in old and old[key] != route),
    )


# --- events: worker (or supervisor) -> console -------------------------------------------


@dataclass(frozen=True)
class Spare:
    """A warm worker has imported the framework and waits for a ``load`` command."""

    TYPE: ClassVar[str] = "spare"
    app: str
    pid: int


@dataclass(frozen=True)
class Ready:
    """The app loaded and the worker accepts requests on ``host:port``.

    ``watch_files`` are the app's own imported source files and ``watch_dirs`` its template,
    static and instance folders: what the supervisor watches to know when to reload.
    """

    TYPE: ClassVar[str] = "ready"
    app: str
    pid: int
    host: str
    port: int
    app_name: str
    import_name: str
    root_path: str
    routes: tuple[RouteInfo, ...]
    watch_files: tuple[str, ...] = ()
    watch_dirs: tuple[str, ...] = ()
    tracing: bool = False


@dataclass(frozen=True)
class RoutesChanged:
    """Sent by the supervisor after a reload whose url_map differs from the previous one."""

    TYPE: ClassVar[str] = "routes_changed"
    app: str
    added: tuple[RouteInfo, ...]
    removed: tuple[RouteInfo, ...]
    changed: tuple[RouteInfo, ...]
    routes: tuple[RouteInfo, ...]


@dataclass(frozen=True)
class Trace:
    """One request's trace, the framework's trace dict unchanged (see framework/tracing.py)."""

    TYPE: ClassVar[str] = "trace"
    app: str
    trace: dict[str, Any]

    @property
    def request_id(self) -> str | None:
        value = self.trace.get("id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class TracesDropped:
    """Traces the worker could not deliver because the console lagged behind."""

    TYPE: ClassVar[str] = "traces_dropped"
    app: str
    dropped: int
    total: int


LogStream = Literal["stdout", "stderr", "logger", "hookscope"]


@dataclass(frozen=True)
class Log:
    """A piece of the app's output: a line it printed, or a logging record with its level.

    ``stream`` is "hookscope" for notes the console adds itself (output that was cut short).
    """

    TYPE: ClassVar[str] = "log"
    app: str
    stream: LogStream
    level: str
    message: str
    logger: str | None = None
    time: float = 0.0


@dataclass(frozen=True)
class LoadError:
    """The app's code failed to load; the previous version (if any) keeps serving."""

    TYPE: ClassVar[str] = "load_error"
    app: str
    exc_type: str
    message: str
    traceback: str = ""
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Draining:
    """The worker stopped accepting connections and is finishing the ones it has."""

    TYPE: ClassVar[str] = "draining"
    app: str
    pid: int


@dataclass(frozen=True)
class HandedOver:
    """A kept-alive client connection, passed with this line (SCM_RIGHTS), for the next worker.

    A retiring worker gives its open connections away instead of closing them, so a client
    reusing its connection across a reload is served by the new code without noticing.
    The supervisor passes the connection on with :class:`Adopt`; listeners never see this.
    """

    TYPE: ClassVar[str] = "handed_over"
    app: str
    pid: int


@dataclass(frozen=True)
class Stopping:
    """The worker is leaving: it finished its in-flight requests (or gave up waiting)."""

    TYPE: ClassVar[str] = "stopping"
    app: str
    pid: int
    reason: str


AppStateName = Literal["starting", "running", "reloading", "load_error", "crashed", "stopped"]


@dataclass(frozen=True)
class StateChanged:
    """Sent by the supervisor whenever an app's state, serving worker or port changes."""

    TYPE: ClassVar[str] = "state"
    app: str
    state: AppStateName
    port: int | None = None
    pid: int | None = None
    serving: bool = False
    detail: str = ""


@dataclass(frozen=True)
class WorkerExited:
    """Sent by the supervisor when a worker ended without being asked to."""

    TYPE: ClassVar[str] = "worker_exited"
    app: str
    pid: int
    returncode: int
    description: str
    last_output: str = ""


@dataclass(frozen=True)
class ProtocolProblem:
    """Sent by the supervisor for a line it could not decode; the stream goes on."""

    TYPE: ClassVar[str] = "protocol_problem"
    app: str
    problem: str
    line_preview: str = ""


Event = (
    Spare
    | Ready
    | RoutesChanged
    | Trace
    | TracesDropped
    | Log
    | LoadError
    | Draining
    | HandedOver
    | Stopping
    | StateChanged
    | WorkerExited
    | ProtocolProblem
)

# --- commands: supervisor -> worker -------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """Load ``target``, say ``ready``, and serve on the listening socket sent with this line
    once ``serve`` arrives.

    ``mask_secrets`` hides cookie values and ``Authorization`` headers in traces and logs.

    The socket travels as SCM_RIGHTS ancillary data on the channel, so one warm worker can
    serve any app and the port never changes across reloads.
    """

    TYPE: ClassVar[str] = "load"
    app: str
    target: str
    tracing: bool = True
    trace_queue_size: int = 2_000
    mask_secrets: bool = False


@dataclass(frozen=True)
class Serve:
    """Start accepting connections (sent once the previous worker stopped accepting).

    A loaded worker waits for this, so the switch to new code is clean: no request is
    answered by the old code after the first one answered by the new code.
    """

    TYPE: ClassVar[str] = "serve"


@dataclass(frozen=True)
class Adopt:
    """Serve the client connection passed with this line (SCM_RIGHTS), handed over by the
    previous worker; sent only after ``serve``."""

    TYPE: ClassVar[str] = "adopt"


@dataclass(frozen=True)
class Shutdown:
    """Stop accepting, finish in-flight requests for at most ``grace`` seconds, then exit.

    Kept-alive connections are handed over (:class:`HandedOver`) when ``hand_off`` is set
    (a successor will serve them), and closed between two requests otherwise.
    """

    TYPE: ClassVar[str] = "shutdown"
    grace: float = 5.0
    hand_off: bool = False


Command = Load | Serve | Adopt | Shutdown

EVENT_TYPES: dict[str, type[Any]] = {
    cls.TYPE: cls
    for cls in (
        Spare,
        Ready,
        RoutesChanged,
        Trace,
        TracesDropped,
        Log,
        LoadError,
        Draining,
        HandedOver,
        Stopping,
        StateChanged,
        WorkerExited,
        ProtocolProblem,
    )
}
COMMAND_TYPES: dict[str, type[Any]] = {cls.TYPE: cls for cls in (Load, Serve, Adopt, Shutdown)}
_FIELD_TYPES: dict[type[Any], dict[str, Any]] = {
    cls: typing.get_type_hints(cls)
    for cls in (ConverterInfo, RouteInfo, *EVENT_TYPES.values(), *COMMAND_TYPES.values())
}


# --- secrets -------------------------------------------------------------------------------

SECRET_MASK = "••••••"
_SECRET_IN_TEXT = re.compile(
    r"(?i)((?<![a-z])(?:proxy-)?authorization|(?<![a-z])(?:set-)?cookie)"
    r"(\s*[:=]\s*['\"]?|['\"]\s*[:,]\s*['\"])"
    r"([^'\"\r\n]+)"
)


def mask_secrets_in_text(text: str) -> str:
    """Hide what follows ``Authorization:`` or ``Cookie:`` (and their ``repr`` forms) in text.

    The framework masks the headers of a trace itself; this covers the app's own output and
    log lines, where a header may show up printed (``print(request.headers)``) or in a repr
    (``{'Authorization': '...'}``, ``('Cookie', '...')``, ``HTTP_COOKIE='...'``).
    """
    return _SECRET_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + SECRET_MASK, text)


# --- encoding ------------------------------------------------------------------------------


def to_dict(message: Event | Command) -> dict[str, Any]:
    """The JSON object for a message, with the version and type tags."""
    body: dict[str, Any] = {"v": PROTOCOL_VERSION, "type": message.TYPE}
    body.update(_plain(message))
    return body


def encode(message: Event | Command) -> bytes:
    """One JSON line (with its newline). Values JSON cannot hold are sent as their repr."""
    body = to_dict(message)
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=repr)
    except (TypeError, ValueError):  # e.g. a dict with tuple keys somewhere in a trace
        text = json.dumps(_json_safe(body), ensure_ascii=False, separators=(",", ":"), default=repr)
    return text.encode("utf-8", "backslashreplace") + b"\n"


def encode_trace(app: str, trace: dict[str, Any]) -> bytes:
    """``encode(Trace(app, trace))``, without the generic walk over the dataclass: the one
    message sent per request."""
    body = {"v": PROTOCOL_VERSION, "type": Trace.TYPE, "app": app, "trace": trace}
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=repr)
    except (TypeError, ValueError):
        text = json.dumps(_json_safe(body), ensure_ascii=False, separators=(",", ":"), default=repr)
    return text.encode("utf-8", "backslashreplace") + b"\n"


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


def _decode(line: bytes | str, registry: dict[str, type[Any]], what: str) -> Any:
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
    return _build(cls, fields, str(kind))


def _build(cls: type[Any], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ProtocolError(f"{where}: expected an object, got {type(data).__name__}")
    hints = _FIELD_TYPES[cls]
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
        return _build(typing.cast(type[Any], hint), value, where)
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


__all__ = [
    "COMMAND_TYPES",
    "EVENT_TYPES",
    "MAX_LINE_BYTES",
    "PROTOCOL_VERSION",
    "SECRET_MASK",
    "Adopt",
    "AppStateName",
    "Command",
    "ConverterInfo",
    "Draining",
    "Event",
    "HandedOver",
    "LineSplitter",
    "Load",
    "LoadError",
    "Log",
    "LogStream",
    "ProtocolError",
    "ProtocolProblem",
    "Ready",
    "RouteDiff",
    "RouteInfo",
    "RoutesChanged",
    "Serve",
    "Shutdown",
    "Spare",
    "StateChanged",
    "Stopping",
    "Trace",
    "TracesDropped",
    "WorkerExited",
    "decode_command",
    "decode_event",
    "diff_routes",
    "encode",
    "encode_trace",
    "mask_secrets_in_text",
    "to_dict",
]
