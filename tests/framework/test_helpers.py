"""send_file and send_from_directory used from views."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.test import TestResponse

from framework import App, send_file, send_from_directory


@pytest.fixture
def app(tmp_path: Path) -> App:
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "report.csv").write_text("a,b\n1,2\n")
    (tmp_path / "secret.txt").write_text("top secret")
    application = App("helpers_tests", root_path=str(tmp_path))
    application.testing = True
    return application


def get(app: App, view: Callable[[], Any]) -> TestResponse:
    """Route ``/`` to ``view`` and GET it."""
    app.add_url_rule("/", "index", view)
    return app.test_client().get("/")


# -- send_file -------------------------------------------------------------------------


def test_send_file_relative_to_root_path(app: App) -> None:
    response = get(app, lambda: send_file("files/report.csv"))
    assert response.status_code == 200
    assert response.data == b"a,b\n1,2\n"
    assert response.mimetype == "text/csv"
    response.close()


def test_send_file_absolute_path(app: App, tmp_path: Path) -> None:
    response = get(app, lambda: send_file(tmp_path / "files" / "report.csv"))
    assert response.data == b"a,b\n1,2\n"
    response.close()


def test_send_file_as_attachment(app: App) -> None:
    response = get(app, lambda: send_file("files/report.csv", as_attachment=True))
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=report.csv"
    response.close()


def test_send_file_download_name_with_non_ascii_characters(app: App) -> None:
    response = get(
        app,
        lambda: send_file("files/report.csv", as_attachment=True, download_name="报告.csv"),
    )
    disposition = response.headers["Content-Disposition"]
    assert disposition == ("attachment; filename=.csv; filename*=UTF-8''%E6%8A%A5%E5%91%8A.csv")
    response.close()


def test_send_file_from_a_file_object_with_a_mimetype(app: App) -> None:
    response = get(app, lambda: send_file(io.BytesIO(b"\x89PNG"), mimetype="image/png"))
    assert response.data == b"\x89PNG"
    assert response.mimetype == "image/png"


def test_send_file_from_a_file_object_guesses_the_type_from_download_name(app: App) -> None:
    response = get(app, lambda: send_file(io.BytesIO(b"{}"), download_name="data.json"))
    assert response.mimetype == "application/json"


def test_send_file_from_a_file_object_needs_a_name_or_a_mimetype(app: App) -> None:
    with pytest.raises(TypeError, match="Unable to detect the MIME type"):
        get(app, lambda: send_file(io.BytesIO(b"data")))


def test_send_file_of_a_missing_file_raises(app: App) -> None:
    with pytest.raises(FileNotFoundError):
        get(app, lambda: send_file("files/missing.csv"))


def test_send_file_of_a_missing_file_is_500_outside_testing(app: App) -> None:
    app.testing = False
    app.logger.disabled = True
    assert get(app, lambda: send_file("files/missing.csv")).status_code == 500


def test_send_file_max_age(app: App) -> None:
    response = get(app, lambda: send_file("files/report.csv", max_age=120))
    assert response.headers["Cache-Control"] == "public, max-age=120"
    response.close()


def test_send_file_is_conditional_by_default(app: App) -> None:
    app.add_url_rule("/", "index", lambda: send_file("files/report.csv"))
    client = app.test_client()
    first = client.get("/")
    first.close()
    second = client.get("/", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 304
    second.close()


def test_send_file_without_conditional_ignores_if_none_match(app: App) -> None:
    app.add_url_rule(
        "/", "index", lambda: send_file("files/report.csv", conditional=False, etag="fixed")
    )
    response = app.test_client().get("/", headers={"If-None-Match": '"fixed"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == '"fixed"'
    response.close()


def test_send_file_without_etag(app: App) -> None:
    response = get(app, lambda: send_file("files/report.csv", etag=False))
    assert "ETag" not in response.headers
    response.close()


def test_use_x_sendfile_leaves_the_body_to_the_server(app: App, tmp_path: Path) -> None:
    app.config["USE_X_SENDFILE"] = True
    response = get(app, lambda: send_file("files/report.csv"))
    assert response.headers["X-Sendfile"] == str(tmp_path / "files" / "report.csv")
    assert response.data == b""


def test_send_file_needs_a_request(app: App) -> None:
    with app.app_context(), pytest.raises(RuntimeError, match="request context"):
        send_file("files/report.csv")


# -- send_from_directory ----------------------------------------------------------------------


def test_send_from_directory(app: App, tmp_path: Path) -> None:
    @app.route("/download/<path:name>")
    def download(name: str) -> object:
        return send_from_directory(tmp_path / "files", name)

    response = app.test_client().get("/download/report.csv")
    assert response.data == b"a,b\n1,2\n"
    response.close()


def test_send_from_a_relative_directory_resolves_against_root_path(app: App) -> None:
    @app.route("/download/<path:name>")
    def download(name: str) -> object:
        return send_from_directory("files", name, as_attachment=True)

    response = app.test_client().get("/download/report.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
    response.close()


@pytest.mark.parametrize(
    "name", ["../secret.txt", "..%2fsecret.txt", "%2e%2e/secret.txt", "missing.csv", "a%00b"]
)
def test_send_from_directory_refuses_names_outside_with_404(app: App, name: str) -> None:
    @app.route("/download/<path:name>")
    def download(name: str) -> object:
        return send_from_directory("files", name)

    response = app.test_client().get(f"/download/{name}")
    assert response.status_code == 404
    assert b"top secret" not in response.data


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "x\x00y"])
def test_send_from_directory_raises_not_found(app: App, name: str) -> None:
    with app.test_request_context(), pytest.raises(NotFound):
        send_from_directory("files", name)


def test_get_send_file_max_age_follows_config(app: App) -> None:
    with app.app_context():
        assert app.get_send_file_max_age("x.txt") is None
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 30
        assert app.get_send_file_max_age("x.txt") == 30
