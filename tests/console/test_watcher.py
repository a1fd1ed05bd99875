"""The file watcher on a real directory: which changes reach an app, and when."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from watchdog.events import EventsLostEvent
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from console.supervisor.debounce import ChangeDebouncer
from console.supervisor.watch_sets import WatchSet
from console.supervisor.watcher import FileWatcher


class ChangeLog:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.changed = threading.Event()

    def __call__(self, key: str) -> None:
        self.keys.append(key)
        self.changed.set()


class RecordingDebouncer(ChangeDebouncer):
    """Remembers every path filed under an app, in the order the watcher filed them."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def record(self, key: str, path: str, *, complete: bool, now: float) -> None:
        self.paths.append(path)
        super().record(key, path, complete=complete, now=now)


def started(watcher: FileWatcher) -> FileWatcher:
    """Started: the kernel watches are in place once this returns (watchdog adds them in
    ``start``, before its threads run)."""
    watcher.start()
    return watcher


def test_an_editor_save_becomes_one_change_for_the_right_app(tmp_path: Path) -> None:
    changes = ChangeLog()
    watcher = FileWatcher(changes)
    (tmp_path / "one.py").write_text("x = 1\n")
    (tmp_path / "two.py").write_text("y = 1\n")
    for name in ("one", "two"):
        files = frozenset({str(tmp_path / f"{name}.py")})
        watcher.watch(name, WatchSet((str(tmp_path),), files, any_source=False))
    started(watcher)
    try:
        # what vim does on :w — probe file, backup by rename, write anew, drop the backup
        (tmp_path / "4913").write_text("")
        (tmp_path / "4913").unlink()
        (tmp_path / "one.py").rename(tmp_path / "one.py~")
        (tmp_path / "one.py").write_text("x = 2\n")
        (tmp_path / "one.py~").unlink()
        (tmp_path / ".one.py.swp").write_text("swap")
        (tmp_path / "two.py").write_text("y = 2\n")
        assert changes.changed.wait(5)
        deadline = time.monotonic() + 5
        while len(changes.keys) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sorted(changes.keys) == ["one", "two"]
    finally:
        watcher.stop()


def test_an_atomic_rename_save_is_one_change(tmp_path: Path) -> None:
    changes = ChangeLog()
    debouncer = RecordingDebouncer()
    watcher = FileWatcher(changes, debouncer)
    app = tmp_path / "app.py"
    app.write_text("x = 1\n")
    watcher.watch("app", WatchSet((str(tmp_path),), frozenset({str(app)}), any_source=False))
    started(watcher)
    try:
        temporary = tmp_path / "sedXk2j9a"  # how sed -i saves
        temporary.write_text("x = 2\n")
        os.replace(temporary, app)
        assert changes.changed.wait(5)
        assert changes.keys == ["app"] and debouncer.paths == [str(app)]
    finally:
        watcher.stop()


def test_what_the_app_writes_never_reaches_it_but_a_config_file_it_read_does(
    tmp_path: Path,
) -> None:
    """A database in the instance folder (and its journal), uploads, a log next to the app,
    and the directory events all that produces: none concerns the app. The config file it
    read, in the same folder, does."""
    instance = tmp_path / "instance"
    uploads = tmp_path / "static" / "uploads"
    instance.mkdir()
    uploads.mkdir(parents=True)
    config = instance / "config.py"
    config.write_text("SECRET_KEY = 'dev'\n")
    app = tmp_path / "app.py"
    app.write_text("x = 1\n")
    changes = ChangeLog()
    debouncer = RecordingDebouncer()
    watcher = FileWatcher(changes, debouncer)
    files = frozenset({str(app), str(config)})
    watcher.watch("app", WatchSet((str(tmp_path),), files, any_source=False))
    started(watcher)
    try:
        database = sqlite3.connect(instance / "app.sqlite")
        with database:
            database.execute("CREATE TABLE user (name TEXT)")
            database.execute("INSERT INTO user VALUES ('ada')")
        database.close()
        (uploads / "avatar.png").write_bytes(b"\x89PNG")
        (tmp_path / "requests.txt").write_text("GET /\n")
        with (tmp_path / "out.log").open("a") as log:
            log.write("GET / 200\n")
        (instance / "sessions").mkdir()
        config.write_text("SECRET_KEY = 'changed'\n")
        assert changes.changed.wait(5)
        assert changes.keys == ["app"]
        assert set(debouncer.paths) == {str(config)}
    finally:
        watcher.stop()


def test_lost_events_make_the_watcher_compare_what_it_saw(tmp_path: Path) -> None:
    """watchdog says the kernel dropped events (EventsLostEvent): the watcher rescans."""
    observed, unobserved = tmp_path / "observed", tmp_path / "unobserved"
    observed.mkdir()
    unobserved.mkdir()
    module = unobserved / "settings.py"
    module.write_text("DEBUG = False\n")
    changes = ChangeLog()
    observer = Observer()
    watcher = FileWatcher(changes, observer=observer)
    watcher.watch("app", WatchSet((str(observed),), frozenset({str(module)}), any_source=False))
    started(watcher)
    try:
        module.write_text("DEBUG = True  # a change no event reports\n")
        lost = EventsLostEvent(str(observed), is_directory=True)
        observer.event_queue.put((lost, ObservedWatch(str(observed), recursive=False)))
        assert changes.changed.wait(5)
        assert changes.keys == ["app"]
    finally:
        watcher.stop()


def test_a_broken_app_reloads_for_a_new_module_and_a_working_one_does_not(
    tmp_path: Path,
) -> None:
    changes = ChangeLog()
    debouncer = RecordingDebouncer()
    watcher = FileWatcher(changes, debouncer)
    app = tmp_path / "app.py"
    app.write_text("import helpers\n")
    watcher.watch("working", WatchSet((str(tmp_path),), frozenset({str(app)}), any_source=False))
    watcher.watch("broken", WatchSet((str(tmp_path),), frozenset({str(app)}), any_source=True))
    started(watcher)
    try:
        (tmp_path / "helpers.py").write_text("x = 1\n")
        assert changes.changed.wait(5)
        assert changes.keys == ["broken"]
    finally:
        watcher.stop()
