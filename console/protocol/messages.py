"""The messages: events (worker or supervisor -> console) and commands (supervisor -> worker).

Each message is a frozen dataclass with a ``TYPE`` tag. The registries :data:`EVENT_TYPES`
and :data:`COMMAND_TYPES` are derived from the subclasses of :class:`Event` and
:class:`Command`, so a new message is written once, here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from console.protocol.routes import RouteInfo

#: Seconds a retiring worker lets its in-flight requests run before it cuts them.
DEFAULT_GRACE = 10.0

# --- events -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """Something the console should know about one app (named by ``app``)."""

    TYPE: ClassVar[str]
    app: str


@dataclass(frozen=True)
class Spare(Event):
    """A warm worker has imported the framework and waits for a ``load`` command."""

    TYPE: ClassVar[str] = "spare"
    pid: int


@dataclass(frozen=True)
class Ready(Event):
    """The app loaded and the worker accepts requests on ``host:port``.

    ``watch_files`` are the app's own imported source files and the files it read while
    loading (config files: ``from_pyfile``, ``from_file``, a ``.env``); ``watch_dirs`` its
    template folders. They are what the supervisor watches to know when to reload; what the
    app writes (its instance folder, uploads, databases) is left out on purpose.
    """

    TYPE: ClassVar[str] = "ready"
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
class RoutesChanged(Event):
    """Sent by the supervisor after a reload whose url_map differs from the previous one."""

    TYPE: ClassVar[str] = "routes_changed"
    added: tuple[RouteInfo, ...]
    removed: tuple[RouteInfo, ...]
    changed: tuple[RouteInfo, ...]
    routes: tuple[RouteInfo, ...]


@dataclass(frozen=True)
class Trace(Event):
    """One request's trace, the framework's trace dict (see framework/tracing).

    A trace too large for one protocol line arrives trimmed: long strings and lists are cut
    with a marker saying how much was left out (see :mod:`console.protocol.trimming`).
    """

    TYPE: ClassVar[str] = "trace"
    trace: dict[str, Any]

    @property
    def request_id(self) -> str | None:
        value = self.trace.get("id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class TracesDropped(Event):
    """Traces the worker could not deliver because the console lagged behind."""

    TYPE: ClassVar[str] = "traces_dropped"
    dropped: int
    total: int


LogStream = Literal["stdout", "stderr", "logger", "hookscope"]


@dataclass(frozen=True)
class Log(Event):
    """A piece of the app's output: a line it printed, or a logging record with its level.

    ``stream`` is "hookscope" for notes the console adds itself (output that was cut short).
    """

    TYPE: ClassVar[str] = "log"
    stream: LogStream
    level: str
    message: str
    logger: str | None = None
    time: float = 0.0


@dataclass(frozen=True)
class LoadError(Event):
    """The app's code failed to load; the previous version (if any) keeps serving.

    ``watch_files`` are the files the failed load imported or read before it stopped, so an
    edit to the config file that broke it reloads the app too.
    """

    TYPE: ClassVar[str] = "load_error"
    exc_type: str
    message: str
    traceback: str = ""
    file: str | None = None
    line: int | None = None
    watch_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class InFlightRequest:
    """A request a retiring worker is still running: what it is, and where it is now.

    ``where`` is the innermost frame of the app's code the request's thread was in
    (``views.py:12 in slow``), when it was looked at.
    """

    method: str
    target: str
    request_id: str | None = None
    running_s: float = 0.0
    where: str = ""


@dataclass(frozen=True)
class Draining(Event):
    """The worker stopped accepting connections and is finishing the ones it has.

    ``in_flight`` are the requests it waits for, at most ``grace`` seconds; past that they
    are cut (:class:`RequestsCut`).
    """

    TYPE: ClassVar[str] = "draining"
    pid: int
    in_flight: tuple[InFlightRequest, ...] = ()
    grace: float = 0.0


@dataclass(frozen=True)
class RequestsCut(Event):
    """A retiring worker gave up waiting for these requests after ``grace`` seconds.

    Each one also arrives as a trace marked ``"cut": true``.
    """

    TYPE: ClassVar[str] = "requests_cut"
    pid: int
    requests: tuple[InFlightRequest, ...]
    grace: float


@dataclass(frozen=True)
class HandedOver(Event):
    """A kept-alive client connection, passed with this line (SCM_RIGHTS), for the next worker.

    A retiring worker gives its open connections away instead of closing them, so a client
    reusing its connection across a reload is served by the new code without noticing.
    The supervisor passes the connection on with :class:`Adopt`; listeners never see this.
    """

    TYPE: ClassVar[str] = "handed_over"
    pid: int


@dataclass(frozen=True)
class Stopping(Event):
    """The worker is leaving: it finished its in-flight requests (or gave up waiting)."""

    TYPE: ClassVar[str] = "stopping"
    pid: int
    reason: str


AppStateName = Literal["starting", "running", "reloading", "load_error", "crashed", "stopped"]


@dataclass(frozen=True)
class StateChanged(Event):
    """Sent by the supervisor whenever an app's state, serving worker or port changes."""

    TYPE: ClassVar[str] = "state"
    state: AppStateName
    port: int | None = None
    pid: int | None = None
    serving: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Unavailable(Event):
    """Sent by the supervisor when no version of the app can serve: until one can, its port
    answers every request at once with ``503 Service Unavailable`` and this ``reason``."""

    TYPE: ClassVar[str] = "unavailable"
    port: int
    reason: str


@dataclass(frozen=True)
class WorkerExited(Event):
    """Sent by the supervisor when a worker ended without being asked to."""

    TYPE: ClassVar[str] = "worker_exited"
    pid: int
    returncode: int
    description: str
    last_output: str = ""


@dataclass(frozen=True)
class ProtocolProblem(Event):
    """Sent by the supervisor for a line it could not decode; the stream goes on."""

    TYPE: ClassVar[str] = "protocol_problem"
    problem: str
    line_preview: str = ""


# --- commands ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """Something the supervisor asks of one worker."""

    TYPE: ClassVar[str]


@dataclass(frozen=True)
class Load(Command):
    """Load ``target``, say ``ready``, and serve on the listening socket sent with this line
    once ``serve`` arrives.

    ``mask_secrets`` hides cookie values and ``Authorization`` headers in traces and logs;
    ``title`` is what the worker calls itself in ``ps`` once loaded.

    The socket travels as SCM_RIGHTS ancillary data on the channel, so one warm worker can
    serve any app and the port never changes across reloads.
    """

    TYPE: ClassVar[str] = "load"
    app: str
    target: str
    tracing: bool = True
    trace_queue_size: int = 2_000
    mask_secrets: bool = False
    title: str = ""


@dataclass(frozen=True)
class Serve(Command):
    """Start accepting connections (sent once the previous worker stopped accepting).

    A loaded worker waits for this, so the switch to new code is clean: no request is
    answered by the old code after the first one answered by the new code.
    """

    TYPE: ClassVar[str] = "serve"


@dataclass(frozen=True)
class Adopt(Command):
    """Serve the client connection passed with this line (SCM_RIGHTS), handed over by the
    previous worker; sent only after ``serve``."""

    TYPE: ClassVar[str] = "adopt"


@dataclass(frozen=True)
class Shutdown(Command):
    """Stop accepting, finish in-flight requests for at most ``grace`` seconds, then exit.

    Kept-alive connections are handed over (:class:`HandedOver`) when ``hand_off`` is set
    (a successor will serve them), and closed between two requests otherwise.
    """

    TYPE: ClassVar[str] = "shutdown"
    grace: float = DEFAULT_GRACE
    hand_off: bool = False


def _registry(base: type[Any]) -> MappingProxyType[str, type[Any]]:
    return MappingProxyType({cls.TYPE: cls for cls in base.__subclasses__()})


#: Every event class by its ``TYPE`` tag.
EVENT_TYPES = _registry(Event)
#: Every command class by its ``TYPE`` tag.
COMMAND_TYPES = _registry(Command)

__all__ = [
    "COMMAND_TYPES",
    "DEFAULT_GRACE",
    "EVENT_TYPES",
    "Adopt",
    "AppStateName",
    "Command",
    "Draining",
    "Event",
    "HandedOver",
    "InFlightRequest",
    "Load",
    "LoadError",
    "Log",
    "LogStream",
    "ProtocolProblem",
    "Ready",
    "RequestsCut",
    "RoutesChanged",
    "Serve",
    "Shutdown",
    "Spare",
    "StateChanged",
    "Stopping",
    "Trace",
    "TracesDropped",
    "Unavailable",
    "WorkerExited",
]
