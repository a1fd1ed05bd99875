"""Worker processes as the supervisor sees them: spawn, talk, read, stop.

A :class:`WorkerProcess` owns one ``python -m console.worker`` child: the private channel
(one end of a socketpair; the child inherits the other), threads that read its events and
its stdout/stderr, and a thread that notices when it exits. Everything it learns goes to the
callbacks it was given, from those threads; the callbacks must be quick and thread-safe.

The child runs in its own session, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops its workers in order. Ending a worker ends everything the app started
with it (see console/process_tree.py).
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO

from console.process_tree import kill_descendants
from console.protocol import (
    Adopt,
    Event,
    HandedOver,
    LineSplitter,
    Load,
    Log,
    ProtocolError,
    ProtocolProblem,
    Ready,
    Serve,
    Shutdown,
    Spare,
    decode_event,
    encode,
)
from console.supervisor.output import OutputCapture

EventCallback = Callable[["WorkerProcess", Event], None]
ExitCallback = Callable[["WorkerProcess", int], None]
#: Receives a client connection a retiring worker handed over, for its successor.
ConnectionCallback = Callable[["WorkerProcess", socket.socket], None]
#: Most descriptors one read of the channel takes (a worker sends one per message).
MAX_FDS_PER_READ = 16


def describe_exit(returncode: int) -> str:
    """``exit status 3`` or ``killed by SIGKILL``: what a person wants to read."""
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


class WorkerProcess:
    """One worker child and the threads that listen to it."""

    def __init__(
        self,
        on_event: EventCallback,
        on_exit: ExitCallback,
        *,
        cwd: str | None = None,
        mask_secrets: bool = False,
        on_connection: ConnectionCallback | None = None,
    ) -> None:
        self.app_id = ""
        self.generation = 0
        #: What the worker said once loaded, kept until it goes live.
        self.ready: Ready | None = None
        self.warm = threading.Event()
        self._on_event = on_event
        self._on_exit = on_exit
        self._on_connection = on_connection
        self._received_connections: collections.deque[socket.socket] = collections.deque()
        self._send_lock = threading.Lock()
        self._stop_requested = False
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._channel = parent
        child_env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        try:
            self._popen = subprocess.Popen(
                [
                    sys.executable,
                    "-u",
                    "-m",
                    "console.worker",
                    "--channel-fd",
                    str(child.fileno()),
                ],
                pass_fds=(child.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                cwd=cwd,
                env=child_env,
            )
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self.pid = self._popen.pid
        self._stdout = OutputCapture(
            "stdout", self._emit_log, app=self._current_app, mask_secrets=mask_secrets
        )
        self._stderr = OutputCapture(
            "stderr", self._emit_log, app=self._current_app, mask_secrets=mask_secrets
        )
        assert self._popen.stdout is not None and self._popen.stderr is not None
        self._readers = [
            self._thread(self._read_channel, "channel"),
            self._thread(self._read_output, "stdout", self._popen.stdout, self._stdout),
            self._thread(self._read_output, "stderr", self._popen.stderr, self._stderr),
        ]
        self._thread(self._wait, "wait")

    def __repr__(self) -> str:
        return f"<WorkerProcess pid={self.pid} app={self.app_id!r} gen={self.generation}>"

    @property
    def stop_requested(self) -> bool:
        """True once the supervisor asked this worker to leave (drain or kill)."""
        return self._stop_requested

    @property
    def returncode(self) -> int | None:
        return self._popen.poll()

    @property
    def last_output(self) -> str:
        """The last lines the worker printed, for a crash report."""
        return "\n".join([*self._stdout.tail, *self._stderr.tail])

    def assign(self, app_id: str, generation: int) -> None:
        self.app_id, self.generation = app_id, generation

    def load(self, command: Load, listener: socket.socket) -> None:
        """Send ``load`` with the listening socket attached (as SCM_RIGHTS data)."""
        try:
            with self._send_lock:
                socket.send_fds(self._channel, [encode(command)], [listener.fileno()])
        except OSError:
            pass  # the worker is gone; its exit is reported separately

    def serve(self) -> None:
        """Let a loaded worker start accepting connections."""
        self._send(Serve())

    def adopt(self, connection: socket.socket) -> None:
        """Pass on a client connection another worker handed over; ours is closed after."""
        try:
            with self._send_lock:
                socket.send_fds(self._channel, [encode(Adopt())], [connection.fileno()])
        except OSError:
            pass  # the worker is gone; the client sees its connection close
        finally:
            connection.close()

    def stop(self, grace: float, *, hand_off: bool = False) -> None:
        """Ask for a drain; SIGTERM a second after ``grace`` seconds, SIGKILL a second later.

        (The worker itself cuts what still runs at ``grace``; the signals are for a worker
        that cannot.)

        With ``hand_off`` the worker gives its kept-alive connections to the supervisor
        (for the successor) instead of closing them.
        """
        if self._stop_requested:
            return
        self._stop_requested = True
        self._send(Shutdown(grace=grace, hand_off=hand_off))
        self._thread(self._enforce_stop, "stop", grace)

    def _send(self, command: Serve | Shutdown) -> None:
        try:
            with self._send_lock:
                self._channel.sendall(encode(command))
        except OSError:
            pass  # the worker is gone; its exit is reported separately

    def kill(self) -> None:
        """End the worker and everything the app started, now."""
        self._stop_requested = True
        self._kill_tree()

    def wait(self, timeout: float) -> bool:
        try:
            self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    # --- threads -------------------------------------------------------------------------

    def _thread(self, target: Callable[..., None], name: str, *args: object) -> threading.Thread:
        thread = threading.Thread(
            target=target, args=args, name=f"hookscope-worker-{self.pid}-{name}", daemon=True
        )
        thread.start()
        return thread

    def _read_channel(self) -> None:
        splitter = LineSplitter()
        try:
            while chunk := self._receive():
                for line in splitter.feed(chunk):
                    event = self._decode(line)
                    if isinstance(event, HandedOver):
                        self._pass_on_connection()
                        continue
                    if isinstance(event, Spare):
                        self.warm.set()
                    self._on_event(self, event)
        finally:
            self._channel.close()
            while self._received_connections:
                self._received_connections.popleft().close()

    def _receive(self) -> bytes:
        try:
            data, fds, _flags, _address = socket.recv_fds(self._channel, 262144, MAX_FDS_PER_READ)
        except OSError:
            return b""
        for fd in fds:
            os.set_inheritable(fd, False)
            try:
                self._received_connections.append(socket.socket(fileno=fd))
            except OSError:  # not a socket: nothing a worker should send
                os.close(fd)
        return data

    def _pass_on_connection(self) -> None:
        """A ``handed_over`` line: its connection came with it (or just before)."""
        if not self._received_connections:
            problem = "'handed_over' came without a connection"
            self._on_event(self, ProtocolProblem(self.app_id, problem))
            return
        connection = self._received_connections.popleft()
        if self._on_connection is None:
            connection.close()
        else:
            self._on_connection(self, connection)

    def _decode(self, line: bytes | ProtocolError) -> Event:
        if isinstance(line, ProtocolError):
            return ProtocolProblem(self.app_id, str(line))
        try:
            return decode_event(line)
        except ProtocolError as error:
            preview = line[:200].decode("utf-8", "replace")
            return ProtocolProblem(self.app_id, str(error), preview)

    def _read_output(self, pipe: IO[bytes], capture: OutputCapture) -> None:
        """Read until every writer is gone (the app's own children may hold the pipe too)."""
        fd = pipe.fileno()
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    capture.finish()
                    return
                capture.feed(chunk)
        finally:
            pipe.close()

    def _wait(self) -> None:
        """Notice the exit, end whatever the app started, then reap and report.

        Waiting without reaping first keeps the worker's pid (its process group's id) from
        being reused while the group is killed.
        """
        try:
            os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
            os.killpg(self.pid, signal.SIGKILL)
        except (ChildProcessError, ProcessLookupError, PermissionError):
            pass  # already reaped elsewhere, or nothing left in the group
        returncode = self._popen.wait()
        for reader in self._readers:
            reader.join(timeout=1.0)
        self._on_exit(self, returncode)

    def _enforce_stop(self, grace: float) -> None:
        if self.wait(grace + 1.0):
            return
        self._signal(signal.SIGTERM)
        if not self.wait(1.0):
            self._kill_tree()

    def _kill_tree(self) -> None:
        """SIGKILL the worker, its group, and whatever the app started in other sessions."""
        if self._popen.poll() is None:
            kill_descendants(self.pid)
        self._signal(signal.SIGKILL)

    def _signal(self, signum: signal.Signals) -> None:
        """Signal the worker's whole process group: the app may have started children."""
        if self._popen.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def _emit_log(self, event: Log) -> None:
        self._on_event(self, event)

    def _current_app(self) -> str:
        return self.app_id


__all__ = ["WorkerProcess", "describe_exit"]
