from __future__ import annotations

import pytest

from demo_apps.route_options import app

BASE = "http://xx.com:5000"


@pytest.fixture
def client():
    return app.test_client()


def test_defaults_supply_nid_when_the_url_has_none(client, capsys) -> None:
    response = client.get(BASE + "/")

    assert "nid=888" in response.get_data(as_text=True)
    assert "index(nid=888)" in capsys.readouterr().out


def test_same_endpoint_takes_nid_from_the_url(client) -> None:
    assert "nid=5" in client.get(BASE + "/page/5").get_data(as_text=True)


def test_url_with_the_default_value_redirects_to_the_short_rule(client) -> None:
    response = client.get(BASE + "/page/888")

    assert response.status_code == 308
    assert response.headers["Location"] == BASE + "/"


def test_non_numeric_id_for_an_int_route_is_404(client) -> None:
    assert client.get(BASE + "/page/abc").status_code == 404
    assert client.get(BASE + "/index/abc").status_code == 404


def test_strict_slashes(client) -> None:
    assert client.get(BASE + "/strict").status_code == 200
    assert client.get(BASE + "/strict/").status_code == 404
    assert client.get(BASE + "/relaxed").status_code == 200
    assert client.get(BASE + "/relaxed/").status_code == 200


def test_redirect_to_string_fills_in_the_values(client) -> None:
    response = client.get(BASE + "/index/5")

    assert response.status_code == 308
    assert response.headers["Location"] == BASE + "/home/5"
    assert "home 5" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_redirect_to_function_computes_the_target(client) -> None:
    response = client.get(BASE + "/old/5")

    assert response.status_code == 308
    assert response.headers["Location"] == BASE + "/home/888"


def test_static_subdomain(client) -> None:
    response = client.get("http://admin.xx.com:5000/")

    assert response.get_data(as_text=True) == "static.you-domain.tld (the 'admin' subdomain)"


def test_dynamic_subdomain_is_a_view_argument(client) -> None:
    response = client.get("http://alice.xx.com:5000/dynamic")

    assert response.get_data(as_text=True) == "alice.you-domain.tld"


def test_dynamic_route_does_not_exist_on_the_bare_domain(client) -> None:
    assert client.get(BASE + "/dynamic").status_code == 404


def test_url_for_with_and_without_the_default(client) -> None:
    page = client.get(BASE + "/").get_data(as_text=True)

    assert "url_for('n1') = /;" in page
    assert "url_for('n1', nid=5) = /page/5" in page


def test_other_hosts_get_404_everywhere_and_werkzeug_warns(client) -> None:
    with pytest.warns(UserWarning, match="doesn't match configured server name"):
        response = client.get("http://127.0.0.1:5000/")

    assert response.status_code == 404
