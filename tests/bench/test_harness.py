"""Interleaved timing: every contender gets the same calls, and a broken one is caught."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest

from bench import floor
from bench.errors import BenchmarkError
from bench.harness import Contender, run_interleaved, time_calls
from bench.scenarios import Probe
from bench.wsgi_calls import build_environ


def hello_contender(name: str) -> Contender:
    return Contender(name, floor.hello(), build_environ(Probe("/")), 200)


def test_each_contender_gets_one_timing_per_round() -> None:
    calls, timings = run_interleaved(
        [hello_contender("a"), hello_contender("b")], rounds=3, round_seconds=0.002
    )

    assert calls >= 1
    assert sorted(timings) == ["a", "b"]
    assert all(len(timing.seconds_per_call) == 3 for timing in timings.values())
    assert 0 < timings["a"].best_us <= timings["a"].median_us


def test_a_contender_that_starts_failing_during_timing_is_reported() -> None:
    calls = []

    def flaky(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        calls.append(1)
        status = "200 OK" if len(calls) == 1 else "500 INTERNAL SERVER ERROR"
        start_response(status, [])
        return [b""]

    contender = Contender("flaky", flaky, build_environ(Probe("/")), 200)

    with pytest.raises(BenchmarkError, match="flaky answered '500 INTERNAL SERVER ERROR'"):
        time_calls(contender, 5)


def test_before_round_runs_before_every_batch() -> None:
    batches = []
    contender = Contender(
        "hello", floor.hello(), build_environ(Probe("/")), 200, lambda: batches.append(1)
    )

    time_calls(contender, 2)
    time_calls(contender, 2)

    assert batches == [1, 1]


@pytest.mark.parametrize(("rounds", "round_seconds"), [(0, 0.1), (2, 0.0)])
def test_nonsense_settings_are_refused(rounds: int, round_seconds: float) -> None:
    with pytest.raises(BenchmarkError, match="must be > 0"):
        run_interleaved([hello_contender("a")], rounds, round_seconds)
