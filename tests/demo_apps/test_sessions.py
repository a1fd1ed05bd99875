from __future__ import annotations

import base64
from html import unescape

import pytest

from demo_apps.sessions import app


def page_text(response) -> str:
    """The body as a reader sees it: HTML entities such as &#39; turned back into text."""
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def client():
    return app.test_client()


def test_no_cookie_means_an_empty_session(client) -> None:
    page = page_text(client.get("/"))

    assert "session['k1'] = None" in page
    assert "no session cookie yet" in page


def test_set_then_read_k1(client) -> None:
    response = client.get("/set?k1=v1")

    assert response.status_code == 302
    assert client.get_cookie("session") is not None
    with client.session_transaction() as session:
        assert session["k1"] == "v1"
    assert "session['k1'] = 'v1'" in page_text(client.get("/"))


def test_page_shows_the_raw_cookie_and_its_decoded_payload(client) -> None:
    client.get("/set?k1=v1&k2=v2")
    raw = client.get_cookie("session").value

    page = page_text(client.get("/"))

    assert raw in page
    assert 'payload decoded without the key: <code>{"k1":"v1"' in page
    assert 'verified with the key: <code>{"k1": "v1"' in page


def test_tampered_cookie_gives_an_empty_session_not_an_error(client) -> None:
    client.get("/set?k1=v1")
    _, timestamp, signature = client.get_cookie("session").value.split(".")
    forged = base64.urlsafe_b64encode(b'{"k1":"admin"}').rstrip(b"=").decode()
    client.set_cookie("session", f"{forged}.{timestamp}.{signature}")

    response = client.get("/")

    assert response.status_code == 200
    page = page_text(response)
    assert "session['k1'] = None" in page
    assert 'payload decoded without the key: <code>{"k1":"admin"}' in page
    assert "bad signature" in page


@pytest.mark.parametrize("garbage", ["not-a-cookie", "....", "eyJrMSI6InYxIn0", ".eJz"])
def test_garbage_cookie_gives_an_empty_session(client, garbage) -> None:
    client.set_cookie("session", garbage)

    response = client.get("/")

    assert response.status_code == 200
    assert "session['k1'] = None" in page_text(response)


def test_clear_deletes_the_cookie(client) -> None:
    client.get("/set?k1=v1")

    response = client.get("/clear")

    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=;") and "Max-Age=0" in c for c in cookies)
    assert client.get_cookie("session") is None


def test_trace_shows_the_session_before_and_after(client) -> None:
    traces: list[dict] = []
    app.add_tracer(traces.append)
    try:
        client.get("/set?k1=v1")
        client.get("/clear")
    finally:
        app.remove_tracer(traces.append)

    set_trace, clear_trace = (trace["session"] for trace in traces)
    assert (set_trace["before"], set_trace["after"], set_trace["cookie"]) == (
        {},
        {"k1": "v1"},
        "set",
    )
    assert (clear_trace["before"], clear_trace["after"], clear_trace["cookie"]) == (
        {"k1": "v1"},
        {},
        "deleted",
    )
