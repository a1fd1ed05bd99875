"""Calling a WSGI app in-process the way a server would, and checking what it answered.

The environ is built once per scenario with Werkzeug's `EnvironBuilder`; each call
gets a shallow copy (and a fresh `wsgi.input` when there is a body), so a timed call
costs what a server's call costs, minus the socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any
from wsgiref.types import WSGIApplication, WSGIEnvironment

from werkzeug.test import EnvironBuilder

from bench.errors import BenchmarkError
from bench.scenarios import Expected, Probe


@dataclass(frozen=True)
class PreparedRequest:
    environ: WSGIEnvironment
    body: bytes | None
    """The request body, replayed through a fresh `wsgi.input` on every call."""

    def fresh_environ(self) -> WSGIEnvironment:
        environ = self.environ.copy()
        if self.body is not None:
            environ["wsgi.input"] = BytesIO(self.body)
        return environ


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def cookie_names(self) -> list[str]:
        return [
            value.split("=", 1)[0] for key, value in self.headers if key.lower() == "set-cookie"
        ]


class StatusRecorder:
    """A `start_response` that keeps the last status and headers it was given."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        self.status = status
        self.headers = headers
        return self.write

    @staticmethod
    def write(data: bytes) -> None:
        raise BenchmarkError("the app used the legacy write() callable; return an iterable instead")

    def status_code(self) -> int:
        return int(self.status.split(" ", 1)[0]) if self.status else 0


def build_environ(probe: Probe, cookie: str | None = None) -> PreparedRequest:
    """Build the environ for `probe` once; `cookie` is a `Cookie` header value to send."""
    headers = [("Cookie", cookie)] if cookie else []
    builder = EnvironBuilder(
        path=probe.path,
        method=probe.method,
        data=dict(probe.form) if probe.form else None,
        headers=headers,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    body = environ["wsgi.input"].read() if probe.form else None
    return PreparedRequest(environ=environ, body=body)


def call_once(app: WSGIApplication, request: PreparedRequest) -> Answer:
    """One full WSGI call: start it, read the whole body, close the iterable."""
    recorder = StatusRecorder()
    iterable = app(request.fresh_environ(), recorder)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    return Answer(recorder.status_code(), list(recorder.headers), body)


def prepare_request(app: WSGIApplication, probe: Probe) -> PreparedRequest:
    """The request to repeat against `app`; with `replay_cookie`, it carries the cookies
    that `app` set on a first identical request, as a browser would."""
    request = build_environ(probe)
    if not probe.replay_cookie:
        return request
    first = call_once(app, request)
    cookies = [
        value.split(";", 1)[0] for key, value in first.headers if key.lower() == "set-cookie"
    ]
    if not cookies:
        raise BenchmarkError(
            f"{probe.method} {probe.path} set no cookie on the first request "
            f"(status {first.status}), so there is nothing to replay"
        )
    return build_environ(probe, cookie="; ".join(cookies))


def check_answer(answer: Answer, expected: Expected, who: str) -> None:
    """Raise BenchmarkError naming `who` unless `answer` shows the scenario's work was done."""
    problems = []
    if answer.status != expected.status:
        problems.append(f"status {answer.status} instead of {expected.status}")
    for part in expected.body_parts:
        if part not in answer.body:
            problems.append(f"body lacks {part!r}")
    for name, value in expected.headers:
        actual = answer.header(name)
        if actual != value:
            problems.append(f"header {name} is {actual!r} instead of {value!r}")
    if expected.sets_cookie and expected.sets_cookie not in answer.cookie_names():
        problems.append(f"no {expected.sets_cookie!r} cookie set")
    if problems:
        preview = answer.body[:200].decode("utf-8", "replace")
        raise BenchmarkError(f"{who} answered wrongly: {'; '.join(problems)}; body: {preview!r}")
