"""The URL adapter a request gets: the same answer on the first request to a host and later."""

from __future__ import annotations

import pytest

from framework import App, request, url_for


def make_app(**config: object) -> App:
    app = App(__name__, subdomain_matching=True)
    app.config.update(config)

    @app.route("/")
    def index() -> str:
        return f"index at {url_for('index', _external=True)}"

    @app.route("/", subdomain="<user>")
    def user_home(user: str) -> str:
        return f"home of {user}"

    @app.route("/where")
    def where() -> str:
        return f"{request.script_root}|{request.path}|{request.args.get('q')}"

    return app


@pytest.mark.parametrize("repeat", range(3))
def test_alternating_hosts_keep_their_own_subdomain(repeat: int) -> None:
    app = make_app(SERVER_NAME="example.test")
    client = app.test_client()

    for user in ("ann", "bob", "ann", "bob"):
        assert client.get("/", f"http://{user}.example.test/").text == f"home of {user}"
        assert client.get("/", "http://example.test/").text == "index at http://example.test/"


def test_script_name_path_and_query_come_from_each_request() -> None:
    app = make_app()
    client = app.test_client()

    first = client.get("/where?q=1", "http://localhost/mount/")
    second = client.get("/where?q=%E2%82%AC", "http://localhost/mount/")
    other_mount = client.get("/where?q=3", "http://localhost/other/")

    assert first.text == "/mount|/where|1"
    assert second.text == "/mount|/where|€"
    assert other_mount.text == "/other|/where|3"


def test_an_empty_path_info_routes_as_werkzeug_does() -> None:
    app = make_app()
    environ = {"PATH_INFO": "", "SCRIPT_NAME": "/mount"}
    client = app.test_client()

    answers = [client.get(environ_overrides=environ).status_code for _ in range(3)]

    assert answers == [answers[0]] * 3


def test_a_host_that_does_not_match_server_name_warns_every_time() -> None:
    app = make_app(SERVER_NAME="example.test")
    client = app.test_client()

    for _ in range(2):
        with pytest.warns(UserWarning, match="doesn't match configured server name"):
            client.get("/", "http://elsewhere.test/")


def test_method_and_strict_slash_redirects_use_the_current_request() -> None:
    app = make_app()

    @app.route("/folder/", methods=["POST"])
    def folder() -> str:
        return "folder"

    client = app.test_client()
    client.get("/where")

    assert client.post("/where").status_code == 405
    assert client.post("/folder?x=1").headers["Location"] == "http://localhost/folder/?x=1"
