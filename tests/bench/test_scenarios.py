"""Every scenario's three implementations give the same answer, so timing them is fair."""

from __future__ import annotations

from typing import Any

import pytest

from bench.requests_bench import (
    FLASK,
    FLOOR,
    FRAMEWORK,
    build_contenders,
    load_toolkits,
    tracing_available,
)
from bench.scenarios import SCENARIOS, Scenario, scenario_named
from bench.wsgi_calls import Answer, call_once


def comparable(answer: Answer) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Status, body and headers, with signed cookie values (which differ by design) cut out."""
    headers = []
    for name, value in answer.headers:
        if name.lower() == "set-cookie":
            cookie_name, rest = value.split("=", 1)
            value = f"{cookie_name}=<signed>;{rest.split(';', 1)[1]}"
        headers.append((name.lower(), value))
    return answer.status, answer.body, sorted(headers)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.name)
def test_framework_flask_and_floor_answer_alike(scenario: Scenario) -> None:
    toolkits = load_toolkits()
    if scenario.traced and not tracing_available(toolkits):
        pytest.skip("the framework has no App.add_tracer yet")

    contenders = {contender.name: contender for contender in build_contenders(scenario, toolkits)}
    answers = {
        name: comparable(call_once(contender.app, contender.request))
        for name, contender in contenders.items()
    }

    assert answers[FRAMEWORK] == answers[FLASK]
    assert answers[FLOOR] == answers[FLASK]
    assert answers[FLASK][0] == scenario.expected.status


def test_the_session_request_carries_the_cookie_of_a_first_response() -> None:
    contenders = build_contenders(scenario_named("session"), load_toolkits())

    for contender in contenders:
        assert contender.request.environ["HTTP_COOKIE"].startswith("session=")
        assert b"count=2" in call_once(contender.app, contender.request).body


def test_the_traced_scenario_runs_the_framework_app_with_a_tracer_attached() -> None:
    toolkits = load_toolkits()
    if not tracing_available(toolkits):
        pytest.skip("the framework has no App.add_tracer yet")
    traced = next(
        contender
        for contender in build_contenders(scenario_named("hooks_traced"), toolkits)
        if contender.name == FRAMEWORK
    )
    seen: list[dict[str, Any]] = []
    traced.app.add_tracer(seen.append)
    assert traced.before_round is not None

    traced.before_round()
    call_once(traced.app, traced.request)
    call_once(traced.app, traced.request)

    assert [trace["request"]["path"] for trace in seen] == ["/dashboard", "/dashboard"]
    assert [step["kind"] for step in seen[0]["steps"]].count("before_request") == 2


def test_an_unknown_scenario_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="no scenario named 'hello_world'; known scenarios: hello"):
        scenario_named("hello_world")
