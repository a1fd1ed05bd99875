"""When a change to an app's files is reported: at once when a save is complete, and once
more when a burst of changes (a ``git checkout``, a formatter) has gone quiet.

A save is complete when the file is closed after writing, or moved into place (an atomic
rename, how editors and ``sed -i`` save). A write not yet closed, a file created, deleted or
moved away settles after ``settle`` seconds without a close (an editor that renames the old
file away and writes a new one closes it well before then).

The first complete change of a burst is reported at once: a reload is cheap (a warm worker
loads it), so there is no reason to wait. Changes arriving after that report are reported
again once no change came for ``quiet`` seconds (or ``longest`` seconds after the first of
them, for a burst that never goes quiet): a checkout of 200 files reloads at most twice, the
last time with every file in place. Pure and clocked by its caller: tested with plain
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class _Burst:
    pending: dict[str, float] = field(default_factory=dict)
    """Changed paths not yet reported, and when each settles."""
    first_pending: float = 0.0
    last_change: float = 0.0
    reported: bool = False
    """The burst's first change was reported: the next report waits for quiet."""


class ChangeDebouncer:
    """Collects changes per key (an app) and says which keys to report when."""

    def __init__(self, settle: float = 0.1, quiet: float = 0.2, longest: float = 2.0) -> None:
        self._settle = settle
        self._quiet = quiet
        self._longest = longest
        self._bursts: dict[str, _Burst] = {}

    def record(self, key: str, path: str, *, complete: bool, now: float) -> None:
        """``path`` of ``key`` changed; ``complete`` when the change finished a save."""
        burst = self._bursts.setdefault(key, _Burst())
        if not burst.pending:
            burst.first_pending = now
        if complete:
            burst.pending[path] = now
        else:
            burst.pending[path] = max(burst.pending.get(path, now), now + self._settle)
        burst.last_change = now

    def due(self, now: float) -> list[str]:
        """The keys to report now, each once; their pending changes are forgotten."""
        report = []
        for key, burst in list(self._bursts.items()):
            if burst.pending:
                settled = max(burst.pending.values()) <= now
                if burst.reported:
                    quiet = now >= burst.last_change + self._quiet
                    fire = (settled and quiet) or now >= burst.first_pending + self._longest
                else:
                    fire = settled
                if fire:
                    report.append(key)
                    burst.pending.clear()
                    burst.reported = True
            elif now >= burst.last_change + self._quiet:
                del self._bursts[key]  # the burst is over: the next change reports at once
        return sorted(report)

    def next_deadline(self) -> float | None:
        """When :meth:`due` may next have something to do."""
        deadlines = []
        for burst in self._bursts.values():
            if not burst.pending:
                deadlines.append(burst.last_change + self._quiet)
                continue
            settled = max(burst.pending.values())
            if burst.reported:
                quiet = max(settled, burst.last_change + self._quiet)
                deadlines.append(min(quiet, burst.first_pending + self._longest))
            else:
                deadlines.append(settled)
        return min(deadlines) if deadlines else None


__all__ = ["ChangeDebouncer"]
