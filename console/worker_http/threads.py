"""A bounded set of threads that run requests.

Threads start as requests need them, up to a limit, and end after a while without work, so
a burst leaves no crowd of idle threads behind. They are daemon threads: a request stuck in
the app (a deadlock, an endless loop) must not keep the worker process from exiting, which
rules out ``concurrent.futures`` (its threads are joined at exit).

A thread that has answered a request may wait a moment on its connection for the next one
(see ``server``); :attr:`RequestThreads.backlog_signal` tells it when a request is waiting
for a thread, so that it lets go at once instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable

#: Seconds a thread waits for work before it ends.
IDLE_THREAD_LIFETIME = 5.0


class RequestThreads:
    """Runs jobs on at most ``limit`` threads; jobs beyond wait for a thread to be free."""

    def __init__(
        self,
        limit: int,
        name: str,
        logger: logging.Logger,
        idle_lifetime: float = IDLE_THREAD_LIFETIME,
    ) -> None:
        self._limit = limit
        self._name = name
        self._logger = logger
        self._idle_lifetime = idle_lifetime
        self._jobs: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._job_queued = threading.Condition(self._lock)
        self._count = 0
        self._waiting = 0
        self._backlog_signal, self._backlog_trigger = os.pipe()
        os.set_blocking(self._backlog_signal, False)
        self._backlogged = False
        self._closed = False

    @property
    def count(self) -> int:
        """Threads alive now."""
        with self._lock:
            return self._count

    @property
    def backlog_signal(self) -> int:
        """A descriptor readable while a job waits for a thread (every thread is busy)."""
        return self._backlog_signal

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.append(job)
            if len(self._jobs) <= self._waiting:
                self._job_queued.notify()
                return
            if self._count >= self._limit:
                if not self._backlogged and not self._closed:
                    self._backlogged = True
                    os.write(self._backlog_trigger, b"!")
                return  # it waits for the next thread done with its job
            self._count += 1
            number = self._count
        threading.Thread(target=self._work, name=f"{self._name}-{number}", daemon=True).start()

    def close(self) -> None:
        """Release the backlog signal (threads still running finish their jobs)."""
        with self._lock:
            self._closed = True
            os.close(self._backlog_signal)
            os.close(self._backlog_trigger)

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    self._waiting += 1
                    self._job_queued.wait_for(lambda: bool(self._jobs), self._idle_lifetime)
                    self._waiting -= 1
                    if not self._jobs:
                        self._count -= 1
                        return
                job = self._jobs.popleft()
                if self._backlogged and len(self._jobs) <= self._waiting:
                    self._backlogged = False
                    if not self._closed:
                        os.read(self._backlog_signal, 4096)
            try:
                job()
            except BaseException as error:  # a job's bug must not take its thread down
                self._logger.error("a request thread failed", exc_info=error)


__all__ = ["IDLE_THREAD_LIFETIME", "RequestThreads"]
