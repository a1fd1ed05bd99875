"""Test requests to a running app over real HTTP, as a browser would send them.

Each app gets its own :class:`AppClient` with its own cookie jar, so a login persists across
requests exactly as in a browser. Every request carries an ``X-Request-Id``; the framework
uses it as the trace's id, which is how a response is matched with its trace. Redirects are
followed only on request, one hop at a time, so each hop is recorded (with its own request
id) — and never off to another host: the console talks to the apps it runs, nothing else.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

DEFAULT_TIMEOUT = 10.0
MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 10


class RequestFailed(Exception):
    """No HTTP response came back; the message says why in one line."""


class _NoJson:
    def __repr__(self) -> str:
        return "NO_JSON"


NO_JSON: Any = _NoJson()


@dataclass(frozen=True)
class Hop:
    """One request of a redirect chain and the redirect it got."""

    method: str
    url: str
    status: int
    location: str | None
    request_id: str
    elapsed_ms: float


@dataclass(frozen=True)
class HttpResult:
    """What came back. ``redirects`` are the hops before the final response, in order."""

    method: str
    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    body_truncated: bool
    elapsed_ms: float
    request_id: str
    redirects: tuple[Hop, ...] = field(default=())

    @property
    def trace_id(self) -> str:
        """The id of the final response's trace (the last hop's request id)."""
        return self.request_id

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    domain: str
    path: str


def new_request_id() -> str:
    return uuid.uuid4().hex


class AppClient:
    """Sends requests to one app and keeps its cookies.

    Args:
        base_url: The app's URL, e.g. ``http://127.0.0.1:5000/``.
        timeout: Seconds to wait for a response unless a request says otherwise.
        max_body: Bytes of a response body kept; the rest is read and discarded.
    """

    def __init__(
        self, base_url: str, timeout: float = DEFAULT_TIMEOUT, max_body: int = MAX_BODY_BYTES
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self._timeout = timeout
        self._max_body = max_body
        self._client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    @property
    def cookies(self) -> list[Cookie]:
        return [
            Cookie(cookie.name, cookie.value or "", cookie.domain, cookie.path)
            for cookie in self._client.cookies.jar
        ]

    def clear_cookies(self) -> None:
        self._client.cookies.clear()

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        form: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        json: Any = NO_JSON,
        content: bytes | str | None = None,
        follow_redirects: bool = False,
        timeout: float | None = None,
        request_id: str | None = None,
    ) -> HttpResult:
        """Send one request (and, if asked, the requests its redirects lead to).

        ``path`` is relative to the app's URL ("/login?next=/"), or an absolute URL on the
        same host and port. At most one of ``form``, ``json`` and ``content`` is the body.

        Raises:
            RequestFailed: The request could not be sent or no response came in time.
        """
        bodies = [form is not None, json is not NO_JSON, content is not None]
        if sum(bodies) > 1:
            raise RequestFailed("give only one body: form fields, JSON or raw content")
        url = self._resolve(path)
        request_id = request_id or _given_id(headers) or new_request_id()
        wait = self._timeout if timeout is None else timeout
        try:
            target = httpx.URL(url)
            for key, value in _pairs(params):
                target = target.copy_add_param(key, value)
            request = self._client.build_request(
                method.upper(),
                target,
                headers=self._with_id(headers, request_id),
                data=dict(form) if form is not None else None,
                json=None if json is NO_JSON else json,
                content=content,
                timeout=wait,
            )
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, TypeError) as error:
            raise RequestFailed(f"cannot build the request: {_one_line(error)}") from None
        hops: list[Hop] = []
        while True:
            result = self._exchange(request, request_id, wait)
            location = result.header("location")
            next_url = urljoin(str(request.url), location) if location else None
            redirect = 300 <= result.status < 400 and next_url is not None
            if not (follow_redirects and redirect and next_url and self._is_same_app(next_url)):
                return HttpResult(**{**result.__dict__, "redirects": tuple(hops)})
            if len(hops) >= MAX_REDIRECTS:
                raise RequestFailed(f"more than {MAX_REDIRECTS} redirects; last to {location}")
            hops.append(
                Hop(
                    result.method,
                    result.url,
                    result.status,
                    location,
                    request_id,
                    result.elapsed_ms,
                )
            )
            request_id = f"{request_id.split('.')[0]}.{len(hops)}"
            becomes_get = result.status in (301, 302, 303) and request.method != "HEAD"
            method_next = "GET" if becomes_get else None
            request = self._follow(request, next_url, method_next, request_id, wait)

    # --- internals ---------------------------------------------------------------------------

    def _exchange(self, request: httpx.Request, request_id: str, wait: float) -> HttpResult:
        started = time.perf_counter()
        try:
            response = self._client.send(request, stream=True)
            try:
                body, truncated = self._read_body(response)
            finally:
                response.close()
        except httpx.TimeoutException:
            raise RequestFailed(f"no response from {request.url} within {wait:g} s") from None
        except httpx.ConnectError as error:
            raise RequestFailed(f"cannot connect to {request.url}: {_one_line(error)}") from None
        except (httpx.HTTPError, ValueError) as error:
            raise RequestFailed(f"request to {request.url} failed: {_one_line(error)}") from None
        elapsed = (time.perf_counter() - started) * 1000
        return HttpResult(
            method=request.method,
            url=str(request.url),
            status=response.status_code,
            reason=response.reason_phrase,
            headers=tuple(response.headers.multi_items()),
            body=body,
            body_truncated=truncated,
            elapsed_ms=elapsed,
            request_id=request_id,
        )

    def _read_body(self, response: httpx.Response) -> tuple[bytes, bool]:
        kept = bytearray()
        truncated = False
        for chunk in response.iter_bytes():
            room = self._max_body - len(kept)
            if len(chunk) > room:
                kept += chunk[: max(room, 0)]
                truncated = True
            else:
                kept += chunk
        return bytes(kept), truncated

    def _follow(
        self,
        previous: httpx.Request,
        url: str,
        method: str | None,
        request_id: str,
        wait: float,
    ) -> httpx.Request:
        keep_body = method is None
        headers = [
            (key, value)
            for key, value in previous.headers.multi_items()
            if key.lower() not in ("x-request-id", "cookie", "host", "content-length")
            and (keep_body or key.lower() != "content-type")
        ]
        headers.append(("X-Request-Id", request_id))
        return self._client.build_request(
            method or previous.method,
            url,
            headers=headers,
            content=previous.content if keep_body else None,
            timeout=wait,
        )

    def _resolve(self, path: str) -> str:
        if "\r" in path or "\n" in path:
            raise RequestFailed("the URL contains a line break")
        url = urljoin(self.base_url, path) if not path.startswith(("http://", "https://")) else path
        if not self._is_same_app(url):
            raise RequestFailed(f"{url} is not on this app ({self.base_url}); send paths like /x")
        return url

    def _is_same_app(self, url: str) -> bool:
        mine, theirs = urlsplit(self.base_url), urlsplit(url)
        return (mine.scheme, mine.netloc) == (theirs.scheme, theirs.netloc)

    @staticmethod
    def _with_id(
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None, request_id: str
    ) -> list[tuple[str, str]]:
        pairs = [(key, value) for key, value in _pairs(headers) if key.lower() != "x-request-id"]
        return [*pairs, ("X-Request-Id", request_id)]


class AppClients:
    """One :class:`AppClient` (so one cookie jar) per app, created when first needed."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._timeout = timeout
        self._clients: dict[str, AppClient] = {}

    def for_app(self, app_id: str, base_url: str) -> AppClient:
        client = self._clients.get(app_id)
        if client is None or client.base_url.rstrip("/") != base_url.rstrip("/"):
            if client is not None:
                client.close()
            client = self._clients[app_id] = AppClient(base_url, self._timeout)
        return client

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()


def _pairs(
    values: Mapping[str, str] | Sequence[tuple[str, str]] | None,
) -> list[tuple[str, str]]:
    return list(values.items()) if isinstance(values, Mapping) else list(values or [])


def _given_id(headers: Mapping[str, str] | Sequence[tuple[str, str]] | None) -> str | None:
    given = (value for key, value in _pairs(headers) if key.lower() == "x-request-id" and value)
    return next(given, None)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


__all__ = [
    "NO_JSON",
    "AppClient",
    "AppClients",
    "Cookie",
    "Hop",
    "HttpResult",
    "RequestFailed",
    "new_request_id",
]
