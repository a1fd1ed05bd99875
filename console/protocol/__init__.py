"""The messages between a worker process and the supervisor, and their JSON-lines encoding.

One definition shared by the worker, the supervisor, the TUI, ``hookscope watch --json`` and
the tests. It imports only the standard library so that any of them (and any outside tool
reading ``--json`` output) can use it without pulling in the framework.

- :mod:`~console.protocol.messages`: the events and commands, one dataclass each;
- :mod:`~console.protocol.routes`: the url_map as plain data, and route diffs;
- :mod:`~console.protocol.framing`: JSON lines, decoding, and cutting a stream into lines;
- :mod:`~console.protocol.schema`: checking a decoded line field by field;
- :mod:`~console.protocol.trimming`: fitting an oversized trace into one line.
"""

from __future__ import annotations

from console.protocol import framing, messages, routes
from console.protocol.framing import *  # noqa: F403
from console.protocol.messages import *  # noqa: F403
from console.protocol.routes import *  # noqa: F403
from console.protocol.schema import ProtocolError

__all__ = ["ProtocolError"]
__all__ += framing.__all__
__all__ += messages.__all__
__all__ += routes.__all__
