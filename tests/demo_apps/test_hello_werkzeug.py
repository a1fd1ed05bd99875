from __future__ import annotations

from werkzeug.test import Client

from demo_apps.hello_werkzeug import app


def test_every_path_gets_hello_world() -> None:
    client = Client(app)

    for path in ("/", "/any/path?x=1"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "Hello World!"


def test_each_request_is_printed(capsys) -> None:
    Client(app).post("/form?x=1")

    assert "hello_werkzeug: POST /form?x=1" in capsys.readouterr().out
