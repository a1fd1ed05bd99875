from __future__ import annotations

from html import unescape

import pytest

from demo_apps.converters import app


def page_text(response) -> str:
    """The body as a reader sees it: HTML entities such as &#39; turned back into text."""
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def client():
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/user/alisi", "username = 'alisi' (str)"),
        ("/post/42", "post_id = 42 (int)"),
        ("/post/4.2", "post_id = 4.2 (float)"),
        ("/path/a/b/c", "subpath = 'a/b/c' (str)"),
        (
            "/uuid/12345678-1234-5678-1234-567812345678",
            "item_id = UUID('12345678-1234-5678-1234-567812345678') (UUID)",
        ),
        ("/lang/en", "lang = 'en' (str)"),
        ("/index/123", "nid = '123' (str)"),
    ],
)
def test_each_converter_hands_the_view_a_typed_value(client, path, shown) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert shown in page_text(response)


@pytest.mark.parametrize(
    "path",
    ["/post/abc", "/post/4.2.1", "/uuid/xyz", "/lang/fr", "/index/12a", "/user/a/b"],
)
def test_values_that_do_not_fit_are_404(client, path) -> None:
    assert client.get(path).status_code == 404


def test_regex_converter_to_python_runs_on_match_and_to_url_on_url_for(client, capsys) -> None:
    page = page_text(client.get("/index/123"))

    out = capsys.readouterr().out
    assert "RegexConverter.to_python('123')" in out
    assert "RegexConverter.to_url(89) -> '89'" in out
    assert "url_for('index', nid=89) = /index/89" in page


def test_index_links_are_built_by_url_for(client) -> None:
    page = page_text(client.get("/"))

    for link in ("/user/alisi", "/post/42", "/post/4.2", "/path/a/b/c", "/lang/zh", "/index/89"):
        assert f"href='{link}'" in page
    assert "/uuid/12345678-1234-5678-1234-567812345678" in page


def test_regex_converter_is_registered_under_its_keyword() -> None:
    assert app.url_map.converters["regex"].__name__ == "RegexConverter"
