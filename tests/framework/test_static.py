"""Static files at static_url_path: serving, traversal attempts, conditional requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.http import http_date

from framework import App, url_for


@pytest.fixture
def app(tmp_path: Path) -> App:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    (static / "css" / "site.css").write_text("body { color: red; }")
    (static / "hello.txt").write_text("hello static")
    (tmp_path / "secret.txt").write_text("top secret")
    application = App("static_tests", root_path=str(tmp_path))
    application.testing = True
    return application


def test_static_file_is_served(app: App) -> None:
    response = app.test_client().get("/static/css/site.css")
    assert response.status_code == 200
    assert response.data == b"body { color: red; }"
    assert response.mimetype == "text/css"
    response.close()


def test_static_file_headers(app: App) -> None:
    response = app.test_client().get("/static/hello.txt")
    assert response.headers["Content-Length"] == "12"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "ETag" in response.headers
    assert "Last-Modified" in response.headers
    assert response.headers["Cache-Control"] == "no-cache"
    response.close()


def test_send_file_max_age_default_sets_cache_control(app: App) -> None:
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 60
    response = app.test_client().get("/static/hello.txt")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    response.close()


def test_head_of_a_static_file(app: App) -> None:
    response = app.test_client().head("/static/hello.txt")
    assert (response.status_code, response.data) == (200, b"")
    assert response.headers["Content-Length"] == "12"
    response.close()


def test_missing_static_file_is_404(app: App) -> None:
    assert app.test_client().get("/static/nope.css").status_code == 404


def test_directory_is_404(app: App) -> None:
    assert app.test_client().get("/static/css").status_code == 404


def test_post_to_a_static_file_is_405(app: App) -> None:
    assert app.test_client().post("/static/hello.txt").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/css/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/%2E%2E%2Fsecret.txt",
        "/static/..\\secret.txt",
        "/static/hello.txt%00.css",
        "/static/%00",
    ],
)
def test_paths_escaping_the_static_folder_are_404(app: App, path: str) -> None:
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert b"top secret" not in response.data


@pytest.mark.parametrize("path", ["/static/%2Fetc%2Fpasswd", "/static//etc/passwd"])
def test_absolute_paths_are_redirected_inside_the_static_folder(app: App, path: str) -> None:
    client = app.test_client()
    response = client.get(path)
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/static/etc/passwd"
    assert client.get(path, follow_redirects=True).status_code == 404


def test_absolute_path_to_an_existing_file_is_404(app: App, tmp_path: Path) -> None:
    response = app.test_client().get(f"/static{tmp_path}/secret.txt")
    assert response.status_code == 404
    assert b"top secret" not in response.data


def test_if_none_match_gives_304(app: App) -> None:
    client = app.test_client()
    first = client.get("/static/hello.txt")
    etag = first.headers["ETag"]
    first.close()
    second = client.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.data == b""
    assert second.headers["ETag"] == etag
    second.close()


def test_if_modified_since_gives_304(app: App) -> None:
    client = app.test_client()
    first = client.get("/static/hello.txt")
    last_modified = first.headers["Last-Modified"]
    first.close()
    second = client.get("/static/hello.txt", headers={"If-Modified-Since": last_modified})
    assert second.status_code == 304
    second.close()


def test_stale_if_modified_since_gives_the_file(app: App) -> None:
    response = app.test_client().get(
        "/static/hello.txt", headers={"If-Modified-Since": http_date(0)}
    )
    assert (response.status_code, response.data) == (200, b"hello static")
    response.close()


def test_other_etag_gives_the_file(app: App) -> None:
    response = app.test_client().get("/static/hello.txt", headers={"If-None-Match": '"other"'})
    assert response.status_code == 200
    response.close()


def test_range_request_gives_206(app: App) -> None:
    response = app.test_client().get("/static/hello.txt", headers={"Range": "bytes=0-4"})
    assert response.status_code == 206
    assert response.data == b"hello"
    assert response.headers["Content-Range"] == "bytes 0-4/12"
    response.close()


def test_unsatisfiable_range_gives_416(app: App) -> None:
    response = app.test_client().get("/static/hello.txt", headers={"Range": "bytes=100-200"})
    assert response.status_code == 416


def test_custom_static_url_path_and_folder(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("run()")
    app = App(
        "static_tests", root_path=str(tmp_path), static_folder="assets", static_url_path="/public"
    )
    client = app.test_client()
    response = client.get("/public/app.js")
    assert (response.status_code, response.data) == (200, b"run()")
    response.close()
    assert client.get("/assets/app.js").status_code == 404


def test_static_url_is_built_with_url_for(app: App) -> None:
    with app.test_request_context():
        assert url_for("static", filename="css/site.css") == "/static/css/site.css"


def test_send_static_file(app: App) -> None:
    with app.test_request_context():
        response = app.send_static_file("hello.txt")
        response.direct_passthrough = False
        assert response.data == b"hello static"
        response.close()


def test_send_static_file_without_a_static_folder_is_an_error(tmp_path: Path) -> None:
    app = App("static_tests", root_path=str(tmp_path), static_folder=None)
    with app.test_request_context(), pytest.raises(RuntimeError, match="static_folder"):
        app.send_static_file("hello.txt")


@pytest.mark.parametrize(
    ("base_url", "status"),
    [("http://cdn.example", 200), ("http://shop.example", 404), ("http://other.example", 404)],
)
def test_static_host_serves_static_files_on_that_host_only(
    tmp_path: Path, base_url: str, status: int
) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "x.css").write_text("x")
    app = App(
        "static_tests", root_path=str(tmp_path), host_matching=True, static_host="cdn.example"
    )
    response = app.test_client().get("/static/x.css", base_url=base_url)
    assert response.status_code == status
    response.close()


def test_static_url_points_at_the_static_host(tmp_path: Path) -> None:
    app = App(
        "static_tests", root_path=str(tmp_path), host_matching=True, static_host="cdn.example"
    )
    app.add_url_rule("/", "index", lambda: url_for("static", filename="x.css"), host="shop.example")
    response = app.test_client().get("/", base_url="http://shop.example")
    assert response.text == "http://cdn.example/static/x.css"
