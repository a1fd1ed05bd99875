from __future__ import annotations

from werkzeug.test import Client

from demo_apps.hello_wsgiref import app, runserver


def test_raw_wsgi_function_says_hello() -> None:
    response = Client(runserver).get("/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.get_data(as_text=True) == "<h1>Hello, web!</h1>"


def test_framework_app_has_routing_the_raw_function_lacks() -> None:
    client = app.test_client()

    assert "served by wsgiref" in client.get("/").get_data(as_text=True)
    assert client.get("/nope").status_code == 404
    assert Client(runserver).get("/nope").status_code == 200
