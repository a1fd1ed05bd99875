"""The one place the UI touches the engine: the supervisor and the HTTP test client.

The Textual app only knows the :class:`Engine` protocol: start it with a function that
receives events (called from supervisor threads, so it must be quick and thread-safe — the
app's :class:`EventInbox` is), ask it to reload or restart an app, and send test requests.
:class:`SupervisorEngine` is the real thing; tests and snapshots may give the app any other
object with the same methods, such as one that replays recorded events.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from console.protocol import DEFAULT_GRACE, Event, Log, Trace
from console.supervisor import Supervisor
from console.ui.exchange import Exchange, OutgoingRequest

if TYPE_CHECKING:
    from console.ui.http_bridge import TestClient


@dataclass(frozen=True)
class AppEntry:
    """An app the engine runs: its id (the tab's name) and the target it was started from."""

    app_id: str
    target: str


class Engine(Protocol):
    @property
    def apps(self) -> Sequence[AppEntry]: ...

    def start(self, deliver: Callable[[Event], None]) -> None:
        """Start every app; ``deliver`` then receives every event, from any thread."""

    def reload(self, app_id: str) -> None:
        """Load the app's current code again (zero downtime)."""

    def restart(self, app_id: str) -> None:
        """Reload the app and start over: a fresh worker and an empty cookie jar."""

    def send(self, app_id: str, request: OutgoingRequest) -> Exchange:
        """Send a test request over HTTP; blocking, so the UI calls it from a worker thread."""

    def cookies(self, app_id: str) -> tuple[tuple[str, str, str], ...]:
        """The app's cookie jar as (name, value, path)."""

    def clear_cookies(self, app_id: str) -> None: ...

    def stop(self) -> None:
        """Stop every app and leave no process behind."""


class EventInbox:
    """Where supervisor threads drop events and the UI's timer collects them in batches.

    ``deque.append`` and ``popleft`` are atomic, so producers never wait for the UI and the UI
    never waits for them; only the UI thread drains it. While the UI is too busy to drain,
    traces and log lines beyond ``capacity`` are dropped (the ring could not show them all
    anyway) and counted; the next drain reports the count in each app's log. Every other
    event (states, reloads, load errors) is always kept.
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self._events: collections.deque[Event] = collections.deque()
        self._capacity = capacity
        self._dropped: collections.Counter[str] = collections.Counter()
        self._dropped_lock = threading.Lock()

    def put(self, event: Event) -> None:
        if len(self._events) >= self._capacity and isinstance(event, Trace | Log):
            with self._dropped_lock:
                self._dropped[event.app] += 1
            return
        self._events.append(event)

    def drain(self, limit: int = 50_000) -> list[Event]:
        """Up to ``limit`` events in arrival order; the rest wait for the next frame."""
        taken: list[Event] = []
        if self._dropped:
            with self._dropped_lock:
                dropped, self._dropped = self._dropped, collections.Counter()
        else:
            dropped = collections.Counter()
        for app, count in dropped.items():
            taken.append(
                Log(
                    app,
                    "hookscope",
                    "WARNING",
                    f"the console was too busy to take {count} traces and log lines; "
                    "they were left out",
                )
            )
        while self._events and len(taken) < limit:
            taken.append(self._events.popleft())
        return taken

    def __len__(self) -> int:
        return len(self._events)


def _ignore(event: Event) -> None:
    """Where events would go before the UI starts listening (none come before ``start``)."""


class SupervisorEngine:
    """The real engine: a :class:`Supervisor` for the apps, HTTP test requests to them.

    Test requests go over real HTTP with one cookie jar per app and an ``X-Request-Id`` that
    ties each response to its trace.
    """

    def __init__(
        self,
        targets: Sequence[str],
        *,
        port: int | None = None,
        mask_secrets: bool = False,
        grace: float = DEFAULT_GRACE,
    ) -> None:
        """Bind every app's port now (so names and ports are known); start nothing yet.

        Raises:
            SupervisorError: a target or port the supervisor refuses, in one line.
        """
        self._deliver: Callable[[Event], None] = _ignore
        self._supervisor: Supervisor | None = Supervisor(
            targets,
            self._forward,
            port=port,
            next_free_port=True,
            mask_secrets=mask_secrets,
            drain_grace=grace,
        )
        self._entries = [AppEntry(info.app_id, info.target) for info in self._supervisor.apps]
        self._clients: dict[str, TestClient] = {}
        self._lock = threading.Lock()

    @property
    def apps(self) -> Sequence[AppEntry]:
        return self._entries

    def start(self, deliver: Callable[[Event], None]) -> None:
        self._deliver = deliver
        if self._supervisor is not None:
            self._supervisor.start()

    def _forward(self, event: Event) -> None:
        self._deliver(event)

    def reload(self, app_id: str) -> None:
        if self._supervisor is not None:
            self._supervisor.reload(app_id)

    def restart(self, app_id: str) -> None:
        self.clear_cookies(app_id)
        self.reload(app_id)

    def send(self, app_id: str, request: OutgoingRequest) -> Exchange:
        client = self._client(app_id)
        if client is None:
            return Exchange(request.method, request.path, error="the console is shutting down")
        return client.send(request)

    def cookies(self, app_id: str) -> tuple[tuple[str, str, str], ...]:
        client = self._clients.get(app_id)  # no client yet: no request, no cookie
        return client.cookies() if client is not None else ()

    def clear_cookies(self, app_id: str) -> None:
        client = self._clients.get(app_id)
        if client is not None:
            client.clear_cookies()

    def stop(self) -> None:
        with self._lock:
            supervisor, self._supervisor = self._supervisor, None
        for client in self._clients.values():
            client.close()
        if supervisor is not None:
            supervisor.stop()

    def _client(self, app_id: str) -> TestClient | None:
        # httpx takes a good part of a second to import on a busy machine: the first test
        # request pays for it, not the console's startup.
        from console.ui.http_bridge import TestClient

        with self._lock:
            supervisor = self._supervisor
            if supervisor is None:
                return None
            client = self._clients.get(app_id)
            if client is None:
                client = self._clients[app_id] = TestClient(supervisor.app(app_id).url)
            return client


__all__ = ["AppEntry", "Engine", "EventInbox", "SupervisorEngine"]
