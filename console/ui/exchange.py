"""What the composer sends and what comes back: plain values shared by the UI and the engine.

They live apart from the widgets so that the engine (and its tests) need no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutgoingRequest:
    """What the composer asks the engine to send."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    follow_redirects: bool = False


@dataclass(frozen=True)
class Hop:
    """One response in a redirect chain."""

    status: int
    url: str
    location: str | None = None


@dataclass(frozen=True)
class Exchange:
    """A test request's outcome as the viewer shows it; ``error`` when none came back."""

    method: str
    url: str
    status: int | None = None
    reason: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    elapsed_ms: float = 0.0
    request_id: str = ""
    redirects: tuple[Hop, ...] = ()
    error: str | None = None
    cookies: tuple[tuple[str, str, str], ...] = ()


__all__ = ["Exchange", "Hop", "OutgoingRequest"]
