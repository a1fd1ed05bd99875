"""Genuine Flask apps in real workers under the supervisor, over real HTTP on 127.0.0.1.

The apps are copied from tests/console/apps (and demo_apps/flask_blog is run with its
instance folder in the test's temporary directory), so every test edits only copies.
"""

from __future__ import annotations

import shutil
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.protocol import LoadError, Ready, Trace
from console.supervisor import Supervisor
from tests.console.instrument.test_flask_app import steps
from tests.console.test_supervisor import FAST, EventLog, is_state
from tests.console.test_watch import WatchProcess, fetch, free_port

APPS = Path(__file__).parent / "apps"
BLOG = Path(__file__).parent.parent.parent / "demo_apps" / "flask_blog"


class TracedClient:
    """Requests to one app with its own cookie jar; each request's trace fetched by its id."""

    def __init__(self, supervisor: Supervisor, app: str, log: EventLog) -> None:
        self._http = httpx.Client(base_url=supervisor.app(app).url, timeout=10)
        self._log = log

    def send(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, dict[str, Any]]:
        request_id = uuid.uuid4().hex
        headers = {"X-Request-Id": request_id, **kwargs.pop("headers", {})}
        response = self._http.request(method, path, headers=headers, **kwargs)
        event = self._log.wait_for(lambda e: isinstance(e, Trace) and e.request_id == request_id)
        assert isinstance(event, Trace)
        return response, event.trace

    @property
    def cookies(self) -> httpx.Cookies:
        return self._http.cookies

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def apps_dir(tmp_path: Path) -> Path:
    for name in ("twin_blog.py", "twin_blog_flask.py", "twin_blog_framework.py"):
        shutil.copy(APPS / name, tmp_path / name)
    shutil.copy(APPS / "flask_extensions.py", tmp_path / "flask_extensions.py")
    return tmp_path


def running(targets: list[str], log: EventLog, cwd: Path) -> Supervisor:
    supervisor = Supervisor(targets, log, cwd=str(cwd), policy=FAST, drain_grace=3.0)
    supervisor.start()
    return supervisor


@contextmanager
def serving(target: str, app: str, log: EventLog, cwd: Path) -> Iterator[TracedClient]:
    """``target`` run under a supervisor until the block ends; a client for it once running."""
    supervisor = running([target], log, cwd)
    try:
        log.wait_for(is_state(app, "running"))
        client = TracedClient(supervisor, app, log)
        yield client
        client.close()
    finally:
        supervisor.stop()


@pytest.fixture
def blog(tmp_path: Path, log: EventLog) -> Iterator[TracedClient]:
    target = f"{BLOG}:create_app({str(tmp_path / 'instance')!r})"
    with serving(target, "flask_blog", log, tmp_path) as client:
        yield client


def test_the_flask_blog_is_traced_step_by_step(blog: TracedClient) -> None:
    response, trace = blog.send("GET", "/create")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert steps(trace) == [
        "before_request load_logged_in_user",
        "view login_required(create)",
        "teardown_appcontext close_db",
    ]
    assert trace["steps"][1]["returned"] == "<Response [302 FOUND]>"
    assert trace["routing"]["endpoint"] == "blog.create"

    response, trace = blog.send("POST", "/auth/login", data={"username": "admin", "password": "no"})
    assert response.status_code == 200 and "Incorrect username or password." in response.text
    assert [t["name"] for t in trace["templates"]] == ["auth/login.html"]
    assert (
        trace["flashes"]["added"]
        == trace["flashes"]["consumed"]
        == [["message", "Incorrect username or password."]]
    )

    response, trace = blog.send(
        "POST", "/auth/login", data={"username": "admin", "password": "password"}
    )
    assert response.status_code == 302
    assert trace["session"]["before"] == {} and trace["session"]["after"] == {
        "user_id": 1,
        "_flashes": [["message", "Welcome back, admin."]],
    }
    assert trace["session"]["cookie"] == "set"

    response, trace = blog.send("GET", "/")
    assert "Welcome back, admin." in response.text
    assert steps(trace) == [
        "before_request load_logged_in_user",
        "view index",
        "teardown_appcontext close_db",
    ]
    assert trace["flashes"]["consumed"] == [["message", "Welcome back, admin."]]
    assert trace["templates"][0]["name"] == "blog/index.html"

    response, trace = blog.send("GET", "/42")
    assert response.status_code == 404 and "No page at /42." in response.text
    assert steps(trace) == [
        "before_request load_logged_in_user",
        "view post [raised werkzeug.exceptions.NotFound]",
        "errorhandler page_not_found",
        "teardown_appcontext close_db",
    ]
    assert trace["steps"][1]["file"].endswith("demo_apps/flask_blog/blog.py")


REQUESTS: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/admin/", {}),  # short-circuit, flash queued
    ("GET", "/login", {}),  # the flash consumed across the redirect
    ("POST", "/login", {"user": "ada", "password": "secret"}),  # the session set
    ("GET", "/admin/", {}),
    ("GET", "/fr/blog/", {}),  # a url_value_preprocessor
    ("GET", "/boom", {}),  # an unhandled error, the 500 handler
    ("GET", "/nowhere", {}),  # 404 and its handler
    ("DELETE", "/login", {}),  # 405
    ("GET", "/admin", {}),  # a redirect from routing (strict slashes)
    ("GET", "/notice", {}),  # a flash queued and consumed by one request
    ("GET", "/logout", {}),
]


def comparable(trace: dict[str, Any]) -> dict[str, Any]:
    return {
        "steps": [
            (
                step["kind"],
                step["name"],
                step["blueprint"],
                step["short_circuit"],
                step["skipped"],
                (step["raised"] or {}).get("type"),
            )
            for step in trace["steps"]
        ],
        "routing": (trace["routing"]["outcome"], trace["routing"]["endpoint"]),
        "status": trace["response"]["status"],
        "session": trace["session"],
        "flashes": trace["flashes"],
        "templates": [template["name"] for template in trace["templates"]],
        "exception": (trace["exception"] or {}).get("type"),
    }


def test_the_same_app_code_on_flask_and_on_the_framework_traces_the_same(
    apps_dir: Path, log: EventLog
) -> None:
    supervisor = running(["twin_blog_flask.py", "twin_blog_framework.py"], log, apps_dir)
    try:
        log.wait_for(is_state("twin_blog_flask", "running"))
        log.wait_for(is_state("twin_blog_framework", "running"))
        on_flask = TracedClient(supervisor, "twin_blog_flask", log)
        on_framework = TracedClient(supervisor, "twin_blog_framework", log)
        for method, path, form in REQUESTS:
            flask_response, flask_trace = on_flask.send(method, path, data=form)
            framework_response, framework_trace = on_framework.send(method, path, data=form)
            assert flask_response.status_code == framework_response.status_code, path
            assert comparable(flask_trace) == comparable(framework_trace), f"{method} {path}"
            if path == "/notice":
                shown = [["message", "shown at once"]]
                assert flask_trace["flashes"]["added"] == shown
                assert flask_trace["flashes"]["consumed"] == shown
        on_flask.close()
        on_framework.close()
    finally:
        supervisor.stop()


@pytest.fixture
def extensions(apps_dir: Path, log: EventLog) -> Iterator[TracedClient]:
    with serving("flask_extensions.py", "flask_extensions", log, apps_dir) as client:
        yield client


def test_flask_login_shows_which_decorator_redirected_an_anonymous_request(
    extensions: TracedClient,
) -> None:
    response, trace = extensions.send("GET", "/private")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fprivate"
    assert steps(trace) == [
        "before_request csrf_protect",
        "view login_required(private)",
        "after_request _update_remember_cookie",
    ]
    view = trace["steps"][1]
    assert view["name"] == "login_required(private)"
    assert view["returned"] == "<Response [302 FOUND]>"
    assert trace["flashes"]["added"] == [["message", "Please log in to access this page."]]

    extensions.send("GET", "/login")
    response, trace = extensions.send("GET", "/private")
    assert response.text == "private page"
    assert trace["steps"][1]["returned"] == "'private page'"


def test_a_user_flask_login_loads_from_the_remember_cookie_shows_in_the_session(
    extensions: TracedClient,
) -> None:
    extensions.send("GET", "/login")
    remembered = extensions.cookies["remember_token"]
    extensions.cookies.clear()  # a new browser session: only the remember cookie is sent

    response, trace = extensions.send(
        "GET", "/private", headers={"Cookie": f"remember_token={remembered}"}
    )

    assert response.text == "private page"
    assert trace["session"]["before"] == {}
    assert trace["session"]["after"]["_user_id"] == "ada"
    assert trace["session"]["after"]["_fresh"] is False  # loaded from the cookie, not a login
    assert steps(trace)[-1] == "after_request _update_remember_cookie"


def test_flask_wtfs_csrf_check_is_the_before_request_hook_that_raised(
    extensions: TracedClient,
) -> None:
    response, trace = extensions.send("POST", "/comment", data={"text": "hi"})

    assert response.status_code == 400
    assert steps(trace) == [
        "before_request csrf_protect [raised flask_wtf.csrf.CSRFError]",
        "after_request _update_remember_cookie",
    ]


def test_a_bare_wsgi_function_is_served_with_request_and_response_traces(
    apps_dir: Path, log: EventLog
) -> None:
    (apps_dir / "raw.py").write_text(
        textwrap.dedent("""\
            def hello(environ, start_response):
                start_response("200 OK", [("Content-Type", "text/plain")])
                return [b"raw " + environ["PATH_INFO"].encode()]
        """)
    )
    with serving("raw.py:hello", "raw", log, apps_dir) as client:
        response, trace = client.send("GET", "/any/path")

    assert response.text == "raw /any/path"
    assert trace["steps"] == []
    assert (trace["request"]["path"], trace["response"]["status"]) == ("/any/path", 200)
    assert trace["response"]["body_preview"] == "raw /any/path"


def flask_distribution_record(directory: Path, version: str) -> None:
    """What pip leaves beside an installed Flask ``version``: how hookscope tells the version."""
    record = directory / f"flask-{version}.dist-info"
    record.mkdir()
    (record / "METADATA").write_text(f"Metadata-Version: 2.1\nName: Flask\nVersion: {version}\n")


def old_flask_project(directory: Path, version: str, flask_source: str) -> None:
    """A project in ``directory`` whose Flask is ``version``: a stand-in ``flask`` package
    (``flask_source``) with that version's record, and an ``app.py`` that makes its app."""
    (directory / "flask").mkdir()
    (directory / "flask" / "__init__.py").write_text(flask_source)
    flask_distribution_record(directory, version)
    (directory / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")


GOOD_FACTORY = """\
from flask import Flask


def create_app():
    app = Flask(__name__)

    @app.route("/")
    def index():
        return "version one"

    return app
"""


@pytest.mark.parametrize(
    ("broken_source", "message"),
    [
        (
            "from flask import Flask, NoSuchThing\n",
            "importing 'shop' raised ImportError: cannot import name 'NoSuchThing' from 'flask'",
        ),
        (
            GOOD_FACTORY.replace("    app = Flask(__name__)\n", "    raise KeyError('DATABASE')\n"),
            "factory create_app() raised KeyError: 'DATABASE'",
        ),
    ],
)
def test_a_flask_app_that_fails_to_load_is_one_message_and_the_old_one_keeps_serving(
    tmp_path: Path, log: EventLog, broken_source: str, message: str
) -> None:
    source = tmp_path / "shop.py"
    source.write_text(GOOD_FACTORY)
    with serving("shop.py", "shop", log, tmp_path) as client:
        source.write_text(broken_source)
        error = log.wait_for(lambda e: isinstance(e, LoadError) and e.app == "shop")
        assert isinstance(error, LoadError)
        assert error.message.startswith(f"could not load 'shop.py': {message}")
        assert error.traceback.startswith("Traceback (most recent call last):")
        assert error.file == str(source)

        response, trace = client.send("GET", "/")
        assert response.text == "version one"
        assert steps(trace) == ["view index"]

        log.forget()
        source.write_text(GOOD_FACTORY.replace("version one", "version two"))
        log.wait_for(lambda e: isinstance(e, Ready) and e.app == "shop")
        deadline = time.monotonic() + 15
        while (answer := client.send("GET", "/"))[0].text != "version two":
            assert time.monotonic() < deadline, "the fixed version never served"
        assert steps(answer[1]) == ["view index"]  # the fixed app, instrumented afresh


def test_a_flask_too_old_to_trace_is_named_when_the_app_loads(
    tmp_path: Path, log: EventLog
) -> None:
    """The project's Flask is 2.3 (a stand-in package with that version's record)."""
    old_flask_project(
        tmp_path,
        "2.3.3",
        "class Flask:\n    def __init__(self, import_name):\n        self.name = import_name\n",
    )
    supervisor = running(["app.py"], log, tmp_path)
    try:
        error = log.wait_for(lambda e: isinstance(e, LoadError) and e.app == "app")
    finally:
        supervisor.stop()

    assert isinstance(error, LoadError)
    assert error.message == (
        "could not load 'app.py': Flask 2.3.3 is too old: hookscope runs Flask 3.0 and 3.1 "
        "apps (pip install 'flask>=3.0,<4')"
    )


def test_watch_prints_a_flask_apps_requests_and_its_load_error_in_one_line(
    tmp_path: Path,
) -> None:
    source = tmp_path / "shop.py"
    source.write_text(GOOD_FACTORY)
    port = free_port()
    process = WatchProcess(tmp_path, "shop.py", "--port", str(port))
    try:
        process.expect("running (pid")
        assert fetch(port, "/") == "version one"
        process.expect("GET / 200 ")
        source.write_text(
            GOOD_FACTORY.replace("    app = Flask(__name__)\n", "    raise KeyError('DATABASE')\n")
        )
        line = process.expect("load error at ")
        assert line.endswith(
            "shop.py:5: could not load 'shop.py': factory create_app() raised KeyError: 'DATABASE'"
        )
        process.expect("the previous version keeps serving")
        assert fetch(port, "/") == "version one"
    finally:
        assert process.stop() == 0


def test_an_unguarded_app_run_in_a_flask_module_does_not_block_loading(
    tmp_path: Path, log: EventLog
) -> None:
    (tmp_path / "runs.py").write_text(
        textwrap.dedent("""\
            from flask import Flask

            app = Flask(__name__)


            @app.route("/")
            def index():
                return "served by the worker"


            app.run(port=1)  # no __main__ guard: Flask returns at once under a CLI
        """)
    )
    with serving("runs.py", "runs", log, tmp_path) as client:
        response, trace = client.send("GET", "/")

    assert response.text == "served by the worker"
    assert steps(trace) == ["view index"]
