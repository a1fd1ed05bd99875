"""Warm spare workers, so a reload skips the interpreter's start-up."""

from __future__ import annotations

import threading
from collections.abc import Callable

from console.supervisor.process import WorkerProcess


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


__all__ = ["SparePool"]
