from __future__ import annotations

import pytest

from demo_apps.middleware import TimingMiddleware, app


def test_wsgi_app_is_wrapped_and_the_app_is_unchanged() -> None:
    assert isinstance(app.wsgi_app, TimingMiddleware)
    assert app.view_functions.keys() >= {"index", "slow"}


def test_every_response_carries_the_timing_header(capsys) -> None:
    response = app.test_client().get("/")

    assert response.status_code == 200
    assert float(response.headers["X-Elapsed-Ms"]) >= 0
    out = capsys.readouterr().out
    assert "middleware: before the app, GET /" in out
    assert "middleware: after the app, 200 OK in" in out


def test_timing_covers_the_view() -> None:
    response = app.test_client().get("/slow?ms=50")

    assert response.get_data(as_text=True) == "slept 50 ms"
    assert float(response.headers["X-Elapsed-Ms"]) >= 50


def test_errors_are_timed_too() -> None:
    response = app.test_client().get("/missing")

    assert response.status_code == 404
    assert "X-Elapsed-Ms" in response.headers


@pytest.mark.parametrize("ms", ["abc", "-1", "2001", "1.5", "²", ""])
def test_bad_sleep_value_is_400(ms) -> None:
    response = app.test_client().get("/slow", query_string={"ms": ms})

    assert response.status_code == 400
    assert "ms must be a whole number from 0 to 2000" in response.get_data(as_text=True)
