"""What each request scenario sends, what a correct answer looks like, and its targets.

A scenario pairs the framework-agnostic user app from `bench.apps` with its
hand-written floor from `bench.floor`, the one request the benchmark repeats, and the
answer every implementation must give before it is timed (so a broken app cannot
look fast).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from wsgiref.types import WSGIApplication

from bench import apps, floor


@dataclass(frozen=True)
class Probe:
    """The request a scenario repeats."""

    path: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    replay_cookie: bool = False
    """Send the cookie set by a first, identical request (the session scenario)."""


@dataclass(frozen=True)
class Expected:
    """The parts of the answer that prove an implementation did the scenario's work."""

    status: int
    body_parts: tuple[bytes, ...]
    headers: tuple[tuple[str, str], ...] = ()
    sets_cookie: str | None = None
    """Name of a cookie the response must set."""


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    probe: Probe
    expected: Expected
    user_app: Callable[[apps.Toolkit], Any]
    floor_app: Callable[[], WSGIApplication]
    min_flask_speedup: float | None
    """Issue 10's target for Flask ÷ framework (1.0 where it sets none: no slower); None for
    traced scenarios, whose target is the tracer's overhead instead."""
    tracer: Literal["record", "dict"] | None = None
    """Run the framework app with a tracer that only collects (needs `App.add_tracer`): the
    finished records as recorded (``deferred=True``, as the console's worker takes them), or
    the plain dicts built from them on the request's thread. The same app without a tracer
    runs alongside, as `framework_untraced`."""
    max_tracing_overhead: float | None = None
    """Issue 7's limit on the tracer's cost, as a fraction; None: reported, not judged."""

    @property
    def traced(self) -> bool:
        return self.tracer is not None


MAX_FRAMEWORK_OVER_FLOOR = 1.25
"""Issue 10: the framework may cost at most this multiple of the bare-Werkzeug floor."""
MAX_TRACING_OVERHEAD = 0.25
"""Issue 7: a collecting tracer may slow the hooks scenario by at most this fraction."""

HOOKS_EXPECTED = Expected(
    status=200,
    body_parts=(b"dashboard of ada (bench)",),
    headers=(("X-User", "ada"), ("X-Tag", "bench")),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        name="hello",
        summary="`/` returns a string",
        probe=Probe("/"),
        expected=Expected(
            200, (b"Hello, World!",), (("Content-Type", "text/html; charset=utf-8"),)
        ),
        user_app=apps.hello,
        floor_app=floor.hello,
        min_flask_speedup=2.2,
    ),
    Scenario(
        name="params",
        summary="/user/<int:uid>/post/<slug> among 50 routes",
        probe=Probe("/user/42/post/hello-world"),
        expected=Expected(200, (b"user 42 post hello-world",)),
        user_app=apps.params,
        floor_app=floor.params,
        min_flask_speedup=2.2,
    ),
    Scenario(
        name="json",
        summary="jsonify of 20 small dicts",
        probe=Probe("/users"),
        expected=Expected(
            200,
            (b'[{"active":true,"id":0,"name":"user 0","score":0}', b'"id":19'),
            (("Content-Type", "application/json"),),
        ),
        user_app=apps.json_list,
        floor_app=floor.json_list,
        min_flask_speedup=1.7,
    ),
    Scenario(
        name="template",
        summary="Jinja2 page looping over 20 items",
        probe=Probe("/catalogue"),
        expected=Expected(
            200, (b"<h1>Catalogue</h1>", b"item &lt;19&gt; &mdash; 23.75", b"<p>20 items</p>")
        ),
        user_app=apps.template,
        floor_app=floor.template,
        min_flask_speedup=1.15,
    ),
    Scenario(
        name="hooks",
        summary="2 before_request + 2 after_request using g",
        probe=Probe("/dashboard"),
        expected=HOOKS_EXPECTED,
        user_app=apps.hooks,
        floor_app=floor.hooks,
        min_flask_speedup=2.2,
    ),
    Scenario(
        name="hooks3",
        summary="3 before_request + 3 after_request using g",
        probe=Probe("/dashboard"),
        expected=Expected(
            200, HOOKS_EXPECTED.body_parts, HOOKS_EXPECTED.headers + (("Content-Language", "en"),)
        ),
        user_app=apps.hooks3,
        floor_app=floor.hooks3,
        min_flask_speedup=1.0,
    ),
    Scenario(
        name="hooks_traced",
        summary="hooks with a tracer that only collects the records",
        probe=Probe("/dashboard"),
        expected=HOOKS_EXPECTED,
        user_app=apps.hooks,
        floor_app=floor.hooks,
        min_flask_speedup=None,
        tracer="record",
        max_tracing_overhead=MAX_TRACING_OVERHEAD,
    ),
    Scenario(
        name="hooks_traced_dicts",
        summary="hooks with a tracer that collects plain dicts",
        probe=Probe("/dashboard"),
        expected=HOOKS_EXPECTED,
        user_app=apps.hooks,
        floor_app=floor.hooks,
        min_flask_speedup=None,
        tracer="dict",
    ),
    Scenario(
        name="form_post",
        summary="urlencoded login form -> redirect",
        probe=Probe(
            "/login", method="POST", form=(("username", apps.USERNAME), ("password", apps.PASSWORD))
        ),
        expected=Expected(302, (b"/welcome/ada",), (("Location", "/welcome/ada"),)),
        user_app=apps.form_post,
        floor_app=floor.form_post,
        min_flask_speedup=1.7,
    ),
    Scenario(
        name="not_found",
        summary="unknown path -> 404",
        probe=Probe("/no/such/page"),
        expected=Expected(404, (b"Not Found",)),
        user_app=apps.not_found,
        floor_app=floor.not_found,
        min_flask_speedup=2.2,
    ),
    Scenario(
        name="session",
        summary="signed cookie session counter, read + write",
        probe=Probe("/count", replay_cookie=True),
        expected=Expected(200, (b"count=2",), (("Vary", "Cookie"),), sets_cookie="session"),
        user_app=apps.session_counter,
        floor_app=floor.session_counter,
        min_flask_speedup=1.7,
    ),
)


def scenario_named(name: str) -> Scenario:
    """The scenario called `name`, or a ValueError listing the known names."""
    for scenario in SCENARIOS:
        if scenario.name == name:
            return scenario
    known = ", ".join(scenario.name for scenario in SCENARIOS)
    raise ValueError(f"no scenario named {name!r}; known scenarios: {known}")
