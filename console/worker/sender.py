"""The worker's sending side of the channel: every event leaves through one thread.

Control events (ready, load errors, draining, stopping) are never dropped; traces and log
records are, when their outbox is full, and each drop is counted and reported.

A request pays only for queueing its trace record: the sender thread turns records into
plain data and JSON (``TraceRecord.to_dict``, see framework/tracing), so a trace that is
dropped is never built at all, and it wakes the sender only when it sleeps. A trace too big
for one protocol line is trimmed to fit (see console/protocol/trimming.py), never lost.
"""

from __future__ import annotations

import collections
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from console.protocol import (
    Event,
    HandedOver,
    Load,
    Log,
    Trace,
    TracesDropped,
    encode,
    encode_trace,
)

LOG_OUTBOX_SIZE = 2_000
Item = TypeVar("Item")


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
    """Owns the channel's sending side; ``on_broken`` is called once if the channel fails."""

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
        """Queue a control event (a :class:`Trace` sent this way is never dropped)."""
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
        lines = [
            encode_trace(event.app, event.trace) if isinstance(event, Trace) else encode(event)
            for event in control
        ]
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


__all__ = ["BoundedOutbox", "EventSender"]
