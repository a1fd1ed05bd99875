from __future__ import annotations

from demo_apps.add_url_rule import app


def test_endpoints_from_the_three_registrations() -> None:
    endpoints = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}

    assert endpoints["/"] == "n1"
    assert endpoints["/login"] == "n2"
    assert endpoints["/about"] == "about"


def test_each_url_reaches_its_view() -> None:
    client = app.test_client()

    assert client.post("/").status_code == 200
    assert client.get("/login").get_data(as_text=True) == "登陆"
    assert client.post("/login").get_data(as_text=True) == "登陆"
    assert "its endpoint is its name" in client.get("/about").get_data(as_text=True)


def test_unlisted_method_is_405() -> None:
    response = app.test_client().put("/login")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_index_lists_rules_and_url_for_results() -> None:
    page = app.test_client().get("/").get_data(as_text=True)

    assert "<tr><td>/login</td><td>n2</td><td>GET, HEAD, OPTIONS, POST</td></tr>" in page
    assert "url_for('n2') = /login" in page
    assert "url_for('about') = /about" in page
