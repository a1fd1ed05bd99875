"""What tracing costs a request nobody traces: the plain caller's part of it.

A request calls its user code through the caller bound to it (`framework.caller`); with no
tracer attached that is the plain caller, which calls and does nothing more, and the
lifecycle tells it of the request's phases (routed, sending, popped). That indirection is
all an untraced request pays for tracing. So it is measured directly: the plain caller's
calls in one request of a scenario are counted (by binding a counting plain caller for
that request), and each kind of call is timed against doing its work without the caller,
in interleaved rounds on the CPU clock. Their sum, per request, is the seam's cost.
"""

from __future__ import annotations

import timeit
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from time import process_time
from typing import Any
from unittest import mock
from wsgiref.types import WSGIApplication

import framework.dispatch
from bench.errors import BenchmarkError
from bench.wsgi_calls import PreparedRequest, call_once
from framework.caller import PLAIN_CALLER, PlainCaller, StepKind


class CountingCaller(PlainCaller):
    """The plain caller, counting what it is asked to do (``call/1``: a call with one
    argument)."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def routed(self, ctx: Any) -> None:
        self.counts["routed"] += 1

    def call(
        self, kind: StepKind, blueprint: str | None, source: Any, func: Any, *args: Any
    ) -> Any:
        self.counts[f"call/{len(args)}"] += 1
        return super().call(kind, blueprint, source, func, *args)

    def call_view(self, source: Any, func: Any, view_args: dict[str, Any]) -> Any:
        self.counts["call_view"] += 1
        return super().call_view(source, func, view_args)

    def render(self, template: Any, context: dict[str, Any]) -> str:
        self.counts["render"] += 1
        return super().render(template, context)

    def session_opened(self, session: Any) -> None:
        self.counts["session_opened"] += 1

    def unhandled(self, error: BaseException) -> None:
        self.counts["unhandled"] += 1

    def sending(self, ctx: Any, response: Any, body: Iterable[bytes]) -> Iterable[bytes]:
        self.counts["sending"] += 1
        return body

    def popped(self, ctx: Any) -> None:
        self.counts["popped"] += 1


def count_seam_calls(app: WSGIApplication, request: PreparedRequest) -> Counter[str]:
    """What the plain caller is asked during one request of `app` (a framework app).

    Raises:
        BenchmarkError: nothing went through the plain caller (not a framework app, or
            the request no longer binds `framework.dispatch.PLAIN_CALLER`).
    """
    counting = CountingCaller()
    with mock.patch.object(framework.dispatch, "PLAIN_CALLER", counting):
        call_once(app, request)
    if not counting.counts:
        raise BenchmarkError(
            "no call went through the plain caller: is this a framework app, and does"
            " App.wsgi_app still bind framework.dispatch.PLAIN_CALLER?"
        )
    return counting.counts


def _no_argument() -> None:
    return None


def _one_argument(a: Any) -> Any:
    return a


def _two_arguments(a: Any, b: Any) -> Any:
    return b


class _Template:
    def render(self, context: dict[str, Any]) -> str:
        return ""


_NAMESPACE: dict[str, Any] = {
    "caller": PLAIN_CALLER,
    "kind": StepKind.BEFORE_REQUEST,
    "f0": _no_argument,
    "f1": _one_argument,
    "f2": _two_arguments,
    "view_args": {},
    "template": _Template(),
    "context": {},
    "body": [b""],
    "error": ValueError(),
}

SEAM_STATEMENTS: dict[str, tuple[str, str]] = {
    "call/0": ("caller.call(kind, None, f0, f0)", "f0()"),
    "call/1": ("caller.call(kind, None, f1, f1, body)", "f1(body)"),
    "call/2": ("caller.call(kind, None, f2, f2, body, body)", "f2(body, body)"),
    "call_view": ("caller.call_view(f0, f0, view_args)", "f0(**view_args)"),
    "render": ("caller.render(template, context)", "template.render(context)"),
    "routed": ("caller.routed(None)", "pass"),
    "session_opened": ("caller.session_opened(None)", "pass"),
    "unhandled": ("caller.unhandled(error)", "pass"),
    "sending": ("caller.sending(None, None, body)", "body"),
    "popped": ("caller.popped(None)", "pass"),
}
"""For each kind of call: the statement through the plain caller, and the same work
without it."""


def extra_seconds_per_call(kind: str, rounds: int, number: int) -> float:
    """CPU seconds one `kind` of call costs through the plain caller over doing its work
    directly: the best of `rounds` interleaved rounds of `number` calls each."""
    if kind not in SEAM_STATEMENTS:
        raise BenchmarkError(f"no timing for the plain caller's {kind!r}")
    through, direct = (
        timeit.Timer(statement, globals=_NAMESPACE, timer=process_time)
        for statement in SEAM_STATEMENTS[kind]
    )
    best_through = best_direct = float("inf")
    for _ in range(rounds):
        best_through = min(best_through, through.timeit(number))
        best_direct = min(best_direct, direct.timeit(number))
    return max(0.0, best_through - best_direct) / number


@dataclass(frozen=True)
class SeamCost:
    calls: Counter[str]
    """The plain caller's calls in one request, by kind."""
    extra_us: float
    """What they cost the request, in microseconds."""

    @property
    def call_count(self) -> int:
        return sum(self.calls.values())


def seam_cost(
    app: WSGIApplication, request: PreparedRequest, rounds: int = 15, number: int = 20_000
) -> SeamCost:
    """The plain caller's calls in one request of `app`, and what they cost it."""
    calls = count_seam_calls(app, request)
    extra = sum(
        count * extra_seconds_per_call(kind, rounds, number) for kind, count in calls.items()
    )
    return SeamCost(calls, extra * 1e6)


__all__ = ["SEAM_STATEMENTS", "CountingCaller", "SeamCost", "count_seam_calls", "seam_cost"]
