"""Nobody else gets in: loopback-only servers, a private event channel, no debugger, secrets
masked on request.

Everything runs real worker processes; sockets are found through /proc, the way an
administrator would look at them.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.http_client import AppClient
from console.masking import mask_secrets_in_text
from console.protocol import Log, Trace
from console.supervisor import Supervisor
from console.supervisor.output import OutputCapture
from tests.console.test_supervisor import (
    FAST,
    EventLog,
    is_state,
    worker_children,
)
from tests.console.test_watch import WatchProcess, free_port

APPS = Path(__file__).parent / "apps"
SECRET_TOKEN = "Bearer s3cr3t-t0ken"
SECRET_COOKIE = "c00kie-value"


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    for name in ("greeter.py", "tattler.py", "debug_on.py"):
        shutil.copy(APPS / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def log() -> EventLog:
    return EventLog()


@pytest.fixture
def running(app_dir: Path, log: EventLog) -> Iterator[Supervisor]:
    targets = [str(app_dir / name) for name in ("greeter.py", "tattler.py", "debug_on.py")]
    with Supervisor(targets, log, cwd=str(app_dir), policy=FAST, drain_grace=1.0) as supervisor:
        for app in ("greeter", "tattler", "debug_on"):
            log.wait_for(is_state(app, "running"))
        time.sleep(0.5)  # the warm spares too
        yield supervisor


# --- what /proc says about sockets --------------------------------------------------------


def socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listening_tcp(inodes: set[int]) -> list[tuple[str, int]]:
    """(address, port) of every listening TCP socket among ``inodes``, IPv4 and IPv6."""
    found = []
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            local, state, inode = fields[1], fields[3], int(fields[9])
            if state != "0A" or inode not in inodes:
                continue
            hex_address, hex_port = local.split(":")
            packed = bytes.fromhex(hex_address)
            # /proc prints each 32-bit word in host (little-endian) order
            words = [packed[i : i + 4][::-1] for i in range(0, len(packed), 4)]
            address = ipaddress.ip_address(b"".join(words))
            assert width == len(hex_address)
            found.append((str(address), int(hex_port, 16)))
    return found


def unix_socket_paths(inodes: set[int]) -> dict[int, str]:
    """Inode -> bound path ('' when unnamed) of the Unix sockets among ``inodes``."""
    paths = {}
    for row in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = row.split()
        inode = int(fields[6])
        if inode in inodes:
            paths[inode] = fields[7] if len(fields) > 7 else ""
    return paths


def local_addresses() -> list[str]:
    """This machine's own addresses other than loopback, IPv4 and IPv6."""
    addresses = set()
    lines = Path("/proc/net/fib_trie").read_text().splitlines()
    for previous, line in zip(lines, lines[1:], strict=False):
        if "/32 host LOCAL" in line:
            addresses.add(previous.split()[-1])
    for row in Path("/proc/net/if_inet6").read_text().splitlines():
        addresses.add(str(ipaddress.ip_address(bytes.fromhex(row.split()[0]))))
    return sorted(a for a in addresses if not ipaddress.ip_address(a).is_loopback)


def test_every_listening_socket_of_the_console_and_its_workers_is_on_127_0_0_1(
    running: Supervisor,
) -> None:
    processes = [os.getpid(), *worker_children(os.getpid())]
    assert len(processes) >= 4, "this process, three serving workers, a warm spare"
    listening = [pair for pid in processes for pair in listening_tcp(socket_inodes(pid))]
    ports = {app.port for app in running.apps}
    assert ports <= {port for _address, port in listening}
    assert {address for address, _port in listening} == {"127.0.0.1"}


def test_no_address_of_this_machine_but_loopback_reaches_a_worker(running: Supervisor) -> None:
    addresses = local_addresses()
    if not addresses:
        pytest.skip("this machine has no address besides loopback to try")
    port = running.app("greeter").port
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(5)
            with pytest.raises(OSError):
                probe.connect((address, port))


def test_the_event_channel_is_an_unnamed_socketpair_nobody_else_can_open(
    running: Supervisor,
) -> None:
    for pid in worker_children(os.getpid()):
        paths = unix_socket_paths(socket_inodes(pid))
        assert paths, f"worker {pid} holds its channel"
        assert set(paths.values()) == {""}, "no Unix socket with a path another user could open"
    own = unix_socket_paths(socket_inodes(os.getpid()))
    assert all(path == "" for path in own.values())


def test_processes_the_app_starts_do_not_inherit_the_event_channel(
    tmp_path: Path, log: EventLog
) -> None:
    source = tmp_path / "shells_out.py"
    source.write_text(
        "import os\n"
        "from framework import App\n"
        "app = App(__name__)\n"
        "os.system('ls -l /proc/self/fd > fds.txt')\n"
    )
    with Supervisor([str(source)], log, cwd=str(tmp_path), policy=FAST):
        log.wait_for(is_state("shells_out", "running"))
    listing = (tmp_path / "fds.txt").read_text()
    assert "socket:" not in listing, listing


def test_a_request_that_raises_never_reaches_werkzeugs_debugger(running: Supervisor) -> None:
    for app in ("tattler", "debug_on"):
        with AppClient(running.app(app).url, timeout=10) as client:
            failed = client.send("GET", "/raise")
            assert failed.status == 500, app
            page = failed.body.decode()
            assert "Traceback" not in page and "__debugger__" not in page
            assert "the view failed on purpose" not in page
            resource = client.send(
                "GET", "/raise", params={"__debugger__": "yes", "cmd": "resource", "f": "style.css"}
            )
            assert b"__debugger__" not in resource.body and resource.status == 500
            console = client.send("GET", "/console")
            assert console.status == 404, "no interactive console endpoint"


# --- secrets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "Authorization: Bearer abc\r\nCookie: session=xyz\r\nHost: h",
            "Authorization: ••••••\r\nCookie: ••••••\r\nHost: h",
        ),
        (
            "{'Authorization': 'Basic Zm9v', 'Accept': '*/*'}",
            "{'Authorization': '••••••', 'Accept': '*/*'}",
        ),
        ("[('Cookie', 'a=b'), ('Host', 'h')]", "[('Cookie', '••••••'), ('Host', 'h')]"),
        (
            "'HTTP_COOKIE': 'a=b', 'HTTP_AUTHORIZATION': 'x'",
            "'HTTP_COOKIE': '••••••', 'HTTP_AUTHORIZATION': '••••••'",
        ),
        ("Set-Cookie: token=1; Path=/", "Set-Cookie: ••••••"),
        ("proxy-authorization=Basic eA==", "proxy-authorization=••••••"),
        ("the cookie expired; log in again", "the cookie expired; log in again"),
    ],
)
def test_header_values_in_printed_text_are_masked(text: str, masked: str) -> None:
    assert mask_secrets_in_text(text) == masked


def test_printed_output_is_masked_only_when_asked() -> None:
    shown: list[Log] = []
    OutputCapture("stdout", shown.append, mask_secrets=True).feed(b"Cookie: session=abc\n")
    OutputCapture("stdout", shown.append).feed(b"Cookie: session=abc\n")
    assert [log.message for log in shown] == ["Cookie: ••••••", "Cookie: session=abc"]


def send_secrets(url: str) -> str:
    with AppClient(url, timeout=10) as client:
        result = client.send(
            "GET",
            "/",
            headers={"Authorization": SECRET_TOKEN, "Cookie": f"session={SECRET_COOKIE}"},
        )
    assert result.body == b"told"
    return result.request_id


def test_without_masking_the_secrets_show_in_traces_and_output(
    app_dir: Path, log: EventLog
) -> None:
    """The control for the test below: the app does leak, and the console shows it."""
    with Supervisor([str(app_dir / "tattler.py")], log, cwd=str(app_dir), policy=FAST) as sup:
        log.wait_for(is_state("tattler", "running"))
        request_id = send_secrets(sup.app("tattler").url)
        trace = log.wait_for(lambda e: isinstance(e, Trace) and e.request_id == request_id)
        log.wait_for(lambda e: isinstance(e, Log) and e.stream == "logger")
        log.wait_for(lambda e: isinstance(e, Log) and e.stream == "stdout")
    assert isinstance(trace, Trace)
    assert ["Authorization", SECRET_TOKEN] in trace.trace["request"]["headers"]
    logs = [e.message for e in log.of(Log, "tattler")]
    assert any(SECRET_COOKIE in message for message in logs)
    assert sum(SECRET_TOKEN in message for message in logs) >= 2, "printed and logged"


def test_watch_mask_secrets_keeps_them_out_of_json_output_and_traces(app_dir: Path) -> None:
    port = free_port()
    watching = WatchProcess(app_dir, "tattler.py", "--port", str(port), "--json", "--mask-secrets")
    try:
        watching.expect('"type":"ready"')
        request_id = send_secrets(f"http://127.0.0.1:{port}/")
        trace = json.loads(watching.expect(f'"id":"{request_id}"'))
        for stream in ('"stream":"logger"', '"stream":"stdout"'):
            if not any(stream in line for line in watching.seen):
                watching.expect(stream)
    finally:
        assert watching.stop() == 0
    headers = dict(map(tuple, trace["trace"]["request"]["headers"]))
    assert headers["Authorization"] == headers["Cookie"] == "••••••"
    response_headers = dict(map(tuple, trace["trace"]["response"]["headers"]))
    assert response_headers["Set-Cookie"] == "••••••"
    output = "\n".join(watching.seen)
    for secret in (SECRET_TOKEN, "s3cr3t", SECRET_COOKIE, "server-set-c00kie"):
        assert secret not in output


def test_watch_documents_mask_secrets() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", "from console.watch import watch; watch()", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "--mask-secrets" in shown.stdout
    assert "Authorization" in shown.stdout
