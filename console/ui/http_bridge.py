"""Test requests from the composer, as :class:`Exchange` values the response viewer shows.

One :class:`TestClient` per app keeps that app's cookie jar, so a login made from the
composer survives to the next request exactly as in a browser. Every request carries an
``X-Request-Id`` so its trace can be found in the trace list.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from console.ui.exchange import Exchange, Hop, OutgoingRequest

TIMEOUT_SECONDS = 10.0
MAX_REDIRECTS = 10


class TestClient:
    """An HTTP client with a cookie jar, safe to use from the UI's worker threads."""

    __test__ = False  # not a pytest test class, whatever its name says

    def __init__(self, timeout: float = TIMEOUT_SECONDS) -> None:
        self._client = httpx.Client(timeout=timeout, follow_redirects=False)
        self._lock = threading.Lock()

    def send(self, base_url: str, request: OutgoingRequest) -> Exchange:
        request_id = uuid.uuid4().hex
        url = base_url + request.path
        headers = [*request.headers, ("X-Request-Id", request_id)]
        started = time.perf_counter()
        hops: list[Hop] = []
        try:
            with self._lock:
                response = self._client.request(
                    request.method, url, headers=headers, content=request.body
                )
                while (
                    request.follow_redirects and response.is_redirect and len(hops) < MAX_REDIRECTS
                ):
                    location = response.headers.get("location", "")
                    hops.append(Hop(response.status_code, str(response.url), location))
                    next_request = response.next_request
                    if next_request is None:
                        break
                    next_request.headers["X-Request-Id"] = uuid.uuid4().hex
                    response = self._client.send(next_request)
                body = response.content
        except httpx.HTTPError as error:
            return Exchange(
                request.method,
                url,
                request_id=request_id,
                elapsed_ms=(time.perf_counter() - started) * 1000,
                error=f"{type(error).__name__}: {error or 'no response'}",
                cookies=self.cookies(),
            )
        return Exchange(
            method=request.method,
            url=url,
            status=response.status_code,
            reason=response.reason_phrase,
            headers=tuple((k, v) for k, v in response.headers.multi_items()),
            body=body,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            request_id=request_id,
            redirects=tuple(hops),
            cookies=self.cookies(),
        )

    def cookies(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(
            (cookie.name, cookie.value or "", cookie.path) for cookie in self._client.cookies.jar
        )

    def clear_cookies(self) -> None:
        with self._lock:
            self._client.cookies.clear()

    def close(self) -> None:
        self._client.close()


__all__ = ["TestClient"]
