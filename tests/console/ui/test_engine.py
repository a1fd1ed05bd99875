"""The inbox between the supervisor's threads and the UI's frames."""

from __future__ import annotations

from console.protocol import Log, StateChanged, Trace
from console.ui.engine import EventInbox


def trace(app: str, n: int) -> Trace:
    return Trace(app, {"id": str(n)})


def test_events_come_out_in_arrival_order_in_batches() -> None:
    inbox = EventInbox()
    for n in range(5):
        inbox.put(trace("a", n))

    assert [event.trace["id"] for event in inbox.drain(limit=3)] == ["0", "1", "2"]
    assert [event.trace["id"] for event in inbox.drain()] == ["3", "4"]


def test_a_ui_too_busy_to_drain_loses_traces_it_is_told_about_not_memory() -> None:
    inbox = EventInbox(capacity=3)
    for n in range(5):
        inbox.put(trace("a", n))
    inbox.put(Log("b", "stdout", "INFO", "printed"))
    state = StateChanged("a", "running")
    inbox.put(state)

    drained = inbox.drain()

    notes = [event for event in drained if isinstance(event, Log)]
    assert [(note.app, note.stream) for note in notes] == [("a", "hookscope"), ("b", "hookscope")]
    assert "2 traces and log lines" in notes[0].message
    assert [event.trace["id"] for event in drained if isinstance(event, Trace)] == ["0", "1", "2"]
    assert drained[-1] is state
    assert inbox.drain() == []
