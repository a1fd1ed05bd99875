"""Runs apps in worker processes and keeps them serving across edits; no Textual in here."""

from __future__ import annotations

from console.supervisor.states import AppLifecycle, AppState, AppStatus, RestartPolicy

__all__ = ["AppLifecycle", "AppState", "AppStatus", "RestartPolicy"]
