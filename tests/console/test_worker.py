"""The worker process on its own, driven over its channel the way the supervisor drives it."""

from __future__ import annotations

import functools
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.protocol import (
    Event,
    LineSplitter,
    Load,
    LoadError,
    Log,
    Ready,
    Serve,
    Shutdown,
    Spare,
    Stopping,
    Trace,
    TracesDropped,
    decode_event,
    encode,
)
from console.targets import TargetError, load_target
from console.worker import describe_routes, load_error_from
from framework import App, Blueprint
from framework.views import MethodView

APPS = Path(__file__).parent / "apps"


class WorkerUnderTest:
    """A real ``python -m console.worker`` with the test holding the channel's other end."""

    def __init__(self, cwd: Path) -> None:
        self.channel, child = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "console.worker", "--channel-fd", str(child.fileno())],
            pass_fds=(child.fileno(),),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
        )
        child.close()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.setblocking(False)
        self.port = self.listener.getsockname()[1]
        self._splitter = LineSplitter()
        self._pending: list[Event] = []

    def load(self, target: str, **options: object) -> None:
        command = Load(app="demo", target=target, **options)  # type: ignore[arg-type]
        socket.send_fds(self.channel, [encode(command)], [self.listener.fileno()])

    def send(self, command: Serve | Shutdown) -> None:
        self.channel.sendall(encode(command))

    def next_event(self, timeout: float = 15.0) -> Event:
        deadline = time.monotonic() + timeout
        while not self._pending:
            self.channel.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = self.channel.recv(65536)
            assert chunk, "the worker closed its channel"
            for line in self._splitter.feed(chunk):
                assert isinstance(line, bytes)
                self._pending.append(decode_event(line))
        return self._pending.pop(0)

    def wait_for(self, kind: type[Event], timeout: float = 15.0) -> Event:
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(deadline - time.monotonic(), 0.01))
            if isinstance(event, kind):
                return event

    def close(self) -> None:
        self.channel.close()
        self.listener.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[WorkerUnderTest]:
    shutil.copy(APPS / "greeter.py", tmp_path / "greeter.py")
    under_test = WorkerUnderTest(tmp_path)
    yield under_test
    under_test.close()


def get(port: int, path: str, request_id: str | None = None) -> str:
    headers = {"X-Request-Id": request_id} if request_id else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.read().decode())


def test_a_warm_worker_loads_on_command_and_serves_after_serve(worker: WorkerUnderTest) -> None:
    spare = worker.next_event()
    assert isinstance(spare, Spare) and spare.pid == worker.process.pid
    worker.load("greeter.py")
    ready = worker.wait_for(Ready)
    assert isinstance(ready, Ready)
    assert (ready.app, ready.host, ready.port, ready.tracing) == (
        "demo",
        "127.0.0.1",
        worker.port,
        True,
    )
    assert any(path.endswith("greeter.py") for path in ready.watch_files)
    worker.send(Serve())
    assert get(worker.port, "/user/5", request_id="abc-123") == "user 5"
    trace = worker.wait_for(Trace)
    assert isinstance(trace, Trace) and trace.request_id == "abc-123"
    assert trace.trace["response"]["status"] == 200


def test_app_logger_records_arrive_with_their_level(
    worker: WorkerUnderTest, tmp_path: Path
) -> None:
    (tmp_path / "logs.py").write_text(
        "from framework import App\n"
        "app = App(__name__)\n"
        "@app.route('/')\n"
        "def index():\n"
        "    app.logger.error('something %s', 'broke')\n"
        "    return 'ok'\n"
    )
    worker.load("logs.py")
    worker.wait_for(Ready)
    worker.send(Serve())
    assert get(worker.port, "/") == "ok"
    record = worker.wait_for(Log)
    assert isinstance(record, Log)
    assert (record.stream, record.level, record.message) == ("logger", "ERROR", "something broke")
    assert record.logger == "logs"


def test_an_unguarded_app_run_in_the_module_does_not_block_loading(
    worker: WorkerUnderTest, tmp_path: Path
) -> None:
    (tmp_path / "runs.py").write_text(
        "from framework import App\n"
        "app = App(__name__)\n"
        "@app.route('/')\n"
        "def index():\n"
        "    return 'served by the worker'\n"
        "app.run(port=1)  # no __main__ guard\n"
    )
    worker.load("runs.py")
    worker.wait_for(Ready)
    worker.send(Serve())
    assert get(worker.port, "/") == "served by the worker"


def test_shutdown_drains_and_says_goodbye(worker: WorkerUnderTest) -> None:
    worker.load("greeter.py")
    worker.wait_for(Ready)
    worker.send(Serve())
    assert get(worker.port, "/") == "hello from v1"
    worker.send(Shutdown(grace=2.0))
    stopping = worker.wait_for(Stopping)
    assert isinstance(stopping, Stopping) and stopping.reason == "drained"
    assert worker.process.wait(timeout=5) == 0


def test_a_syntax_error_is_a_load_error_with_file_and_line(
    worker: WorkerUnderTest, tmp_path: Path
) -> None:
    (tmp_path / "broken.py").write_text("from framework import App\napp = App(__name__\n")
    worker.load("broken.py")
    error = worker.wait_for(LoadError)
    assert isinstance(error, LoadError)
    assert error.exc_type == "SyntaxError"
    assert error.file is not None and error.file.endswith("broken.py")
    assert error.line == 2
    assert error.message.startswith("could not load 'broken.py'")
    assert worker.process.wait(timeout=5) == 1


def test_load_without_a_socket_is_refused(worker: WorkerUnderTest) -> None:
    worker.channel.sendall(encode(Load(app="demo", target="greeter.py")))
    error = worker.wait_for(LoadError)
    assert isinstance(error, LoadError) and error.message == "no listening socket came with 'load'"


def test_a_malformed_command_is_reported_and_ignored(worker: WorkerUnderTest) -> None:
    worker.channel.sendall(b"this is not json\n")
    complaint = worker.wait_for(Log)
    assert isinstance(complaint, Log) and complaint.stream == "hookscope"
    assert "not a JSON line" in complaint.message
    worker.load("greeter.py")
    assert isinstance(worker.wait_for(Ready), Ready)


def test_the_worker_leaves_when_its_channel_closes(worker: WorkerUnderTest) -> None:
    worker.load("greeter.py")
    worker.wait_for(Ready)
    worker.send(Serve())
    worker.channel.close()
    started = time.monotonic()
    worker.process.wait(timeout=5)
    assert time.monotonic() - started < 2.0


def test_traces_beyond_the_queue_are_dropped_and_counted(worker: WorkerUnderTest) -> None:
    worker.load("greeter.py", trace_queue_size=5)
    worker.wait_for(Ready)
    worker.send(Serve())
    requests = 300
    for number in range(requests):
        get(worker.port, f"/user/{number}")  # the test reads nothing meanwhile
    delivered = dropped = 0
    while delivered + dropped < requests:
        event = worker.next_event(timeout=10)
        if isinstance(event, Trace):
            delivered += 1
        elif isinstance(event, TracesDropped):
            dropped = event.total
    assert dropped > 0
    assert delivered + dropped == requests


def test_a_bad_channel_fd_is_a_one_line_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "console.worker", "--channel-fd", "987"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("hookscope worker: bad --channel-fd 987")
    assert result.stderr.count("\n") == 1


# --- the url_map as the route inspector sees it -------------------------------------------


def traced(view):  # type: ignore[no-untyped-def]
    @functools.wraps(view)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        return view(*args, **kwargs)

    return wrapper


class ItemView(MethodView):
    def get(self, item_id: int) -> str:
        return str(item_id)

    def delete(self, item_id: int) -> str:
        return ""


def build_app() -> App:
    app = App("routes_demo")
    shop = Blueprint("shop", __name__, url_prefix="/shop")

    @shop.route("/cart")
    def cart() -> str:
        return "cart"

    @app.route("/user/<int(min=1):user_id>", defaults={"tab": "profile"}, strict_slashes=False)
    @traced
    def user(user_id: int, tab: str) -> str:
        return tab

    app.add_url_rule("/old", "old", redirect_to="/new")
    app.add_url_rule("/older", "older", redirect_to=lambda adapter: "/new")
    app.add_url_rule("/items/<int:item_id>", view_func=ItemView.as_view("item"))
    app.add_url_rule("/api", "api", lambda: "api", subdomain="api")
    app.register_blueprint(shop)
    return app


def test_routes_are_described_with_converters_defaults_and_source() -> None:
    routes = {route.endpoint: route for route in describe_routes(build_app())}
    user = routes["user"]
    assert user.rule == "/user/<int(min=1):user_id>"
    assert user.methods == ("GET", "HEAD", "OPTIONS")
    [converter] = user.converters
    assert (converter.name, converter.converter, converter.arguments) == ("user_id", "int", "min=1")
    assert user.defaults == {"tab": "profile"}
    assert user.strict_slashes is False
    assert user.view == "build_app.<locals>.user", "the decorator is unwrapped"
    assert user.file == __file__
    assert user.line is not None and user.line > 0

    assert routes["old"].redirect_to == "/new"
    older = routes["older"].redirect_to
    assert older is not None and older.startswith("<function build_app.<locals>.<lambda>")
    assert routes["item"].view == "ItemView"
    assert routes["item"].methods == ("DELETE", "GET", "HEAD", "OPTIONS")
    assert routes["api"].subdomain == "api"
    assert routes["shop.cart"].blueprint == "shop"
    assert routes["shop.cart"].rule == "/shop/cart"


def test_a_load_error_points_at_the_users_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "raises_at_import.py").write_text("x = 1\nraise ValueError('nope')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(TargetError) as caught:
        load_target("raises_at_import.py")
    sys.modules.pop("raises_at_import", None)
    exc_type, message, formatted, file, line = load_error_from(caught.value)
    assert exc_type == "ValueError"
    assert "ValueError: nope" in message and "\n" not in message
    assert "raise ValueError('nope')" in formatted
    assert file is not None and file.endswith("raises_at_import.py") and line == 2
