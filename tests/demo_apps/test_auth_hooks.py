from __future__ import annotations

import pytest

from demo_apps.auth_hooks import app


@pytest.fixture
def client():
    return app.test_client()


def log_in(client, pwd: str = "password"):
    return client.post("/login", data={"user": "admin", "pwd": pwd})


@pytest.mark.parametrize("path", ["/", "/profile", "/logout", "/missing"])
def test_everything_but_login_redirects_when_logged_out(client, path) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


def test_login_page_is_reachable_without_a_session(client) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert "<form" in response.get_data(as_text=True)


def test_login_sets_user_info_and_opens_the_gate(client, capsys) -> None:
    response = log_in(client)

    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert session["user_info"] == "admin"
    assert "welcome, admin" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 200
    assert "请求之前" in capsys.readouterr().out


def test_wrong_password_keeps_the_gate_shut(client) -> None:
    response = log_in(client, pwd="wrong")

    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user_info" not in session
    assert client.get("/").headers["Location"] == "/login"


def test_logout_clears_user_info(client) -> None:
    log_in(client)

    response = client.get("/logout")

    assert response.headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert "user_info" not in session
    assert client.get("/profile").headers["Location"] == "/login"


def test_forged_session_cookie_does_not_open_the_gate(client) -> None:
    client.set_cookie("session", "eyJ1c2VyX2luZm8iOiJhZG1pbiJ9.forged.signature")

    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
