"""What each app depends on: the files and folders whose change should reload it.

Before an app ever loaded, that is its file's (or package's) directory, any Python file in
it. Once loaded, it is exactly what the worker reported (see console/worker/app_description.py):
its imported modules, the files it read while loading (config files) and its template folders.
What the app writes — its instance folder, databases, uploads, logs — is not in it, so the
app's own writes never reload it. After a load error any Python file under its directories
counts again (the fix may be a module the app never managed to import), plus the files the
failed load read.
"""

from __future__ import annotations

import importlib.machinery
import os
from dataclasses import dataclass, replace
from pathlib import Path

from console.ignored_paths import IGNORED_DIRECTORIES, is_ignored
from console.protocol import LoadError, Ready
from console.targets import TargetError, parse_target

_FINGERPRINT_LIMIT = 5_000
Fingerprint = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class WatchSet:
    """What one app depends on.

    ``files`` are its modules and config files; ``folders`` its template folders (anything
    below them counts). ``roots`` are the directories to observe; under them, while the app
    has no working version (``any_source``), any Python file counts too.
    """

    roots: tuple[str, ...]
    files: frozenset[str] = frozenset()
    folders: tuple[str, ...] = ()
    any_source: bool = True

    def matches(self, path: str) -> bool:
        """A change to the file ``path`` concerns this app."""
        if is_ignored(path):
            return False
        if path in self.files or any(is_below(path, folder) for folder in self.folders):
            return True
        return (
            self.any_source
            and path.endswith(".py")
            and any(is_below(path, root) for root in self.roots)
        )

    def holds(self, directory: str) -> bool:
        """Removing or moving ``directory`` concerns this app (something it uses is below)."""
        if is_ignored(os.path.join(directory, "x")):
            return False
        return any(is_below(path, directory) for path in (*self.files, *self.folders)) or (
            self.any_source and any(is_below(directory, root) for root in self.roots)
        )

    def fingerprint(self) -> Fingerprint:
        """(mtime, size) of every file that matters, for a rescan after lost events."""
        found: Fingerprint = {}
        tops = (*self.folders, *(self.roots if self.any_source else ()))
        for top in tops:
            for directory, subdirectories, names in os.walk(top):
                subdirectories[:] = [d for d in subdirectories if d not in IGNORED_DIRECTORIES]
                for name in names:
                    path = os.path.join(directory, name)
                    if len(found) >= _FINGERPRINT_LIMIT:
                        return found
                    if self.matches(path):
                        found[path] = _stat(path)
        for path in self.files:
            found.setdefault(path, _stat(path))
        return found


def _stat(path: str) -> tuple[int, int]:
    try:
        stat = os.stat(path)
    except OSError:
        return (-1, -1)
    return (stat.st_mtime_ns, stat.st_size)


def is_below(path: str, directory: str) -> bool:
    """``path`` is ``directory`` or lies somewhere inside it."""
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def initial_watch_set(target: str, cwd: str) -> WatchSet:
    """What to watch before the app has ever loaded: its file's or package's directory."""
    try:
        spec = parse_target(target)
    except TargetError:
        return WatchSet(roots=())  # no edit can fix a target string; nothing to watch
    if spec.kind == "path":
        path = Path(cwd, spec.location).resolve()
        root = path if path.is_dir() else path.parent
        return WatchSet(roots=(str(root),), files=frozenset({str(path)}))
    top = spec.location.split(".")[0]
    found = importlib.machinery.PathFinder.find_spec(top, [cwd])
    if found is not None and found.submodule_search_locations:
        return WatchSet(roots=tuple(found.submodule_search_locations))
    if found is not None and found.origin:
        return WatchSet(roots=(cwd,), files=frozenset({found.origin}))
    return WatchSet(roots=(cwd,))


def ready_watch_set(ready: Ready) -> WatchSet:
    """What a loaded app depends on, from what its worker reported."""
    return WatchSet(
        roots=_roots(ready.root_path, ready.watch_files),
        files=frozenset(ready.watch_files),
        folders=ready.watch_dirs,
        any_source=False,
    )


def after_load_error(watch_set: WatchSet, error: LoadError | None = None) -> WatchSet:
    """What to watch once a load failed: any source under the roots, and what it read."""
    if error is None or not error.watch_files:
        return replace(watch_set, any_source=True)
    root = watch_set.roots[0] if watch_set.roots else os.path.dirname(error.watch_files[0])
    return WatchSet(
        roots=tuple(sorted({*watch_set.roots, *_roots(root, error.watch_files)})),
        files=watch_set.files | frozenset(error.watch_files),
        folders=watch_set.folders,
        any_source=True,
    )


def _roots(root: str, files: tuple[str, ...]) -> tuple[str, ...]:
    roots = {root}
    roots.update(os.path.dirname(f) for f in files if not is_below(f, root))
    return tuple(sorted(roots))


__all__ = [
    "Fingerprint",
    "WatchSet",
    "is_below",
    "after_load_error",
    "initial_watch_set",
    "ready_watch_set",
]
