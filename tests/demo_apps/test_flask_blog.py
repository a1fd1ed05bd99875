"""The genuine Flask demo: a blog made by a factory, its database in its instance folder."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo_apps.flask_blog import create_app
from demo_apps.flask_blog.db import DEMO_PASSWORD, DEMO_USER


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(str(tmp_path / "instance"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_in(client: FlaskClient, password: str = DEMO_PASSWORD) -> str:
    response = client.post("/auth/login", data={"username": DEMO_USER, "password": password})
    return response.headers.get("Location", response.text)


def test_it_is_a_flask_app_whose_database_lives_in_the_instance_folder(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    assert isinstance(app, Flask) and app.name == "demo_apps.flask_blog"
    assert "No posts yet." in client.get("/").text
    assert app.instance_path == str(tmp_path / "instance")
    database = tmp_path / "instance" / "blog.sqlite"
    assert sqlite3.connect(database).execute("SELECT username FROM user").fetchall() == [
        (DEMO_USER,)
    ]


def test_writing_a_post_needs_a_login(client: FlaskClient) -> None:
    response = client.get("/create")

    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login"


def test_a_wrong_password_is_flashed_on_the_form_itself(client: FlaskClient) -> None:
    page = log_in(client, password="nope")

    assert "Incorrect username or password." in page
    assert "Log out" not in page


def test_a_login_is_welcomed_after_the_redirect_and_only_once(client: FlaskClient) -> None:
    assert log_in(client) == "/"

    first, second = client.get("/").text, client.get("/").text
    assert "Welcome back, admin." in first and "Log out" in first
    assert "Welcome back, admin." not in second


def test_a_post_is_written_listed_and_shown(client: FlaskClient) -> None:
    log_in(client)
    assert "Title is required." in client.post("/create", data={"title": " "}).text

    response = client.post("/create", data={"title": "Hello <world>", "body": "first post"})

    assert response.headers["Location"] == "/"
    index = client.get("/").text
    assert "Post created." in index and "Hello &lt;world&gt;" in index
    assert "first post" in client.get("/1").text


def test_an_unknown_post_is_the_apps_404_page(client: FlaskClient) -> None:
    response = client.get("/42")

    assert response.status_code == 404
    assert "No page at /42." in response.text


def test_logging_out_clears_the_session(client: FlaskClient) -> None:
    log_in(client)
    client.get("/auth/logout")

    assert client.get("/create").status_code == 302


def test_the_teardown_closes_the_requests_connection(app: Flask) -> None:
    from demo_apps.flask_blog.db import get_db

    with app.app_context():
        connection = get_db()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        connection.execute("SELECT 1")


def test_init_db_starts_afresh(app: Flask, client: FlaskClient) -> None:
    log_in(client)
    client.post("/create", data={"title": "soon gone"})

    with app.app_context():  # as `flask --app` and `hookscope --app` run it
        result = app.test_cli_runner().invoke(args=["init-db"])

    assert result.output == "Initialized the database.\n"
    assert "No posts yet." in client.get("/").text
