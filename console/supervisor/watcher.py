"""Which files each app depends on, and telling the supervisor when they change.

watchdog observes only the apps' own directories — never ``sys.path`` — and skips the
directories no app's code lives in (``.git``, ``__pycache__``, virtualenvs, caches). The
event handler only records paths; one loop decides: it waits for a burst (an editor's save,
a ``git checkout``) to go quiet, then names each app whose files were among the changed
ones, once. If the kernel's event queue overflows, events are lost, so the loop rescans:
it compares each app's file fingerprints with the last ones it saw.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

IGNORED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".venv",
        "venv",
        ".env",
        "env",
        "site-packages",
        "node_modules",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".idea",
        ".vscode",
        ".eggs",
        "build",
        "dist",
    }
)
CONFIG_SUFFIXES = frozenset({".cfg", ".ini", ".toml", ".json", ".yaml", ".yml", ".env"})
#: Changes that do not alter content (opened, closed without writing, attrib) are ignored.
CONTENT_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})
_FINGERPRINT_LIMIT = 5_000


#: Files an app writes while it runs (a database in its instance folder, a log): a change to
#: them must not reload the app, or every request that writes would restart it.
RUNTIME_DATA_SUFFIXES = (
    ".db",
    ".sqlite",
    ".sqlite3",
    "-journal",
    "-wal",
    "-shm",
    ".log",
    ".pid",
    ".lock",
)


def is_ignored(path: str) -> bool:
    """True for editor droppings, bytecode, runtime data, and anything in an ignored directory."""
    parts = Path(path).parts
    if any(part in IGNORED_DIRECTORIES or part.endswith(".egg-info") for part in parts[:-1]):
        return True
    name = parts[-1] if parts else ""
    return (
        name.endswith(("~", ".swp", ".swo", ".swx", ".swpx", ".pyc", ".pyo", ".tmp", ".bak"))
        or name.endswith(RUNTIME_DATA_SUFFIXES)
        or name.startswith((".#", "#"))
        or name == "4913"  # vim probes a directory's writability with this file
        or name in IGNORED_DIRECTORIES
    )


@dataclass(frozen=True)
class WatchSet:
    """What one app depends on.

    ``files`` are its imported modules; ``folders`` its templates, static files and instance
    folder (anything below them counts). Under ``roots``, config-like files count too, and,
    while the app has no working version (``any_source``), any Python file does — the fix
    for an import error may be a module the app never managed to import.
    """

    roots: tuple[str, ...]
    files: frozenset[str] = frozenset()
    folders: tuple[str, ...] = ()
    any_source: bool = True

    def matches(self, path: str) -> bool:
        if is_ignored(path):
            return False
        if path in self.files or any(_is_below(path, folder) for folder in self.folders):
            return True
        if not any(_is_below(path, root) for root in self.roots):
            return False
        suffix = os.path.splitext(path)[1]
        if suffix == ".py":
            return self.any_source
        return suffix in CONFIG_SUFFIXES

    def fingerprint(self) -> dict[str, tuple[int, int]]:
        """(mtime, size) of every file that matters, found by walking the roots and folders."""
        found: dict[str, tuple[int, int]] = {}
        for top in (*self.roots, *self.folders):
            for directory, subdirectories, names in os.walk(top):
                subdirectories[:] = [d for d in subdirectories if d not in IGNORED_DIRECTORIES]
                for name in names:
                    path = os.path.join(directory, name)
                    if len(found) >= _FINGERPRINT_LIMIT:
                        return found
                    if self.matches(path):
                        try:
                            stat = os.stat(path)
                        except OSError:
                            continue
                        found[path] = (stat.st_mtime_ns, stat.st_size)
        for path in self.files:
            if path not in found:
                try:
                    stat = os.stat(path)
                    found[path] = (stat.st_mtime_ns, stat.st_size)
                except OSError:
                    found[path] = (-1, -1)
        return found


def _is_below(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


@dataclass
class _Pending:
    paths: set[str] = field(default_factory=set)
    first_at: float | None = None
    last_at: float = 0.0
    rescan: bool = False


class _Recorder(FileSystemEventHandler):
    def __init__(self, watcher: FileWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CONTENT_EVENTS:
            return
        paths = [os.fsdecode(event.src_path)]
        if event.event_type == "moved":
            paths.append(os.fsdecode(event.dest_path))
        if event.is_directory and event.event_type in ("created", "moved"):
            self._watcher._directory_appeared(paths[-1])
        self._watcher._record(paths)


class _OverflowSpotter(logging.Handler):
    """watchdog reports a kernel queue overflow only in its log; that is our cue to rescan."""

    def __init__(self, watcher: FileWatcher) -> None:
        super().__init__(logging.WARNING)
        self._watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if "overflow" in record.getMessage().lower():
            self._watcher.rescan()


class FileWatcher:
    """Calls ``on_change(key)`` once per quiet burst for each watch set a change touched.

    A lone save is reported after a short quiet period, so a reload starts at once. Events
    soon after a report are more likely part of a longer burst (a checkout, a formatter
    rewriting files, an editor saving repeatedly), so then the loop waits longer for quiet.

    Args:
        on_change: Called from the watcher's thread with the key of each changed set.
        quiet: A burst ends when no event came for this long (seconds).
        busy_quiet: The quiet period used within ``busy_window`` seconds of the last report.
        max_delay: A burst that goes on this long is reported anyway (``busy_max_delay``
            for a burst that began soon after a report).
    """

    def __init__(
        self,
        on_change: Callable[[str], None],
        quiet: float = 0.02,
        busy_quiet: float = 0.25,
        busy_window: float = 0.5,
        max_delay: float = 0.6,
        busy_max_delay: float = 2.0,
    ) -> None:
        self._on_change = on_change
        self._quiet = quiet
        self._busy_quiet = busy_quiet
        self._busy_window = busy_window
        self._last_report = float("-inf")
        self._max_delay = max_delay
        self._busy_max_delay = busy_max_delay
        self._sets: dict[str, WatchSet] = {}
        self._fingerprints: dict[str, dict[str, tuple[int, int]]] = {}
        self._pending = _Pending()
        self._lock = threading.Condition()
        self._observer: BaseObserver = Observer()
        self._watches: dict[tuple[str, bool], ObservedWatch] = {}
        self._watches_lock = threading.Lock()
        self._handler = _Recorder(self)
        self._overflow_spotter = _OverflowSpotter(self)
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="hookscope-watcher", daemon=True)

    def start(self) -> None:
        logging.getLogger("watchdog.observers").addHandler(self._overflow_spotter)
        self._observer.start()
        self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        logging.getLogger("watchdog.observers").removeHandler(self._overflow_spotter)
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
        """Events may have been lost: compare fingerprints on the next loop turn."""
        with self._lock:
            self._pending.rescan = True
            self._pending.first_at = self._pending.first_at or time.monotonic()
            self._pending.last_at = time.monotonic()
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
            if child.is_dir(follow_symlinks=False) and not is_ignored(child.path + os.sep + "x"):
                self._schedule(child.path, recursive=True)

    def _directory_appeared(self, path: str) -> None:
        with self._watches_lock:
            parent_watched = (os.path.dirname(path), False) in self._watches
        if parent_watched and not is_ignored(path + os.sep + "x"):
            self._schedule(path, recursive=True)

    def _schedule(self, path: str, recursive: bool) -> None:
        key = (path, recursive)
        with self._watches_lock:
            if key in self._watches or any(
                deep and _is_below(path, watched) for watched, deep in self._watches
            ):
                return
            try:
                watch = self._observer.schedule(self._handler, path, recursive=recursive)
            except OSError:
                return  # the directory vanished or the watch limit is reached; rescans remain
            self._watches[key] = watch

    # --- deciding ------------------------------------------------------------------------

    def _record(self, paths: Iterable[str]) -> None:
        relevant = [p for p in paths if not is_ignored(p)]
        if not relevant:
            return
        now = time.monotonic()
        with self._lock:
            self._pending.paths.update(relevant)
            if self._pending.first_at is None:
                self._pending.first_at = now
            self._pending.last_at = now
            self._lock.notify_all()

    def _loop(self) -> None:
        while True:
            with self._lock:
                batch = self._wait_for_burst()
                if batch is None:
                    return
                sets = dict(self._sets)
            changed = {key for key, ws in sets.items() if any(ws.matches(p) for p in batch.paths)}
            if batch.rescan:
                changed |= self._rescan(sets)
            for key in sorted(changed):
                fingerprint = sets[key].fingerprint()
                with self._lock:
                    if key in self._sets:
                        self._fingerprints[key] = fingerprint
                self._on_change(key)

    def _wait_for_burst(self) -> _Pending | None:
        while True:
            if self._stopped:
                return None
            pending = self._pending
            if pending.first_at is None:
                self._lock.wait()
                continue
            now = time.monotonic()
            busy = pending.first_at - self._last_report < self._busy_window
            quiet, longest = (
                (self._busy_quiet, self._busy_max_delay) if busy else (self._quiet, self._max_delay)
            )
            due = min(pending.last_at + quiet, pending.first_at + longest)
            if now >= due:
                self._pending = _Pending()
                self._last_report = now
                return pending
            self._lock.wait(due - now)

    def _rescan(self, sets: dict[str, WatchSet]) -> set[str]:
        changed = set()
        for key, watch_set in sets.items():
            with self._lock:
                before = self._fingerprints.get(key)
            if before != watch_set.fingerprint():
                changed.add(key)
        return changed


__all__ = ["CONFIG_SUFFIXES", "IGNORED_DIRECTORIES", "FileWatcher", "WatchSet", "is_ignored"]
