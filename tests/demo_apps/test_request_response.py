from __future__ import annotations

import io
import os
import tempfile
from html import unescape

import pytest

from demo_apps.request_response import REQUEST_ATTRIBUTES, app


def page_text(response) -> str:
    """The body as a reader sees it: HTML entities such as &#39; turned back into text."""
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def upload_folder(tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def client():
    return app.test_client()


def test_page_lists_every_request_attribute_from_the_notes(client) -> None:
    page = page_text(client.get("/?a=1&b=2"))

    for name in REQUEST_ATTRIBUTES:
        assert f"<td>request.{name}</td>" in page
    assert "'a', '1'" in page
    assert "http://localhost/?a=1&b=2" in page


def test_posted_form_shows_in_form_and_values(client) -> None:
    page = page_text(client.post("/?a=1", data={"user": "alisi"}))

    form_row = page.split("<td>request.form</td>")[1].split("</tr>")[0]
    values_row = page.split("<td>request.values</td>")[1].split("</tr>")[0]
    assert "alisi" in form_row
    assert "alisi" in values_row and "'a'" in values_row


def test_upload_is_saved_in_the_upload_folder(client, upload_folder) -> None:
    response = client.post("/upload", data={"the_file": (io.BytesIO(b"hello"), "notes.txt")})

    assert response.status_code == 200
    assert (upload_folder / "notes.txt").read_bytes() == b"hello"


def test_hostile_filename_is_sanitised_and_kept_inside_the_folder(
    client, upload_folder, tmp_path
) -> None:
    response = client.post(
        "/upload", data={"the_file": (io.BytesIO(b"root:x:0:0"), "../../etc/passwd")}
    )

    assert response.status_code == 200
    assert "as etc_passwd" in page_text(response)
    assert [p.name for p in upload_folder.iterdir()] == ["etc_passwd"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["uploads"]


def test_filename_with_nothing_safe_left_is_400(client, upload_folder) -> None:
    response = client.post("/upload", data={"the_file": (io.BytesIO(b"x"), "../..")})

    assert response.status_code == 400
    assert "no safe characters left" in page_text(response)
    assert not upload_folder.exists()


def test_upload_without_a_file_is_400(client, upload_folder) -> None:
    response = client.post("/upload", data={"other": "x"})

    assert response.status_code == 400
    assert "the_file" in page_text(response)


def test_oversized_upload_is_413(client, upload_folder, monkeypatch) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 100)

    response = client.post("/upload", data={"the_file": (io.BytesIO(b"x" * 200), "big.bin")})

    assert response.status_code == 413
    assert not upload_folder.exists()


def test_default_upload_folder_is_outside_the_repository() -> None:
    repo = os.path.dirname(os.path.abspath(app.root_path))
    folder = os.path.abspath(app.config["UPLOAD_FOLDER"])

    assert folder.startswith(os.path.join(app.instance_path, ""))
    assert folder.startswith(os.path.join(tempfile.gettempdir(), ""))
    assert not folder.startswith(os.path.join(repo, ""))


def test_make_response_sets_and_deletes_cookies_and_adds_a_header(client) -> None:
    response = client.get("/cookie")

    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("key=value;") for c in cookies)
    assert any(c.startswith("old=;") and "Max-Age=0" in c for c in cookies)
    assert response.headers["X-Something"] == "A value"
    assert client.get_cookie("key").value == "value"


def test_jsonify(client) -> None:
    response = client.get("/json")

    assert response.mimetype == "application/json"
    assert response.get_json() == {"k": "v"}


def test_head_on_the_upload_page_answers_like_get(client) -> None:
    assert client.head("/upload").status_code == client.get("/upload").status_code == 200
