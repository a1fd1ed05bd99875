"""Test requests from the composer, as :class:`Exchange` values the response viewer shows.

A thin adapter over :class:`console.http_client.AppClient`: one per app keeps that app's
cookie jar, so a login made from the composer survives to the next request exactly as in a
browser, and every request carries an ``X-Request-Id`` that ties it to its trace.

Requests are sent one at a time (on the UI's worker threads, so the next one carries the
cookies the previous one got), but reading or clearing the jar never waits for a request in
flight: those are what the keys ``ctrl+o`` and ``R`` do on the UI thread, and nothing a key
does may wait on the network. The jar guards itself; a response that arrives after a clear
may set its cookies again, as in a browser.
"""

from __future__ import annotations

import threading

from console.http_client import AppClient, RequestFailed
from console.ui.exchange import Exchange, Hop, OutgoingRequest


class TestClient:
    """An :class:`AppClient` safe to share between the UI's worker threads."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, base_url: str) -> None:
        self._client = AppClient(base_url)
        self._one_at_a_time = threading.Lock()

    def send(self, request: OutgoingRequest) -> Exchange:
        try:
            with self._one_at_a_time:
                result = self._client.send(
                    request.method,
                    request.path,
                    headers=list(request.headers),
                    content=request.body,
                    follow_redirects=request.follow_redirects,
                )
        except RequestFailed as error:
            return Exchange(request.method, request.path, error=str(error), cookies=self.cookies())
        return Exchange(
            method=result.method,
            url=result.url,
            status=result.status,
            reason=result.reason,
            headers=result.headers,
            body=result.body,
            elapsed_ms=result.elapsed_ms + sum(hop.elapsed_ms for hop in result.redirects),
            request_id=result.trace_id,
            redirects=tuple(Hop(hop.status, hop.url, hop.location) for hop in result.redirects),
            cookies=self.cookies(),
        )

    def cookies(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((cookie.name, cookie.value, cookie.path) for cookie in self._client.cookies)

    def clear_cookies(self) -> None:
        self._client.clear_cookies()

    def close(self) -> None:
        self._client.close()


__all__ = ["TestClient"]
