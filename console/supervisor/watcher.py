"""Telling the supervisor when an app's files change.

watchdog observes only the apps' own directories — never ``sys.path`` — and skips the
directories no app's code lives in (``.git``, ``__pycache__``, virtualenvs, caches). The
event handler only files each change under the apps it concerns (see watch_sets.py); a
change nobody depends on (a log written next to the app, a database in its instance folder,
a directory's own "modified" event) is dropped there, so it neither reloads an app nor
delays the reload of one. One loop decides when to report (see debounce.py). When the
kernel drops events (its queue overflowed), watchdog says so with ``on_events_lost``, and
the loop compares each app's file fingerprints with the last ones it saw.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from watchdog.events import EventsLostEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from console.ignored_paths import is_ignored_directory
from console.supervisor.debounce import ChangeDebouncer
from console.supervisor.watch_sets import Fingerprint, WatchSet, is_below

#: A save is complete with these (the file closed after writing); others wait to settle.
_COMPLETING = frozenset({"closed"})
_CHANGES = frozenset({"created", "modified", "deleted", "moved", "closed"})


class _Recorder(FileSystemEventHandler):
    def __init__(self, watcher: FileWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _CHANGES:
            self._watcher._changed(event)

    def on_events_lost(self, event: EventsLostEvent) -> None:
        self._watcher.rescan()


class FileWatcher:
    """Calls ``on_change(key)`` for each watch set a change touched (see debounce.py).

    Args:
        on_change: Called from the watcher's thread with the key of each changed set.
        debouncer: Decides when changes are reported; the defaults suit editors and git.
        observer: The watchdog observer to schedule watches on (the platform's own by
            default).
    """

    def __init__(
        self,
        on_change: Callable[[str], None],
        debouncer: ChangeDebouncer | None = None,
        clock: Callable[[], float] = time.monotonic,
        observer: BaseObserver | None = None,
    ) -> None:
        self._on_change = on_change
        self._debouncer = debouncer or ChangeDebouncer()
        self._clock = clock
        self._sets: dict[str, WatchSet] = {}
        self._fingerprints: dict[str, Fingerprint] = {}
        self._rescan_due = False
        self._lock = threading.Condition()
        self._observer: BaseObserver = observer or Observer()
        self._watches: dict[tuple[str, bool], ObservedWatch] = {}
        self._watches_lock = threading.Lock()
        self._handler = _Recorder(self)
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="hookscope-watcher", daemon=True)

    def start(self) -> None:
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        self._observer.stop()
        self._observer.join(timeout=2.0)
        self._thread.join(timeout=2.0)

    def watch(self, key: str, watch_set: WatchSet) -> None:
        """Watch (or re-watch) one app; its fingerprint baseline is taken now."""
        fingerprint = watch_set.fingerprint()
        with self._lock:
            self._sets[key] = watch_set
            self._fingerprints[key] = fingerprint
        for top in (*watch_set.roots, *watch_set.folders):
            self._observe_tree(top)

    def rescan(self) -> None:
        """Events were lost: compare fingerprints on the next loop turn."""
        with self._lock:
            self._rescan_due = True
            self._lock.notify_all()

    # --- observing -----------------------------------------------------------------------

    def _observe_tree(self, top: str) -> None:
        """Watch ``top`` itself, and each subdirectory that is not ignored, recursively.

        watchdog cannot skip directories inside a recursive watch, so a virtualenv next to
        the app would cost thousands of kernel watches; watching the children one by one
        keeps them out.
        """
        if not os.path.isdir(top):
            return
        self._schedule(top, recursive=False)
        try:
            children = list(os.scandir(top))
        except OSError:
            return
        for child in children:
            if child.is_dir(follow_symlinks=False) and not is_ignored_directory(child.path):
                self._schedule(child.path, recursive=True)

    def _directory_appeared(self, path: str) -> None:
        with self._watches_lock:
            parent_watched = (os.path.dirname(path), False) in self._watches
        if parent_watched and not is_ignored_directory(path):
            self._schedule(path, recursive=True)

    def _schedule(self, path: str, recursive: bool) -> None:
        key = (path, recursive)
        with self._watches_lock:
            if key in self._watches or any(
                deep and is_below(path, watched) for watched, deep in self._watches
            ):
                return
            try:
                watch = self._observer.schedule(self._handler, path, recursive=recursive)
            except OSError:
                return  # the directory vanished or the watch limit is reached; rescans remain
            self._watches[key] = watch

    # --- deciding ------------------------------------------------------------------------

    def _changed(self, event: FileSystemEvent) -> None:
        """File the change under every app it concerns (from watchdog's thread)."""
        kind = event.event_type
        source = os.fsdecode(event.src_path)
        destination = os.fsdecode(event.dest_path) if kind == "moved" else ""
        if event.is_directory:
            if kind in ("created", "moved"):
                self._directory_appeared(destination or source)
            if kind == "modified":
                return  # a directory's "modified" is its listing: the files say what changed
        now = self._clock()
        with self._lock:
            for key, watch_set in self._sets.items():
                concerned = _concerns_directory if event.is_directory else WatchSet.matches
                if concerned(watch_set, source):
                    self._debouncer.record(key, source, complete=kind in _COMPLETING, now=now)
                if destination and concerned(watch_set, destination):
                    self._debouncer.record(key, destination, complete=True, now=now)
            self._lock.notify_all()

    def _loop(self) -> None:
        while True:
            with self._lock:
                keys, rescan = self._next_report()
                if keys is None:
                    return
                sets = dict(self._sets)
            changed = set(keys)
            if rescan:
                changed |= {key for key, ws in sets.items() if self._differs(key, ws)}
            for key in sorted(changed):
                fingerprint = sets[key].fingerprint()
                with self._lock:
                    if key in self._sets:
                        self._fingerprints[key] = fingerprint
                self._on_change(key)

    def _next_report(self) -> tuple[list[str] | None, bool]:
        """Wait until some keys are due or a rescan is; (None, False) once stopped."""
        while not self._stopped:
            keys = self._debouncer.due(self._clock())
            rescan, self._rescan_due = self._rescan_due, False
            if keys or rescan:
                return keys, rescan
            deadline = self._debouncer.next_deadline()
            self._lock.wait(None if deadline is None else max(deadline - self._clock(), 0.001))
        return None, False

    def _differs(self, key: str, watch_set: WatchSet) -> bool:
        with self._lock:
            before = self._fingerprints.get(key)
        return before != watch_set.fingerprint()


def _concerns_directory(watch_set: WatchSet, path: str) -> bool:
    """A directory appearing where a file is expected, or taking away what the app uses."""
    return watch_set.matches(path) or watch_set.holds(path)


__all__ = ["FileWatcher"]
