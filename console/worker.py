"""The worker process: ``python -m console.worker --channel-fd N``.

A worker starts warm — it imports the framework and Werkzeug, says ``spare`` and waits — so
that when the supervisor sends ``load`` only the app's own code is left to import. It then
serves the app with its HTTP server (console/worker_http) on the listening socket that came
with the ``load`` command (bound by the supervisor on 127.0.0.1, so the port survives
reloads) and streams events back over the channel, a socket only the supervisor holds the
other end of.

Rules it keeps:

* Tracing never blocks a request: traces go into a bounded outbox that a sender thread
  drains; when the supervisor lags, traces are dropped and the count is reported.
* When the channel closes (the supervisor died, even by SIGKILL) the worker is gone within
  two seconds, whatever the app is doing.
* ``shutdown`` drains: stop accepting, let in-flight requests finish, then exit. Connections
  are kept alive between requests (HTTP/1.1, see console/worker_http.py); on a reload the
  retiring worker hands them over to its successor through the supervisor, otherwise it
  closes them between two requests, so none holds on to an old worker.
* The app's ``print`` output reaches the supervisor through the worker's stdout/stderr pipes
  (read there, so output survives a crash); logging records come here with their level.
"""

from __future__ import annotations

import argparse
import collections
import inspect
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from console.protocol import (
    Adopt,
    ConverterInfo,
    Draining,
    Event,
    HandedOver,
    LineSplitter,
    Load,
    LoadError,
    Log,
    ProtocolError,
    Ready,
    RouteInfo,
    Serve,
    Shutdown,
    Spare,
    Stopping,
    TracesDropped,
    decode_command,
    encode,
    encode_trace,
    mask_secrets_in_text,
)

HOST = "127.0.0.1"
#: How long a worker whose channel closed may take to finish in-flight requests.
ORPHAN_GRACE = 1.0
#: A worker whose channel closed is gone after this, even if the app hangs.
ORPHAN_DEADLINE = 1.5
LOG_OUTBOX_SIZE = 2_000
#: A log record longer than this is cut (a traceback fits; a 50 MB dump does not).
MAX_LOG_CHARS = 65_536
_CONVERTER_PART = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
Item = TypeVar("Item")
_HOOKSCOPE_PACKAGES = tuple(
    str(Path(__file__).resolve().parent.parent / name) + os.sep for name in ("console", "framework")
)


# --- outbox and sender ---------------------------------------------------------------------


class BoundedOutbox(Generic[Item]):
    """A queue that refuses (and counts) items past its capacity instead of blocking."""

    def __init__(self, capacity: int) -> None:
        self._items: collections.deque[Item] = collections.deque()
        self._capacity = capacity
        self.dropped = 0

    def __bool__(self) -> bool:
        return bool(self._items)

    def offer(self, item: Item) -> bool:
        if len(self._items) >= self._capacity:
            self.dropped += 1
            return False
        self._items.append(item)
        return True

    def take(self, limit: int) -> list[Item]:
        items = self._items
        if len(items) <= limit:
            batch = list(items)
            items.clear()
            return batch
        return [items.popleft() for _ in range(limit)]


class EventSender:
    """Owns the channel's sending side; every event leaves through its thread.

    Control events (ready, load errors, stopping) are never dropped; traces and log records
    are, when their outbox is full, and each drop is counted and reported.

    A request pays only for queueing its trace record: the sender thread turns records
    into plain data and JSON (``TraceRecord.to_dict``, see framework/tracing), so a trace
    that is dropped is never built at all, and it wakes the sender only when it sleeps.
    """

    BATCH = 256

    def __init__(self, channel: socket.socket, on_broken: Callable[[], None]) -> None:
        self._channel = channel
        self._on_broken = on_broken
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._drained = threading.Condition(self._lock)
        self._sleeping = False
        self._sending = False
        self._broken = False
        self._control: collections.deque[Event] = collections.deque()
        self._traces: BoundedOutbox[Any] = BoundedOutbox(Load.trace_queue_size)
        self._logs: BoundedOutbox[Log] = BoundedOutbox(LOG_OUTBOX_SIZE)
        self._connections: collections.deque[int] = collections.deque()
        self._reported_trace_drops = 0
        self._reported_log_drops = 0
        self.app = ""
        self._thread = threading.Thread(target=self._run, name="hookscope-sender", daemon=True)
        self._thread.start()

    def set_trace_capacity(self, capacity: int) -> None:
        with self._lock:
            self._traces = BoundedOutbox(capacity)

    def send(self, event: Event) -> None:
        with self._lock:
            self._control.append(event)
            self._wake()

    def hand_over(self, connection: socket.socket) -> None:
        """Send a client connection to the supervisor, for the next worker to serve."""
        with self._lock:
            self._connections.append(os.dup(connection.fileno()))
            self._wake()

    def offer_trace(self, trace: Any) -> None:
        """Queue a trace: a ``TraceRecord`` (built later, here) or an already plain dict."""
        with self._lock:
            if self._traces.offer(trace):
                self._wake()

    def offer_log(self, event: Log) -> None:
        with self._lock:
            if self._logs.offer(event):
                self._wake()

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued so far has been written (or the channel broke)."""
        with self._lock:
            return self._drained.wait_for(
                lambda: self._broken or not (self._sending or self._has_work()), timeout
            )

    def _wake(self) -> None:
        if self._sleeping:
            self._sleeping = False
            self._wakeup.notify()

    def _has_work(self) -> bool:
        return bool(
            self._control
            or self._traces
            or self._logs
            or self._connections
            or self._traces.dropped != self._reported_trace_drops
            or self._logs.dropped != self._reported_log_drops
        )

    def _run(self) -> None:
        while True:
            with self._lock:
                self._sending = False
                while not self._has_work():
                    self._drained.notify_all()
                    self._sleeping = True
                    self._wakeup.wait(timeout=0.5)
                    self._sleeping = False
                self._sending = True
                control, traces, logs = self._next_batch()
                connections = list(self._connections)
                self._connections.clear()
            try:
                self._write(control, traces, logs)
                while connections:
                    line = encode(HandedOver(self.app, os.getpid()))
                    socket.send_fds(self._channel, [line], [connections[0]])
                    os.close(connections.pop(0))
            except OSError:
                for fd in connections:
                    os.close(fd)
                with self._lock:
                    self._broken = True
                    self._drained.notify_all()
                self._on_broken()
                return

    def _write(self, control: list[Event], traces: list[Any], logs: list[Event]) -> None:
        lines = [encode(event) for event in control]
        for trace in traces:
            try:
                lines.append(encode_trace(self.app, _plain_trace(trace)))
            except Exception as error:  # a tracing bug costs one trace, not the channel
                note = f"a trace could not be built: {type(error).__name__}: {error}"
                logs.append(Log(self.app, "hookscope", "WARNING", note, None, time.time()))
        lines += [encode(event) for event in logs]
        if lines:
            self._channel.sendall(b"".join(lines))

    def _next_batch(self) -> tuple[list[Event], list[Any], list[Event]]:
        control: list[Event] = list(self._control)
        self._control.clear()
        traces = self._traces.take(self.BATCH)
        logs: list[Event] = list(self._logs.take(self.BATCH))
        if self._traces.dropped != self._reported_trace_drops:
            new = self._traces.dropped - self._reported_trace_drops
            self._reported_trace_drops = self._traces.dropped
            logs.insert(0, TracesDropped(self.app, new, self._traces.dropped))
        if self._logs.dropped != self._reported_log_drops:
            new = self._logs.dropped - self._reported_log_drops
            self._reported_log_drops = self._logs.dropped
            note = f"{new} log records dropped: the console could not keep up"
            logs.append(Log(self.app, "hookscope", "WARNING", note, None, time.time()))
        return control, traces, logs


def _plain_trace(trace: Any) -> dict[str, Any]:
    """A trace as plain data, from a deferred ``TraceRecord`` or an already plain dict."""
    if isinstance(trace, dict):
        return trace
    plain: dict[str, Any] = trace.to_dict()
    return plain


class ChannelLogHandler(logging.Handler):
    """Sends logging records (app.logger, werkzeug's errors) as ``log`` events with level.

    With ``mask_secrets``, header values a record may carry (a logged ``request.headers``,
    an exception message quoting a cookie) are hidden before they leave the process.
    """

    def __init__(self, sender: EventSender, mask_secrets: bool = False) -> None:
        super().__init__()
        self._sender = sender
        self._mask_secrets = mask_secrets

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:  # a record whose arguments do not format must not break a request
            message = f"{record.msg!r} {record.args!r}"
        if len(message) > MAX_LOG_CHARS:
            cut = len(message) - MAX_LOG_CHARS
            message = f"{message[:MAX_LOG_CHARS]} … [{cut} more characters not shown]"
        if self._mask_secrets:
            message = mask_secrets_in_text(message)
        self._sender.offer_log(
            Log(self._sender.app, "logger", record.levelname, message, record.name, record.created)
        )


# --- serving -----------------------------------------------------------------------------


def _http_server(app: Any, listener_fd: int) -> Any:
    """The worker's HTTP server for ``app`` on a listening socket, imported on first use to
    keep import light."""
    from console.worker_http import WorkerHTTPServer

    return WorkerHTTPServer(HOST, 0, app, fd=listener_fd)


# --- describing the app --------------------------------------------------------------------


def describe_routes(app: Any) -> tuple[RouteInfo, ...]:
    """The url_map as plain data, in the map's own order."""
    return tuple(_describe_rule(app, rule) for rule in app.url_map.iter_rules())


def _describe_rule(app: Any, rule: Any) -> RouteInfo:
    arguments = {m["name"]: m for m in _CONVERTER_PART.finditer(rule.rule)}
    converters = []
    for name, converter in rule._converters.items():
        match = arguments.get(name)
        converters.append(
            ConverterInfo(
                name=name,
                converter=(match and match["converter"]) or "default",
                arguments=(match and match["arguments"]) or "",
                regex=str(getattr(converter, "regex", "")),
            )
        )
    view = app.view_functions.get(rule.endpoint)
    view_name, file, line = _source_of(view)
    redirect_to = rule.redirect_to
    endpoint = str(rule.endpoint)
    return RouteInfo(
        rule=rule.rule,
        endpoint=endpoint,
        methods=tuple(sorted(rule.methods or ())),
        converters=tuple(converters),
        defaults={key: _json_value(value) for key, value in (rule.defaults or {}).items()} or None,
        strict_slashes=bool(rule.strict_slashes),
        redirect_to=None
        if redirect_to is None
        else redirect_to
        if isinstance(redirect_to, str)
        else repr(redirect_to),
        subdomain=rule.subdomain or None,
        host=rule.host or None,
        blueprint=endpoint.rpartition(".")[0] or None,
        view=view_name,
        file=file,
        line=line,
    )


def _source_of(view: Any) -> tuple[str | None, str | None, int | None]:
    if view is None:
        return None, None, None
    target = inspect.unwrap(view)
    view_class = getattr(view, "view_class", None)
    name = getattr(target, "__qualname__", None) or repr(target)
    if view_class is not None:
        target, name = view_class, view_class.__qualname__
    code = getattr(target, "__code__", None)
    if code is not None:  # a plain function: no need to read its source file
        return name, code.co_filename, code.co_firstlineno
    try:
        file = inspect.getsourcefile(target)
        _, line = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return name, None, None
    return name, file, line


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def app_files(app: Any, import_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The app's own imported source files, and its template, static and instance folders.

    A file is the app's own when it lies under the app's root or its top-level package,
    and not in hookscope itself. Paths are compared as absolute paths, without resolving
    symlinks: it is cheap, and it is how the watcher will see them.
    """
    root = os.path.abspath(app.root_path)
    homes = [root + os.sep]
    top = sys.modules.get(import_name.split(".")[0])
    top_file = getattr(top, "__file__", None)
    if top_file:
        top_path = os.path.abspath(top_file)
        is_package = os.path.basename(top_path) == "__init__.py"
        homes.append(os.path.dirname(top_path) + os.sep if is_package else top_path)
    skip_hookscope = not (root + os.sep).startswith(_HOOKSCOPE_PACKAGES)
    files = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            continue
        path = os.path.abspath(file)
        if skip_hookscope and path.startswith(_HOOKSCOPE_PACKAGES):
            continue
        if any(path == home or path.startswith(home) for home in homes):
            files.add(path)
    folders = [app.instance_path]
    for scaffold in (app, *app.blueprints.values()):
        for attribute in ("template_folder", "static_folder"):
            folder = getattr(scaffold, attribute, None)
            if folder:
                folders.append(os.path.join(scaffold.root_path, folder))
    return tuple(sorted(files)), tuple(dict.fromkeys(os.path.abspath(f) for f in folders))


def _deferred_if_supported(app: Any) -> dict[str, bool]:
    """``deferred=True`` for the framework's tracers (the sender builds each trace's data);
    an app whose ``add_tracer`` does not take it (Flask-style code) gets plain dicts."""
    try:
        parameters = inspect.signature(app.add_tracer).parameters
    except (TypeError, ValueError):
        return {}
    return {"deferred": True} if "deferred" in parameters else {}


def load_error_from(error: BaseException) -> tuple[str, str, str, str | None, int | None]:
    """(type, one-line message, traceback, file, line) for an error raised while loading."""
    from console.targets import TargetError

    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    cause: BaseException = error
    formatted = ""
    if isinstance(error, TargetError):
        formatted = error.traceback or ""
        if error.__context__ is not None:
            cause = error.__context__
    else:
        formatted = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    file: str | None = None
    line: int | None = None
    if isinstance(cause, SyntaxError):
        file, line = cause.filename, cause.lineno
    else:
        frames = traceback.extract_tb(cause.__traceback__) if cause.__traceback__ else []
        user_frames = [f for f in frames if not f.filename.startswith(_HOOKSCOPE_PACKAGES)]
        if user_frames:
            file, line = user_frames[-1].filename, user_frames[-1].lineno
    return type(cause).__name__, message, formatted, file, line


# --- the worker ----------------------------------------------------------------------------


class Worker:
    """One process's life: announce, wait for ``load``, serve, drain, leave."""

    def __init__(self, channel: socket.socket) -> None:
        self._channel = channel
        self._sender = EventSender(channel, on_broken=self._orphaned)
        self._commands: collections.deque[tuple[Load | Shutdown, list[int]]] = collections.deque()
        self._command_arrived = threading.Condition()
        self._server: Any = None
        self._server_lock = threading.Lock()
        self._leaving = threading.Event()
        self._may_serve = threading.Event()
        self._shutdown_grace = 5.0
        self._supervisor_gone = False
        self.app_id = ""

    def run(self, preload: Callable[[], None]) -> int:
        """Listen to the channel first, so a supervisor dying during start-up is noticed."""
        threading.Thread(target=self._read_commands, name="hookscope-commands", daemon=True).start()
        preload()
        self._sender.send(Spare(app="", pid=os.getpid()))
        command, fds = self._next_command()
        if isinstance(command, Shutdown):
            return self._leave("asked to shut down before loading")
        self.app_id = self._sender.app = command.app
        if command.trace_queue_size > 0:
            self._sender.set_trace_capacity(command.trace_queue_size)
        if not fds:
            self._sender.send(
                LoadError(command.app, "ProtocolError", "no listening socket came with 'load'")
            )
            return self._leave("load failed", code=1)
        listen_fd, extra = fds[0], fds[1:]
        for fd in extra:
            os.close(fd)
        return self._load_and_serve(command, listen_fd)

    def _load_and_serve(self, command: Load, listen_fd: int) -> int:
        logging.getLogger().addHandler(ChannelLogHandler(self._sender, command.mask_secrets))
        try:
            from console.targets import load_target

            app = load_target(command.target)
            routes = describe_routes(app)
            watch_files, watch_dirs = app_files(app, app.import_name)
            tracing = bool(command.tracing and hasattr(app, "add_tracer"))
            if tracing:
                app.tracers.mask_secrets = command.mask_secrets
                app.add_tracer(self._sender.offer_trace, **_deferred_if_supported(app))
            server = _http_server(app, listen_fd)
        except BaseException as error:  # the user's code may raise anything, SystemExit too
            os.close(listen_fd)
            exc_type, message, formatted, file, line = load_error_from(error)
            self._sender.send(LoadError(command.app, exc_type, message, formatted, file, line))
            return self._leave("load failed", code=1)
        os.close(listen_fd)
        with self._server_lock:
            self._server = server
        if self._leaving.is_set():
            return self._leave("asked to shut down while loading")
        host, port = server.socket.getsockname()[:2]
        self._sender.send(
            Ready(
                app=command.app,
                pid=os.getpid(),
                host=host,
                port=port,
                app_name=str(app.name),
                import_name=str(app.import_name),
                root_path=str(app.root_path),
                routes=routes,
                watch_files=watch_files,
                watch_dirs=watch_dirs,
                tracing=tracing,
            )
        )
        self._may_serve.wait()
        if not self._leaving.is_set():
            server.serve_forever()
        drained = server.wait_idle(self._shutdown_grace)
        return self._leave("drained" if drained else "gave up waiting for in-flight requests")

    def _leave(self, reason: str, code: int = 0) -> int:
        if self._supervisor_gone:
            _exit_for_good()  # no one to tell; drained, so take the app's children along
        self._sender.send(Stopping(self.app_id, os.getpid(), reason))
        self._sender.flush(timeout=2.0)
        return code

    def _next_command(self) -> tuple[Load | Shutdown, list[int]]:
        with self._command_arrived:
            while not self._commands:
                self._command_arrived.wait()
            return self._commands.popleft()

    def _read_commands(self) -> None:
        splitter = LineSplitter()
        pending_fds: list[int] = []
        while True:
            try:
                data, fds, _flags, _address = socket.recv_fds(self._channel, 65536, 8)
            except OSError:
                data, fds = b"", []
            for fd in fds:  # a process the app starts must not hold the app's socket
                os.set_inheritable(fd, False)
            pending_fds += fds
            if not data:
                self._orphaned()
                return
            for line in splitter.feed(data):
                if isinstance(line, ProtocolError):
                    self._complain(str(line))
                    continue
                try:
                    command = decode_command(line)
                except ProtocolError as error:
                    self._complain(str(error))
                    continue
                if isinstance(command, Serve):
                    self._may_serve.set()
                    continue
                if isinstance(command, Adopt):
                    if pending_fds:
                        self._adopt(pending_fds.pop(0))
                    else:
                        self._complain("'adopt' came without a connection")
                    continue
                if isinstance(command, Shutdown):
                    self._begin_shutdown(command.grace, command.hand_off)
                taken, pending_fds = (
                    (pending_fds, []) if isinstance(command, Load) else ([], pending_fds)
                )
                with self._command_arrived:
                    self._commands.append((command, taken))
                    self._command_arrived.notify()

    def _complain(self, problem: str) -> None:
        note = f"worker ignored a command: {problem}"
        self._sender.send(Log(self.app_id, "hookscope", "WARNING", note, None, time.time()))

    def _adopt(self, fd: int) -> None:
        """Serve a connection the previous worker handed over."""
        connection = socket.socket(fileno=fd)
        with self._server_lock:
            server = self._server
        if server is None:
            connection.close()
            return
        server.adopt(connection)

    def _begin_shutdown(self, grace: float, hand_off: bool = False) -> None:
        self._shutdown_grace = grace
        self._leaving.set()
        self._may_serve.set()
        with self._server_lock:
            server = self._server
        if server is not None:
            threading.Thread(
                target=self._stop_accepting, args=(server, hand_off), daemon=True
            ).start()

    def _stop_accepting(self, server: Any, hand_off: bool) -> None:
        """Tell the supervisor the moment no new connection can land here, then let go of
        the kept-alive ones (after ``draining``, so the successor is serving when they come).
        """
        server.shutdown()
        self._sender.send(Draining(self.app_id, os.getpid()))
        server.retire(self._sender.hand_over if hand_off and not self._supervisor_gone else None)

    def _orphaned(self) -> None:
        """The supervisor is gone: finish what is in flight briefly, then leave for sure."""
        self._supervisor_gone = True
        with self._server_lock:
            serving = self._server is not None
        if not serving:
            _exit_for_good()  # nothing in flight; the app may be stuck importing
        self._begin_shutdown(ORPHAN_GRACE)
        threading.Timer(ORPHAN_DEADLINE, _exit_for_good).start()


def _exit_for_good() -> None:
    """Leave now, taking along any process the app started when this worker leads its group.

    (Under the supervisor a worker leads its own process group; run by hand it may not, and
    then it must not kill its parent's group.)
    """
    if os.getpgid(0) == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(0)


def _preload() -> None:
    """Import what every app needs, so a ``load`` pays only for the app's own modules.

    Beyond imports, one request is served end to end by a throwaway app on a throwaway
    socket: Werkzeug's server and the framework import more on first use.
    """
    import jinja2  # noqa: F401

    import console.targets  # noqa: F401
    from framework import App

    warmup = App("hookscope_warmup")
    warmup.add_url_rule("/", "index", lambda: "warm")
    if hasattr(warmup, "add_tracer"):
        warmup.add_tracer(lambda trace: None)
    with socket.create_server((HOST, 0)) as listener:
        server = _http_server(warmup, listener.fileno())
        client = socket.create_connection(listener.getsockname(), timeout=5)
        try:
            client.sendall(b"GET / HTTP/1.0\r\nHost: warmup\r\n\r\n")
            server.handle_request()
            while client.recv(65536):
                pass
        finally:
            client.close()
            server.server_close()
            server.close_retire_signal()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.worker")
    parser.add_argument("--channel-fd", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        channel = socket.socket(fileno=args.channel_fd)
    except OSError as error:
        print(f"hookscope worker: bad --channel-fd {args.channel_fd}: {error}", file=sys.stderr)
        return 2
    if channel.family != socket.AF_UNIX:
        print("hookscope worker: the channel must be a Unix socket", file=sys.stderr)
        return 2
    # Only this process may talk to the supervisor: not a shell or server the app starts.
    channel.set_inheritable(False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    # The worker serves the app; an unguarded app.run() in the module must not serve it too.
    os.environ["HOOKSCOPE_RUN_FROM_CLI"] = "true"
    return Worker(channel).run(preload=_preload)


if __name__ == "__main__":
    sys.exit(main())
