from __future__ import annotations

import os
from html import unescape

import demo_apps.config_demo
from demo_apps.config_demo import app


def page_text(response) -> str:
    """The body as a reader sees it: HTML entities such as &#39; turned back into text."""
    return unescape(response.get_data(as_text=True))


def test_instance_path_is_the_folder_inside_the_package() -> None:
    package_dir = os.path.dirname(os.path.abspath(demo_apps.config_demo.__file__))

    assert app.root_path == package_dir
    assert app.instance_path == os.path.join(package_dir, "instance_folder")
    assert app.config.root_path == app.instance_path


def test_later_loads_win() -> None:
    assert app.config["DEBUG"] is False
    assert app.config["GREETING"] == "你好 from settings.py"
    assert app.config["PAGE_SIZE"] == 20
    assert app.config["DATABASE_URI"] == "sqlite:////var/tmp/this-machine.db"
    assert app.config["SECRET_KEY"] == "instance-only-secret"


def test_lowercase_names_in_a_settings_file_are_not_config() -> None:
    assert "helper_value" not in app.config


def test_page_names_the_source_of_each_value() -> None:
    page = page_text(app.test_client().get("/"))

    assert "<td>GREETING</td>" in page
    assert "root_path: settings.py</td>" in page
    debug_row = page.split("<td>DEBUG</td>")[1].split("</tr>")[0]
    assert "code: app.config['DEBUG'] = True → instance_path: settings.cfg" in debug_row
    secret_row = page.split("<td>SECRET_KEY</td>")[1].split("</tr>")[0]
    assert "instance_path: settings.cfg" in secret_row


def test_one_key_and_a_missing_key() -> None:
    client = app.test_client()

    assert page_text(client.get("/key/PAGE_SIZE")) == "20"
    missing = client.get("/key/NOPE")
    assert missing.status_code == 404
    assert "no config key 'NOPE'" in page_text(missing)
