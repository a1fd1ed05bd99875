"""One worker's life: announce, wait for ``load``, load and serve, drain, leave.

Rules it keeps:

* Tracing never blocks a request: traces go into a bounded outbox that a sender thread
  drains; when the supervisor lags, traces are dropped and the count is reported.
* When the channel closes (the supervisor died, even by SIGKILL) the worker is gone within
  two seconds, whatever the app is doing.
* ``shutdown`` drains: stop accepting, say which requests are still running (``draining``),
  let them finish for the grace period, then leave; a request still running then is cut,
  said (``requests_cut``) and traced as cut. Kept-alive connections are handed over to the
  successor on a reload (see console/worker_http.py), and closed between two requests
  otherwise.
* Leaving takes the app's processes along, whatever session they started (see
  console/process_tree.py).
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from console.process_tree import kill_descendants
from console.protocol import (
    DEFAULT_GRACE,
    Adopt,
    Draining,
    LineSplitter,
    Load,
    LoadError,
    Log,
    ProtocolError,
    Ready,
    RequestsCut,
    Serve,
    Shutdown,
    Spare,
    Stopping,
    Trace,
    decode_command,
)
from console.worker.app_description import (
    app_files,
    app_homes,
    config_files,
    describe_routes,
    target_homes,
)
from console.worker.channel_log import ChannelLogHandler
from console.worker.files_read import FilesRead
from console.worker.http_server import server_on
from console.worker.in_flight import InFlightRequests
from console.worker.load_errors import load_error_event
from console.worker.sender import EventSender
from console.worker.title import set_process_title

#: How long a worker whose channel closed may take to finish in-flight requests.
ORPHAN_GRACE = 1.0
#: A worker whose channel closed is gone after this, even if the app hangs.
ORPHAN_DEADLINE = 1.5
#: However short the grace, responses already produced get this long to be written.
WRITE_GRACE = 1.0


class Worker:
    """One process's life, driven by the commands on its channel."""

    def __init__(self, channel: socket.socket) -> None:
        self._channel = channel
        self._sender = EventSender(channel, on_broken=self._orphaned)
        self._commands: collections.deque[tuple[Load | Shutdown, list[int]]] = collections.deque()
        self._command_arrived = threading.Condition()
        self._server: Any = None
        self._in_flight: InFlightRequests | None = None
        self._homes: tuple[str, ...] = ()
        self._server_lock = threading.Lock()
        self._leaving = threading.Event()
        self._may_serve = threading.Event()
        self._shutdown_grace = DEFAULT_GRACE
        self._shutdown_at = 0.0
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
        if command.title:
            set_process_title(command.title, f"hookscope:{command.app}")
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
        """Load the target, attach the tracer, and serve it until asked to leave.

        The one place an app is loaded: whatever goes wrong in the user's code becomes a
        ``load_error`` naming the files the load got to, so their next edit reloads it.
        """
        logging.getLogger().addHandler(ChannelLogHandler(self._sender, command.mask_secrets))
        files_read = FilesRead()
        try:
            from console.instrument import load_served_app

            with files_read.recording():
                app = load_served_app(command.target)
            routes = describe_routes(app)
            watch_files, watch_dirs = app_files(app, app.import_name, files_read.paths)
            tracing = self._attach_tracer(app, command)
            in_flight = InFlightRequests(app)
            server = server_on(in_flight, listen_fd)
        except BaseException as error:  # the user's code may raise anything, SystemExit too
            os.close(listen_fd)
            read = config_files(files_read.paths, target_homes(command.target))
            self._sender.send(load_error_event(command.app, error, read))
            return self._leave("load failed", code=1)
        os.close(listen_fd)
        self._in_flight = in_flight
        self._homes = tuple(app_homes(app, app.import_name))
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
        return self._finish(server, in_flight, str(app.name))

    def _attach_tracer(self, app: Any, command: Load) -> bool:
        """Send every request's trace through the channel; False if the app is served
        untraced (see :func:`console.instrument.attach_tracer`)."""
        from console.instrument import attach_tracer

        return command.tracing and attach_tracer(
            app, self._sender.offer_trace, mask_secrets=command.mask_secrets
        )

    def _finish(self, server: Any, in_flight: InFlightRequests, app_name: str) -> int:
        """Let the requests in flight finish within the grace period; cut the rest."""
        deadline = self._shutdown_at + self._shutdown_grace
        if in_flight.wait_idle(deadline - time.monotonic()):
            written = server.wait_idle(max(deadline - time.monotonic(), WRITE_GRACE))
            return self._leave("drained" if written else "gave up waiting for slow clients")
        grace = self._shutdown_grace
        cut = in_flight.snapshot(self._homes)
        self._sender.send(RequestsCut(self.app_id, os.getpid(), cut, grace))
        for trace in in_flight.cut_traces(app_name, grace):
            self._sender.send(Trace(self.app_id, trace))
        return self._leave(f"cut {len(cut)} request(s) after the {grace:g} s grace period")

    def _leave(self, reason: str, code: int = 0) -> int:
        kill_descendants(os.getpid())
        if self._supervisor_gone:
            exit_for_good()  # no one to tell
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
                elif isinstance(command, Adopt):
                    if pending_fds:
                        self._adopt(pending_fds.pop(0))
                    else:
                        self._complain("'adopt' came without a connection")
                elif isinstance(command, Load | Shutdown):
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
        if not self._leaving.is_set():
            self._shutdown_grace = grace
            self._shutdown_at = time.monotonic()
        self._leaving.set()
        self._may_serve.set()
        with self._server_lock:
            server = self._server
        if server is not None:
            threading.Thread(
                target=self._stop_accepting, args=(server, hand_off), daemon=True
            ).start()

    def _stop_accepting(self, server: Any, hand_off: bool) -> None:
        """Tell the supervisor the moment no new connection can land here, and which requests
        are still running; then let go of the kept-alive connections (after ``draining``, so
        the successor is serving when they come)."""
        server.shutdown()
        in_flight = self._in_flight.snapshot(self._homes) if self._in_flight is not None else ()
        self._sender.send(Draining(self.app_id, os.getpid(), in_flight, self._shutdown_grace))
        server.retire(self._sender.hand_over if hand_off and not self._supervisor_gone else None)

    def _orphaned(self) -> None:
        """The supervisor is gone: finish what is in flight briefly, then leave for sure."""
        self._supervisor_gone = True
        with self._server_lock:
            serving = self._server is not None
        if not serving:
            exit_for_good()  # nothing in flight; the app may be stuck importing
        self._begin_shutdown(ORPHAN_GRACE)
        threading.Timer(ORPHAN_DEADLINE, exit_for_good).start()


def exit_for_good(code: int = 0) -> None:
    """Leave now, taking along every process the app started.

    Its descendants are found by parent (a subreaper keeps even orphaned ones below it);
    the process group goes too when this worker leads it (under the supervisor it does;
    run by hand it may not, and then it must not kill its parent's group).
    """
    kill_descendants(os.getpid())
    if os.getpgid(0) == os.getpid():
        os.killpg(0, signal.SIGKILL)
    os._exit(code)


__all__ = ["ORPHAN_DEADLINE", "ORPHAN_GRACE", "Worker", "exit_for_good"]
