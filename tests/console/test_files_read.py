"""Reloads follow code: the config files an app read reload it; what it writes never does."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from console.protocol import LoadError, Ready
from console.supervisor import Supervisor
from tests.console.test_supervisor import FAST, EventLog, get, is_state, url

TUTORIAL_LIKE = """\
import json
import sqlite3
from pathlib import Path
from framework import App

app = App(__name__, instance_relative_config=True)
app.config.from_pyfile("config.py", silent=True)
app.config.from_file(str(Path(app.root_path, "settings.json")), load=json.load)
Path(app.instance_path).mkdir(exist_ok=True)


@app.post("/register")
def register():
    database = sqlite3.connect(Path(app.instance_path) / "app.sqlite")
    with database:
        database.execute("CREATE TABLE IF NOT EXISTS user (name TEXT)")
        database.execute("INSERT INTO user VALUES ('ada')")
    database.close()
    with open(Path(app.root_path, "requests.txt"), "a") as log:
        log.write("POST /register\\n")
    return "registered"


@app.get("/")
def greeting():
    return app.config["GREETING"] + app.config.get("PUNCTUATION", "")
"""


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "tutorial.py").write_text(TUTORIAL_LIKE)
    (tmp_path / "settings.json").write_text(json.dumps({"GREETING": "hello"}))
    (tmp_path / "instance").mkdir()
    return tmp_path


def post(address: str) -> str:
    request = urllib.request.Request(address, data=b"name=ada", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_writes_to_its_database_never_reload_an_app_and_its_config_files_do(
    project: Path, log: EventLog
) -> None:
    with Supervisor([str(project / "tutorial.py")], log, cwd=str(project), policy=FAST) as sup:
        log.wait_for(is_state("tutorial", "running"))
        ready = log.wait_for(lambda e: isinstance(e, Ready))
        assert isinstance(ready, Ready)
        assert str(project / "settings.json") in ready.watch_files
        assert str(project / "instance" / "config.py") in ready.watch_files, "looked for"
        assert not any("sqlite" in path for path in ready.watch_files)
        for _ in range(5):
            assert post(url(sup, "tutorial", "/register")) == "registered"
        assert get(url(sup, "tutorial")) == "hello"

        (project / "instance" / "config.py").write_text("PUNCTUATION = '!'\n")
        wait_for_answer(sup, "hello!")
        (project / "settings.json").write_text(json.dumps({"GREETING": "hi"}))
        wait_for_answer(sup, "hi!")
    assert len(log.of(Ready)) == 3, "the first load and the two config edits, nothing else"


def wait_for_answer(supervisor: Supervisor, text: str) -> None:
    deadline = time.monotonic() + 15
    while get(url(supervisor, "tutorial")) != text:
        assert time.monotonic() < deadline, f"never served {text!r}"
        time.sleep(0.02)


def test_a_config_file_that_broke_the_load_reloads_the_app_when_fixed(
    project: Path, log: EventLog
) -> None:
    (project / "settings.json").write_text("{not json")
    with Supervisor([str(project / "tutorial.py")], log, cwd=str(project), policy=FAST) as sup:
        error = log.wait_for(lambda e: isinstance(e, LoadError))
        assert isinstance(error, LoadError) and error.exc_type == "JSONDecodeError"
        assert str(project / "settings.json") in error.watch_files
        (project / "settings.json").write_text(json.dumps({"GREETING": "fixed"}))
        log.wait_for(is_state("tutorial", "running"))
        assert get(url(sup, "tutorial")) == "fixed"
