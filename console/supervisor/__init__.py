"""Runs apps in worker processes and keeps them serving across edits; no Textual in here."""

from __future__ import annotations

from console.supervisor.manager import AppInfo, Supervisor, SupervisorError
from console.supervisor.states import AppLifecycle, AppState, AppStatus, RestartPolicy

__all__ = [
    "AppInfo",
    "AppLifecycle",
    "AppState",
    "AppStatus",
    "RestartPolicy",
    "Supervisor",
    "SupervisorError",
]
