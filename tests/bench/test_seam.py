"""What the plain caller costs an untraced request: its calls are counted, then timed."""

from __future__ import annotations

import math

import pytest

import framework
from bench import apps, floor
from bench.apps import Toolkit
from bench.errors import BenchmarkError
from bench.scenarios import scenario_named
from bench.seam import SEAM_STATEMENTS, count_seam_calls, extra_seconds_per_call, seam_cost
from bench.wsgi_calls import call_once, prepare_request


def hooks_app() -> tuple[object, object]:
    app = apps.hooks(Toolkit.from_module(framework, "App"))
    return app, prepare_request(app, scenario_named("hooks").probe)


def test_one_request_of_the_hooks_app_asks_the_plain_caller_for_each_hook_and_phase() -> None:
    app, request = hooks_app()

    calls = count_seam_calls(app, request)

    assert calls == {
        "routed": 1,
        "call/0": 2,  # the two before_request functions
        "call_view": 1,
        "call/1": 2,  # the two after_request functions
        "sending": 1,
        "popped": 1,
    }


def test_counting_leaves_the_answer_unchanged() -> None:
    app, request = hooks_app()
    count_seam_calls(app, request)

    answer = call_once(app, request)

    assert answer.status == 200
    assert answer.header("X-User") == "ada"


def test_an_app_that_is_not_a_framework_app_is_refused() -> None:
    app = floor.hooks()
    request = prepare_request(app, scenario_named("hooks").probe)

    with pytest.raises(BenchmarkError, match="no call went through the plain caller"):
        count_seam_calls(app, request)


@pytest.mark.parametrize("kind", sorted(SEAM_STATEMENTS))
def test_every_kind_of_call_can_be_timed(kind: str) -> None:
    seconds = extra_seconds_per_call(kind, rounds=2, number=200)

    assert seconds >= 0.0 and math.isfinite(seconds)


def test_a_kind_with_no_timing_is_named() -> None:
    with pytest.raises(BenchmarkError, match="'teleport'"):
        extra_seconds_per_call("teleport", rounds=1, number=1)


def test_the_cost_sums_the_calls_of_one_request() -> None:
    app, request = hooks_app()

    cost = seam_cost(app, request, rounds=2, number=200)

    assert cost.call_count == 8
    assert cost.extra_us >= 0.0
