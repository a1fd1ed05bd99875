"""The Flask tracing suite: what it times, and how it reports against the 25% target."""

from __future__ import annotations

import json

import flask

from bench.flask_tracing import (
    TRACED,
    UNTRACED,
    TracingResult,
    build_contenders,
    flask_toolkit,
    format_report,
    results_as_json,
)
from bench.harness import Timing
from bench.scenarios import scenario_named
from bench.wsgi_calls import call_once


def result(name: str, untraced_us: float, traced_us: float) -> TracingResult:
    timings = {
        UNTRACED: Timing(UNTRACED, [untraced_us / 1e6, untraced_us * 2 / 1e6]),
        TRACED: Timing(TRACED, [traced_us / 1e6, traced_us * 3 / 1e6]),
    }
    return TracingResult(scenario_named(name), 100, timings)


def test_the_same_flask_app_is_timed_untraced_and_traced() -> None:
    untraced, traced = build_contenders(scenario_named("hooks"), flask_toolkit())

    assert (untraced.name, traced.name) == (UNTRACED, TRACED)
    assert isinstance(untraced.app, flask.Flask) and isinstance(traced.app, flask.Flask)
    assert "hookscope" not in untraced.app.extensions
    assert "hookscope" in traced.app.extensions
    assert (
        call_once(traced.app, traced.request).body == call_once(untraced.app, untraced.request).body
    )


def test_the_report_judges_each_scenario_against_the_target() -> None:
    cheap, dear = result("hooks", 60.0, 72.0), result("session", 100.0, 130.0)

    assert format_report([cheap, dear]) == [
        "hooks        60.0 µs untraced,    72.0 µs traced (+20.0%; target <= +25%: met)",
        "session     100.0 µs untraced,   130.0 µs traced (+30.0%; target <= +25%: MISSED)",
    ]
    document = json.loads(json.dumps(results_as_json([cheap, dear], rounds=2)))
    assert document["scenarios"]["hooks"]["overhead"] == 0.2
    assert document["scenarios"]["session"]["met"] is False
    assert document["scenarios"]["hooks"]["us_per_request"][TRACED] == {
        "best": 72.0,
        "median": 144.0,
    }
