from __future__ import annotations

import pytest

from demo_apps.login import app

ERROR = "用户名或密码错误"


@pytest.fixture
def client():
    return app.test_client()


def test_get_renders_the_form(client) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<form method="post"' in page
    assert 'name="user"' in page and 'name="pwd"' in page
    assert ERROR not in page


def test_right_credentials_redirect_to_a_local_page(client) -> None:
    response = client.post("/login", data={"user": "admin", "pwd": "password"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/welcome"
    assert client.get("/welcome").status_code == 200


def test_wrong_password_rerenders_with_the_error(client) -> None:
    response = client.post("/login", data={"user": "admin", "pwd": "wrong"})

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ERROR in page
    assert 'value="admin"' in page


@pytest.mark.parametrize("form", [{}, {"user": "admin"}, {"pwd": "password"}])
def test_missing_fields_are_wrong_credentials(client, form) -> None:
    response = client.post("/login", data=form)

    assert response.status_code == 200
    assert ERROR in response.get_data(as_text=True)


def test_user_name_is_escaped_when_echoed(client) -> None:
    page = client.post("/login", data={"user": "<script>", "pwd": "x"}).get_data(as_text=True)

    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_root_points_to_the_form(client) -> None:
    assert client.get("/").headers["Location"] == "/login"
