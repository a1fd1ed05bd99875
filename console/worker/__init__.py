"""The worker process: ``python -m console.worker --channel-fd N``.

A worker starts warm — it imports the framework and the HTTP server, says ``spare`` and
waits — so that when the supervisor sends ``load`` only the app's own code is left to
import. It then serves the app on the listening socket that came with the ``load`` command
(bound by the supervisor on 127.0.0.1, so the port survives reloads) and streams events back
over the channel, a socket only the supervisor holds the other end of. The app's ``print``
output reaches the supervisor through the worker's stdout/stderr pipes (read there, so
output survives a crash); logging records come through the channel with their level.

- :mod:`~console.worker.lifecycle`: the worker's life, from ``spare`` to ``stopping``;
- :mod:`~console.worker.sender`: the channel's sending side, with bounded outboxes;
- :mod:`~console.worker.app_description`: the url_map and the app's files, as plain data;
- :mod:`~console.worker.files_read`: the config files an app reads while it loads;
- :mod:`~console.worker.in_flight`: the requests running, for draining and cutting;
- :mod:`~console.worker.load_errors`: why a load failed, in the user's code;
- :mod:`~console.worker.channel_log`: logging records as ``log`` events;
- :mod:`~console.worker.http_server`: the one use of console/worker_http.py;
- :mod:`~console.worker.title`: the name ``ps`` shows;
- :mod:`~console.worker.__main__`: the command line.
"""

from __future__ import annotations

from console.worker.app_description import app_files, describe_routes
from console.worker.load_errors import load_error_from

__all__ = ["app_files", "describe_routes", "load_error_from"]
