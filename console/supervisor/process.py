"""Worker processes as the supervisor sees them: spawn, talk, read, stop, and a warm spare.

A :class:`WorkerProcess` owns one ``python -m console.worker`` child: the private channel
(one end of a socketpair; the child inherits the other), threads that read its events and
its stdout/stderr, and a thread that notices when it exits. Everything it learns goes to the
callbacks it was given, from those threads; the callbacks must be quick and thread-safe.

The child runs in its own session, so a Ctrl-C in the terminal reaches only the supervisor,
which then stops its workers in order.
"""

from __future__ import annotations

import collections
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO

from console.protocol import (
    Adopt,
    Event,
    HandedOver,
    LineSplitter,
    Load,
    Log,
    LogStream,
    ProtocolError,
    ProtocolProblem,
    Serve,
    Shutdown,
    Spare,
    decode_event,
    encode,
    mask_secrets_in_text,
)

#: A printed line longer than this is cut, with a note of how much was left out.
MAX_LINE_CHARS = 8_192
#: Output beyond this rate (bytes per second, after a burst allowance) is dropped and counted.
OUTPUT_RATE = 512 * 1024
OUTPUT_BURST = 2 * 1024 * 1024
#: What a line costs from the rate budget beyond its length: many short lines flood too.
LINE_COST = 100
LAST_OUTPUT_LINES = 40

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


class OutputCapture:
    """Turns a byte stream of printed output into ``log`` events, whatever its size.

    The reader keeps draining the pipe at full speed so a worker printing 50 MB never
    blocks; what exceeds the rate budget is counted and summarised in one note instead of
    flooding the console, and overlong lines are cut. With ``mask_secrets``, header values a
    line may carry (a printed ``request.headers``) are hidden.
    """

    def __init__(
        self,
        stream: LogStream,
        emit: Callable[[Log], None],
        clock: Callable[[], float] = time.monotonic,
        app: Callable[[], str] = lambda: "",
        mask_secrets: bool = False,
    ) -> None:
        self._stream = stream
        self._mask_secrets = mask_secrets
        self._level = "INFO" if stream == "stdout" else "WARNING"
        self._emit = emit
        self._clock = clock
        self._app = app
        self._partial = bytearray()
        self._partial_overflow = 0
        self._tokens = float(OUTPUT_BURST)
        self._refilled_at = clock()
        self._dropped_bytes = 0
        self._dropped_lines = 0
        self.tail: collections.deque[str] = collections.deque(maxlen=LAST_OUTPUT_LINES)

    def feed(self, chunk: bytes) -> None:
        lines = chunk.split(b"\n")
        for complete in lines[:-1]:
            self._append_partial(complete)
            self._line_done()
        self._append_partial(lines[-1])

    def finish(self) -> None:
        if self._partial or self._partial_overflow:
            self._line_done()
        self._report_drops()

    def _append_partial(self, piece: bytes) -> None:
        room = MAX_LINE_CHARS * 4 - len(self._partial)
        if len(piece) > room:
            self._partial += piece[: max(room, 0)]
            self._partial_overflow += len(piece) - max(room, 0)
        else:
            self._partial += piece

    def _line_done(self) -> None:
        text = self._partial.decode("utf-8", "replace").rstrip("\r")
        cut = self._partial_overflow
        if len(text) > MAX_LINE_CHARS:
            cut += len(text[MAX_LINE_CHARS:].encode())
            text = text[:MAX_LINE_CHARS]
        if self._mask_secrets:
            text = mask_secrets_in_text(text)
        if cut:
            text += f" … [{cut} more bytes not shown]"
        size = len(self._partial) + self._partial_overflow
        self._partial.clear()
        self._partial_overflow = 0
        self.tail.append(text[:500])
        if self._spend(len(text) + LINE_COST):
            self._report_drops()
            self._emit(Log(self._app(), self._stream, self._level, text, None, time.time()))
        else:
            if not self._dropped_lines:
                self._note(f"{self._stream} is arriving too fast; dropping lines until it slows")
            self._dropped_bytes += size
            self._dropped_lines += 1

    def _spend(self, size: int) -> bool:
        now = self._clock()
        self._tokens = min(OUTPUT_BURST, self._tokens + (now - self._refilled_at) * OUTPUT_RATE)
        self._refilled_at = now
        if self._tokens < size:
            return False
        self._tokens -= size
        return True

    def _report_drops(self) -> None:
        if self._dropped_lines:
            self._note(
                f"{self._dropped_lines} lines ({self._dropped_bytes} bytes) of {self._stream} "
                "were not shown"
            )
            self._dropped_lines = self._dropped_bytes = 0

    def _note(self, message: str) -> None:
        self._emit(Log(self._app(), "hookscope", "WARNING", message, None, time.time()))


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
        """Ask for a drain; SIGTERM after ``grace`` seconds, SIGKILL one second later.

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
        self._stop_requested = True
        self._signal(signal.SIGKILL)

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
        if self.wait(grace + 0.5):
            return
        self._signal(signal.SIGTERM)
        if not self.wait(1.0):
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


class SparePool:
    """Keeps ``size`` workers started and warming, so a reload skips interpreter start-up."""

    def __init__(self, spawn: Callable[[], WorkerProcess], size: int = 1) -> None:
        self._spawn = spawn
        self._size = size
        self._spares: list[WorkerProcess] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> WorkerProcess:
        """A live spare, the warmest first, or a freshly started worker when none is left."""
        with self._lock:
            self._spares = [w for w in self._spares if w.returncode is None]
            self._spares.sort(key=lambda w: not w.warm.is_set())
            if self._spares:
                return self._spares.pop(0)
        return self._spawn()

    def refill(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._spares = [w for w in self._spares if w.returncode is None]
            missing = self._size - len(self._spares)
        for _ in range(missing):
            worker = self._spawn()
            with self._lock:
                if self._closed:
                    worker.kill()
                    return
                self._spares.append(worker)

    def discard(self, worker: WorkerProcess) -> None:
        with self._lock:
            if worker in self._spares:
                self._spares.remove(worker)

    def close(self) -> list[WorkerProcess]:
        """Stop keeping spares; returns the ones killed so the caller can wait for them."""
        with self._lock:
            self._closed = True
            spares, self._spares = self._spares, []
        for worker in spares:
            worker.kill()
        return spares


__all__ = [
    "OutputCapture",
    "SparePool",
    "WorkerProcess",
    "describe_exit",
]
