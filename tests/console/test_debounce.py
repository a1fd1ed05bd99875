"""When changes are reported, with plain numbers for the clock."""

from __future__ import annotations

from console.supervisor.debounce import ChangeDebouncer


def debouncer() -> ChangeDebouncer:
    return ChangeDebouncer(settle=0.1, quiet=0.2, longest=2.0)


def test_a_save_closed_after_writing_is_reported_at_once() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/shop.py", complete=False, now=10.0)
    assert changes.due(10.0) == [], "written, not yet closed"
    changes.record("shop", "/srv/shop.py", complete=True, now=10.001)
    assert changes.due(10.001) == ["shop"]
    assert changes.due(10.002) == [], "once"


def test_an_atomic_rename_is_complete_when_it_lands() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/shop.py", complete=True, now=5.0)
    assert changes.due(5.0) == ["shop"]


def test_a_write_never_closed_settles_after_a_while() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/shop.py", complete=False, now=1.0)
    assert changes.next_deadline() == 1.1
    assert changes.due(1.09) == []
    assert changes.due(1.1) == ["shop"]


def test_a_file_renamed_away_and_written_anew_waits_for_the_new_one() -> None:
    """What vim does by default: the old file is moved to a backup, a new one is written."""
    changes = debouncer()
    changes.record("shop", "/srv/shop.py", complete=False, now=1.0)  # moved away
    changes.record("shop", "/srv/shop.py", complete=False, now=1.002)  # created, written
    assert changes.due(1.003) == []
    changes.record("shop", "/srv/shop.py", complete=True, now=1.004)  # closed
    assert changes.due(1.004) == ["shop"]


def test_changes_after_the_first_report_are_reported_once_quiet() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/a.py", complete=True, now=0.0)
    assert changes.due(0.0) == ["shop"], "the first change: at once"
    for step in range(1, 200):  # a checkout: a file every 2 ms
        changes.record("shop", f"/srv/m{step}.py", complete=True, now=step * 0.002)
        assert changes.due(step * 0.002) == []
    last = 199 * 0.002
    assert changes.next_deadline() == last + 0.2
    assert changes.due(last + 0.19) == []
    assert changes.due(last + 0.2) == ["shop"], "then once more, with every file in place"
    assert changes.due(last + 1.0) == []


def test_a_burst_that_never_goes_quiet_is_reported_every_so_often() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/a.py", complete=True, now=0.0)
    assert changes.due(0.0) == ["shop"]
    reports = []
    for step in range(1, 300):  # a change every 10 ms for 3 s
        now = step * 0.01
        changes.record("shop", "/srv/a.py", complete=True, now=now)
        reports += [now for _ in changes.due(now)]
    assert [round(at, 2) for at in reports] == [2.01]


def test_a_save_after_the_burst_ended_is_reported_at_once_again() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/a.py", complete=True, now=0.0)
    assert changes.due(0.0) == ["shop"]
    assert changes.due(0.25) == [], "the burst ends quietly"
    changes.record("shop", "/srv/a.py", complete=True, now=0.4)
    assert changes.due(0.4) == ["shop"], "saves 0.4 s apart: each one at once"


def test_apps_are_reported_separately() -> None:
    changes = debouncer()
    changes.record("shop", "/srv/shop.py", complete=True, now=0.0)
    changes.record("blog", "/srv/blog.py", complete=False, now=0.0)
    assert changes.due(0.0) == ["shop"]
    assert changes.due(0.1) == ["blog"]
    assert changes.next_deadline() == 0.2, "when both bursts are over"
    assert changes.due(0.2) == [] and changes.next_deadline() is None
