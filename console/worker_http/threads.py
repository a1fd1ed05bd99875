"""A bounded set of threads that run requests.

Threads start as requests need them, up to a limit, and end after a while without work, so
a burst leaves no crowd of idle threads behind. They are daemon threads: a request stuck in
the app (a deadlock, an endless loop) must not keep the worker process from exiting, which
rules out ``concurrent.futures`` (its threads are joined at exit).

A thread that has answered a request may wait a moment on its connection for the next one
(see ``server``): it *stands by*. Once every thread is busy or standing by, a new job is
promised to a thread standing by: :attr:`RequestThreads.backlog_signal` wakes them, and
the first to :meth:`~RequestThreads.claim_job` lets go of its connection and takes it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

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
        #: Threads waiting in :meth:`_work` for a job.
        self._waiting = 0
        #: Threads standing by (see the module's docstring), and jobs promised to them.
        self._standing_by = 0
        self._promised = 0
        self._backlog_signal, self._backlog_trigger = os.pipe()
        os.set_blocking(self._backlog_signal, False)
        self._signalled = False
        self._closed = False

    @property
    def count(self) -> int:
        """Threads alive now."""
        with self._lock:
            return self._count

    @property
    def backlog_signal(self) -> int:
        """A descriptor readable while a job is promised to a thread standing by."""
        return self._backlog_signal

    @property
    def jobs_waiting(self) -> bool:
        """Some job waits for a thread (read without the lock: a hint)."""
        return len(self._jobs) > self._waiting

    @contextmanager
    def standing_by(self) -> Iterator[None]:
        """Around a wait of a request thread that it ends when :attr:`backlog_signal` turns
        readable and it can :meth:`claim_job`."""
        with self._lock:
            self._standing_by += 1
        try:
            yield
        finally:
            with self._lock:
                self._standing_by -= 1
                self._promised = min(self._promised, self._standing_by)
                self._settle_signal()

    def claim_job(self) -> bool:
        """For a thread standing by, woken by :attr:`backlog_signal`: True when a job is
        promised to it (it should let go and come for it), False when another thread took it.
        """
        with self._lock:
            if not self._promised:
                return False
            self._promised -= 1
            self._settle_signal()
            return True

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.append(job)
            uncovered = len(self._jobs) - self._waiting - self._promised
            if uncovered <= 0:
                self._job_queued.notify()
                return
            if self._count >= self._limit:
                if self._standing_by > self._promised:
                    self._promised += 1
                    self._settle_signal()
                return  # it waits for a thread standing by, or done with its job
            self._count += 1
            number = self._count
        threading.Thread(target=self._work, name=f"{self._name}-{number}", daemon=True).start()

    def close(self) -> None:
        """Release the backlog signal (threads still running finish their jobs)."""
        with self._lock:
            self._closed = True
            os.close(self._backlog_signal)
            os.close(self._backlog_trigger)

    def _settle_signal(self) -> None:
        """Make :attr:`backlog_signal` readable exactly while a job is promised (under the
        lock)."""
        if self._closed or self._signalled == bool(self._promised):
            return
        self._signalled = bool(self._promised)
        if self._signalled:
            os.write(self._backlog_trigger, b"!")
        else:
            os.read(self._backlog_signal, 4096)

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
                self._promised = min(self._promised, len(self._jobs))
                self._settle_signal()
            try:
                job()
            except BaseException as error:  # a job's bug must not take its thread down
                self._logger.error("a request thread failed", exc_info=error)


__all__ = ["IDLE_THREAD_LIFETIME", "RequestThreads"]
