from __future__ import annotations

import pytest

from demo_apps.method_views import app


@pytest.fixture
def client():
    return app.test_client()


def test_get_with_token_dispatches_to_get(client, capsys) -> None:
    response = client.get("/index?token=letmein")

    assert response.get_data(as_text=True) == "Index.GET"
    assert "auth: token='letmein'" in capsys.readouterr().out


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong"])
def test_auth_decorator_refuses_a_missing_or_wrong_token(client, query) -> None:
    response = client.get("/index" + query)

    assert response.status_code == 401
    assert "token=letmein" in response.get_data(as_text=True)


def test_methods_attribute_hides_post(client) -> None:
    response = client.post("/index?token=letmein")

    assert response.status_code == 405
    assert "POST" not in response.headers["Allow"]


def test_as_view_name_is_the_endpoint() -> None:
    endpoints = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}

    assert endpoints["/index"] == "index"
    assert app.view_functions["index"].view_class.__name__ == "IndexView"


def test_methods_are_found_from_the_class_when_not_listed(client) -> None:
    assert client.get("/items").get_data(as_text=True) == "Item.GET"
    assert client.post("/items").get_data(as_text=True) == "Item.POST"
    response = client.delete("/items")
    assert response.status_code == 405
    assert {"GET", "POST"} <= set(response.headers["Allow"].split(", "))
