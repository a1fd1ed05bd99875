"""The supervisor's one decision thread: tasks posted from any thread, run in order, and
timers, kept in a heap on that same thread (no thread per delayed action).

Other threads (a worker's reader, the file watcher) only :meth:`ControlLoop.post`; whatever
they learned is acted on here, one task at a time, so the supervisor's state is only ever
touched by this thread. ``tick`` is called after every task and at the time it last asked
for, and returns when it next wants to be called: the apps' own deadlines (load timeouts,
restart backoffs) come through it.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import sys
import threading
import time
import traceback
from collections.abc import Callable

Task = Callable[[], None]


class ControlLoop:
    """Runs posted tasks and due timers on one thread until stopped."""

    def __init__(
        self,
        tick: Callable[[float], float | None],
        clock: Callable[[], float] = time.monotonic,
        name: str = "hookscope-control",
    ) -> None:
        self._tick = tick
        self._clock = clock
        self._inbox: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self._timers: list[tuple[float, int, Task]] = []
        self._order = itertools.count()
        self._thread = threading.Thread(target=self._run, name=name)

    def start(self) -> None:
        self._thread.start()

    def post(self, task: Task) -> None:
        """Run ``task`` on the loop's thread, after the tasks posted before it."""
        self._inbox.put(task)

    def later(self, delay: float, task: Task) -> None:
        """Run ``task`` on the loop's thread in ``delay`` seconds (from any thread)."""
        when = self._clock() + delay
        self.post(lambda: heapq.heappush(self._timers, (when, next(self._order), task)))

    def stop(self, timeout: float = 5.0) -> None:
        """Finish the tasks posted so far, then end the thread."""
        if self._thread.is_alive():
            self._inbox.put(None)
            self._thread.join(timeout=timeout)

    def _run(self) -> None:
        next_tick: float | None = None
        while True:
            timer = self._timers[0][0] if self._timers else None
            due = [t for t in (next_tick, timer) if t is not None]
            wait = max(min(due) - self._clock(), 0.0) if due else None
            try:
                task = self._inbox.get(timeout=wait)
            except queue.Empty:
                task = _nothing
            if task is None:
                return
            try:
                task()
                while self._timers and self._timers[0][0] <= self._clock():
                    heapq.heappop(self._timers)[2]()
                next_tick = self._tick(self._clock())
            except Exception:  # a bug in one handler must not stop every app
                traceback.print_exc(file=sys.stderr)


def _nothing() -> None:
    """Nothing was posted before the next deadline; the timers and the tick do the work."""


__all__ = ["ControlLoop", "Task"]
