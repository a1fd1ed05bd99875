from __future__ import annotations

from html import unescape

import pytest

from demo_apps.flashing import app


def page_text(response) -> str:
    """The body as a reader sees it: HTML entities such as &#39; turned back into text."""
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def client():
    return app.test_client()


def test_set_then_get_pops_the_messages(client) -> None:
    client.get("/set")
    client.get("/set")

    first = page_text(client.get("/get"))
    second = page_text(client.get("/get"))

    assert "<h1>2 flashed message(s)</h1>" in first
    assert first.count("<li>[message] alisi</li>") == 2
    assert "<h1>0 flashed message(s)</h1>" in second


def test_categories_are_shown_and_filtered(client) -> None:
    client.get("/set?msg=hi&category=warning")
    client.get("/set?msg=plain")

    filtered = page_text(client.get("/get?category=warning"))

    assert "<li>[warning] hi</li>" in filtered
    assert "plain" not in filtered
    assert "<h1>0 flashed message(s)</h1>" in page_text(client.get("/get"))


def test_index_with_the_right_value_says_hello(client) -> None:
    assert page_text(client.get("/index?v=xx")) == "hello,world!"


@pytest.mark.parametrize("query", ["", "?v=", "?v=other", "?v=<b>"])
def test_any_other_value_flashes_and_redirects_to_error(client, query) -> None:
    response = client.get("/index" + query)

    assert response.status_code == 302
    assert response.headers["Location"] == "/error"
    assert page_text(client.get("/error")) == "错误信息['超时错误']"
    assert page_text(client.get("/error")) == "错误信息[]"


def test_flashed_text_is_escaped(client) -> None:
    client.get("/set?msg=<script>")

    page = client.get("/get").get_data(as_text=True)

    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_trace_shows_the_flash_queued_then_consumed_across_the_redirect(client) -> None:
    """The notes' example: /index flashes and redirects, /error shows and consumes it."""
    traces: list[dict] = []
    app.add_tracer(traces.append)
    try:
        redirected = client.get("/index")
        client.get(redirected.headers["Location"])
    finally:
        app.remove_tracer(traces.append)

    index_trace, error_trace = (trace["flashes"] for trace in traces)
    assert index_trace["before"] == []
    assert index_trace["added"] == [["error", "超时错误"]]
    assert error_trace["before"] == [["error", "超时错误"]]
    assert error_trace["consumed"] == [["error", "超时错误"]]
    assert error_trace["after"] == []
    assert traces[0]["response"]["status"] == 302
