from __future__ import annotations

import pytest

from demo_apps.hook_order import app


def printed_steps(out: str) -> list[str]:
    return [line.removeprefix("hook_order: ") for line in out.splitlines()]


def test_before_hooks_in_order_after_hooks_in_reverse(capsys) -> None:
    response = app.test_client().get("/")

    expected = ["before_req1", "before_req2", "view", "after_req2", "after_req1"]
    assert response.headers["X-Hook-Order"] == ",".join(expected)
    assert printed_steps(capsys.readouterr().out) == expected
    page = response.get_data(as_text=True)
    assert page.endswith("".join(f"<li>{step}</li>" for step in expected))


def test_short_circuit_skips_the_rest_but_after_hooks_still_run(capsys) -> None:
    response = app.test_client().get("/?stop=1")

    expected = ["before_req1", "after_req2", "after_req1"]
    assert response.status_code == 200
    assert response.headers["X-Hook-Order"] == ",".join(expected)
    assert printed_steps(capsys.readouterr().out) == expected
    page = response.get_data(as_text=True)
    assert "before_req1 short-circuited the request" in page
    assert page.endswith("".join(f"<li>{step}</li>" for step in expected))


def test_other_stop_values_do_not_short_circuit() -> None:
    response = app.test_client().get("/?stop=yes")

    assert "view" in response.headers["X-Hook-Order"].split(",")


def test_hooks_run_around_a_404_too() -> None:
    response = app.test_client().get("/missing")

    assert response.status_code == 404
    assert response.headers["X-Hook-Order"] == "before_req1,before_req2,after_req2,after_req1"


@pytest.fixture
def traces():
    """The traces hookscope's console would show for this demo's requests."""
    recorded: list[dict] = []
    app.add_tracer(recorded.append)
    yield recorded
    app.remove_tracer(recorded.append)


def test_trace_marks_the_short_circuit_and_what_it_skipped(traces) -> None:
    app.test_client().get("/?stop=1")

    steps = [
        (step["kind"], step["name"], step["short_circuit"], step["skipped"])
        for step in traces[0]["steps"]
    ]
    assert steps == [
        ("before_request", "before_req1", True, False),
        ("before_request", "before_req2", False, True),
        ("view", "index", False, True),
        ("after_request", "after_req2", False, False),
        ("after_request", "after_req1", False, False),
    ]
