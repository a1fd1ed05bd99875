"""Driving a WSGI app in-process, and refusing apps that answer wrongly."""

from __future__ import annotations

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

import pytest

from bench import floor
from bench.errors import BenchmarkError
from bench.scenarios import Expected, Probe, scenario_named
from bench.wsgi_calls import (
    build_environ,
    call_once,
    check_answer,
    prepare_request,
)


def test_a_form_body_is_replayed_on_every_call() -> None:
    scenario = scenario_named("form_post")
    app = floor.form_post()
    request = prepare_request(app, scenario.probe)

    answers = [call_once(app, request) for _ in range(3)]

    assert [answer.status for answer in answers] == [302, 302, 302]
    assert {answer.header("Location") for answer in answers} == {"/welcome/ada"}


def test_the_iterable_is_closed_after_the_body_is_read() -> None:
    closed = []

    class Body:
        def __iter__(self) -> Iterable[bytes]:
            yield b"part one, "
            yield b"part two"

        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Body:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    answer = call_once(app, build_environ(Probe("/")))

    assert answer.body == b"part one, part two"
    assert closed == [True]


def test_replaying_a_cookie_that_was_never_set_is_an_error() -> None:
    with pytest.raises(BenchmarkError, match="GET / set no cookie on the first request"):
        prepare_request(floor.hello(), Probe("/", replay_cookie=True))


def test_a_wrong_answer_names_the_implementation_and_every_problem() -> None:
    answer = call_once(floor.not_found(), build_environ(Probe("/no/such/page")))
    expected = Expected(200, (b"Hello",), (("X-User", "ada"),), sets_cookie="session")

    with pytest.raises(BenchmarkError) as raised:
        check_answer(answer, expected, "hello on floor")

    message = str(raised.value)
    assert message.startswith("hello on floor answered wrongly: status 404 instead of 200")
    assert "body lacks b'Hello'" in message
    assert "header X-User is None instead of 'ada'" in message
    assert "no 'session' cookie set" in message


def test_a_right_answer_passes_the_check() -> None:
    scenario = scenario_named("hooks3")
    app = floor.hooks3()

    check_answer(call_once(app, prepare_request(app, scenario.probe)), scenario.expected, "floor")
