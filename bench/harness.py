"""Interleaved timing of several WSGI apps answering the same request.

On a shared machine absolute times drift by up to 2x between runs, but apps timed back
to back in the same round drift together. So each round runs every contender for the
same number of calls, the starting contender rotates from round to round, and the best
round of each contender is what gets compared. Time is the process's CPU time, so the
moments this process waits for a core while other processes run are not counted.
"""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from time import process_time
from wsgiref.types import WSGIApplication

from bench.errors import BenchmarkError
from bench.wsgi_calls import PreparedRequest, StatusRecorder

CALIBRATION_SECONDS = 0.02


@dataclass(frozen=True)
class Contender:
    """One implementation of a scenario, ready to be called over and over."""

    name: str
    app: WSGIApplication
    request: PreparedRequest
    expected_status: int
    before_round: Callable[[], None] | None = None
    """Called before each timed batch, e.g. to empty a tracer's trace list."""


@dataclass(frozen=True)
class Timing:
    name: str
    seconds_per_call: list[float] = field(default_factory=list)
    """One entry per round."""

    @property
    def best_us(self) -> float:
        return min(self.seconds_per_call) * 1e6

    @property
    def median_us(self) -> float:
        return statistics.median(self.seconds_per_call) * 1e6


def time_calls(contender: Contender, count: int) -> float:
    """CPU seconds per call over `count` full WSGI calls (body read, iterable closed)."""
    if contender.before_round is not None:
        contender.before_round()
    app = contender.app
    template = contender.request.environ
    body = contender.request.body
    recorder = StatusRecorder()
    start = process_time()
    for _ in range(count):
        environ = template.copy()
        if body is not None:
            environ["wsgi.input"] = BytesIO(body)
        iterable = app(environ, recorder)
        for _chunk in iterable:
            pass
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    elapsed = process_time() - start
    if recorder.status_code() != contender.expected_status:
        raise BenchmarkError(
            f"{contender.name} answered {recorder.status!r} during timing "
            f"instead of status {contender.expected_status}"
        )
    return elapsed / count


def calls_per_round(contenders: Sequence[Contender], round_seconds: float) -> int:
    """How many calls each contender gets per round so that a round lasts `round_seconds`.

    Also warms every contender up (first-call caches, lazy imports) before timing.
    """
    estimate = 0.0
    for contender in contenders:
        count = 1
        while True:
            per_call = time_calls(contender, count)
            if per_call * count >= CALIBRATION_SECONDS:
                break
            count *= 2
        estimate += per_call
    return max(1, round(round_seconds / estimate))


def run_interleaved(
    contenders: Sequence[Contender], rounds: int, round_seconds: float
) -> tuple[int, dict[str, Timing]]:
    """Time every contender for `rounds` rounds; returns calls per round and the timings."""
    if not contenders:
        raise BenchmarkError("nothing to time: no contenders")
    if rounds < 1 or round_seconds <= 0:
        raise BenchmarkError(f"rounds ({rounds}) and round_seconds ({round_seconds}) must be > 0")
    count = calls_per_round(contenders, round_seconds)
    gc.collect()
    timings = {contender.name: Timing(contender.name) for contender in contenders}
    for round_number in range(rounds):
        shift = round_number % len(contenders)
        for contender in [*contenders[shift:], *contenders[:shift]]:
            timings[contender.name].seconds_per_call.append(time_calls(contender, count))
    return count, timings
