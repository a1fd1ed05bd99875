"""How much a client may take of a worker: time, connections, threads and bytes.

A development server still meets clients that misbehave: a browser tab left open keeps its
connections, a script opens hundreds, a slow or hostile client sends a request a byte at a
time. Each limit below bounds one of those, so that one client never decides how the server
answers the others.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerLimits:
    """The bounds a :class:`~console.worker_http.server.WorkerHTTPServer` holds its clients to.

    Attributes:
        header_timeout: seconds from a request's first byte until its head must be complete;
            a client slower than that gets 408 and a closed connection.
        idle_timeout: seconds a kept-alive connection may wait for its next request.
        transfer_timeout: seconds a started request may stall, sending its body or reading
            its response, before it is cut.
        max_connections: connections open at once; beyond it the longest-idle one is closed
            to make room, or, with none idle, the newcomer gets 503.
        max_threads: threads running requests at once; more requests wait for one.
        max_head_bytes: size of a request line and header fields together (else 431).
        max_target_bytes: size of the request target (else 414).
        max_header_fields: number of header fields (else 431).
        prefetch_body_bytes: a request body up to this size is read before a thread is
            given to the request, so that a slow body does not hold a thread.
        max_unread_body: what is left of a request body the app did not read is skipped up
            to this size to keep the connection; beyond it the connection is closed.
        closing_linger: seconds a closed connection is still read from (and the bytes
            dropped), so that a client still sending gets the answer rather than a reset.
    """

    header_timeout: float = 10.0
    idle_timeout: float = 30.0
    transfer_timeout: float = 30.0
    max_connections: int = 1000
    max_threads: int = 64
    max_head_bytes: int = 64 * 1024
    max_target_bytes: int = 64 * 1024
    max_header_fields: int = 100
    prefetch_body_bytes: int = 64 * 1024
    max_unread_body: int = 1024 * 1024
    closing_linger: float = 2.0
