"""Runs apps in worker processes and keeps them serving across edits; no Textual in here.

- :mod:`~console.supervisor.manager`: the :class:`Supervisor`, wiring everything below;
- :mod:`~console.supervisor.states`: each app's lifecycle, a state machine with no I/O;
- :mod:`~console.supervisor.managed_app`: one app's port, lifecycle and workers;
- :mod:`~console.supervisor.control_loop`: the one thread every decision runs on;
- :mod:`~console.supervisor.process`, :mod:`~console.supervisor.spares`,
  :mod:`~console.supervisor.output`: worker processes, warm spares, their printed output;
- :mod:`~console.supervisor.watcher`, :mod:`~console.supervisor.watch_sets`,
  :mod:`~console.supervisor.debounce`: which files matter, and when a change is reported;
- :mod:`~console.supervisor.unavailable`: the 503 answer while no version can serve;
- :mod:`~console.supervisor.ports`: binding each app's port once.
"""

from __future__ import annotations

from console.supervisor.managed_app import AppInfo
from console.supervisor.manager import Supervisor, SupervisorError
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
