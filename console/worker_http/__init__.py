"""The worker's HTTP/1.1 server: keep-alive, strict framing, bounded clients, and
connections handed over to the next worker on a reload.

Browsers, curl, httpx and load tools keep a connection open across requests, so the server
keeps it too; Werkzeug's own development server answers every request with
``Connection: close``. On a kept-alive connection every leniency about where a request
ends could hide a second request in the first one's body, so framing is llhttp's (see
``parser``) and a malformed request is refused and its connection closed.

One idea per module:

* ``parser``: bytes to request heads, bodies and refusals;
* ``environ``, ``body``, ``response``, ``exchange``: one request through a WSGI app;
* ``connection``: a client's socket and what was read from it;
* ``keeper``: the one thread holding every connection between requests, with the timeouts
  and the cap on connections; ``threads``: the bounded threads that run requests;
* ``handoff``: letting go of connections when the worker retires;
* ``server``: all of it together; ``limits``: the numbers that bound a client.
"""

from console.worker_http.handoff import ConnectionTaker
from console.worker_http.limits import ServerLimits
from console.worker_http.server import WorkerHTTPServer

__all__ = ["ConnectionTaker", "ServerLimits", "WorkerHTTPServer"]
