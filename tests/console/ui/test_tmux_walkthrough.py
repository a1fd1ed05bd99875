"""The first ten minutes in a real terminal: `hookscope console` in tmux, driven by keys.

routes → compose → send → trace → session → reload → syntax error → fix → replay → quit,
at 100x30, failing on any traceback on screen, a stale value, or a control off screen.
Every wait has a deadline; nothing sleeps and then asserts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.ui.driving import DEMO_APPS

TMUX = shutil.which("tmux")
HOOKSCOPE = Path(sys.executable).parent / "hookscope"
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.skipif(not HOOKSCOPE.exists(), reason="the hookscope script is not installed"),
    pytest.mark.timeout(240),
]


class Terminal:
    """A tmux session running one command; keys in, screens out."""

    def __init__(self, name: str, command: str, cwd: Path, width: int, height: int) -> None:
        self.name = name
        self.screens: list[str] = []
        self._tmux("new-session", "-d", "-s", name, "-x", str(width), "-y", str(height),
                   "-c", str(cwd), command)  # fmt: skip
        self._tmux("set-option", "-t", name, "remain-on-exit", "on")

    def _tmux(self, *args: str) -> str:
        assert TMUX is not None
        done = subprocess.run([TMUX, *args], capture_output=True, text=True, timeout=30)
        return done.stdout

    def screen(self) -> str:
        text = self._tmux("capture-pane", "-p", "-t", self.name)
        self.screens.append(text)
        assert "Traceback (most recent call last)" not in text or "LOAD ERROR" in text, text
        return text

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def leave_field(self) -> None:
        """Escape, alone: an escape right before another key reads as alt+key, as in any
        terminal, so wait until the console has taken it (the key bar stops offering it)."""
        self.keys("Escape")
        self.wait_for("? Help", gone="Leave field")

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def wait_for(self, *texts: str, gone: str = "", timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if all(text in shown for text in texts) and not (gone and gone in shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"waited for {texts!r} (gone {gone!r}); screen:\n{shown}")
            time.sleep(0.1)

    def wait_until_still(self, timeout: float = 30) -> str:
        """Wait until two captures a few frames apart show the same screen."""
        deadline = time.monotonic() + timeout
        previous = self.screen()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            shown = self.screen()
            if shown == previous:
                return shown
            previous = shown
        raise AssertionError(f"the screen never settled:\n{previous}")

    def exited(self) -> bool:
        return self._tmux("display-message", "-p", "-t", self.name, "#{pane_dead}").strip() == "1"

    def close(self) -> None:
        self._tmux("kill-session", "-t", self.name)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    for name in ("hook_order.py", "converters.py"):
        shutil.copy(DEMO_APPS / name, tmp_path / name)
    command = f"{HOOKSCOPE} console hook_order.py converters.py"
    term = Terminal(f"hookscope-walk-{os.getpid()}", command, tmp_path, 100, 30)
    try:
        yield term
    finally:
        term.close()


def test_the_first_ten_minutes_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    app_file = tmp_path / "hook_order.py"
    source = app_file.read_text()
    # routes: the first screen says how to make the first request
    terminal.wait_for("1 Routes", "Try it: curl http://127.0.0.1:", "index", "Help")
    # compose: enter on the route under the cursor, then send
    terminal.keys("Enter")
    terminal.wait_for("→ GET http://127.0.0.1:", "Send ^s", "body", "ctrl+s")
    terminal.keys("C-s")
    terminal.wait_for(" 200 ", "x-hook-order")
    # trace and session
    terminal.leave_field()
    terminal.keys("3")
    terminal.wait_for("before_req1", "after_req1", "hooks")
    terminal.keys("s")
    terminal.wait_for("Session", "Flashes")
    # reload: a new route is marked
    app_file.write_text(
        source.replace(
            'if __name__ == "__main__":',
            '@app.route("/added")\ndef added() -> str:\n    return "new"\n\n\n'
            'if __name__ == "__main__":',
        )
    )
    terminal.keys("1")
    terminal.wait_for("+ /added", "1 reload")
    # a syntax error shows the banner, the fix takes it away
    app_file.write_text(source + "\ndef broken(:\n")
    terminal.wait_for("LOAD ERROR", "keeps serving")
    app_file.write_text(source)
    terminal.wait_for("1 Routes", gone="LOAD ERROR")
    # replay the request against the current code
    terminal.keys("3")
    terminal.wait_for("x Replay", "filter")
    terminal.keys("x")
    terminal.wait_for("Replay: the same request", "original", "replay")
    terminal.keys("Escape")
    terminal.wait_for("3 Traces", gone="Replay: the same request")
    # quit: the console ends, and leaves nothing on screen that says it crashed
    terminal.keys("q")
    deadline = time.monotonic() + 30
    while not terminal.exited():
        assert time.monotonic() < deadline, terminal.screen()
        time.sleep(0.1)
    assert "Traceback" not in terminal.screen()


def test_a_value_retyped_fast_is_the_value_sent_in_a_real_terminal(terminal: Terminal) -> None:
    terminal.wait_for("1 Routes", "Try it: curl http://127.0.0.1:")
    # the composer sends what is on screen, even typed fast
    terminal.keys("]")
    terminal.wait_for("converters.py", "/post/<float:post_id>")
    terminal.wait_until_still()  # keys typed in the very frame an app is switched to get lost
    terminal.keys("/")
    terminal.type("float")
    terminal.wait_for("/post/<float:post_id>", gone="/user/<username>")
    terminal.keys("Enter")  # from the filter to the table
    terminal.wait_until_still()
    terminal.keys("Enter")  # compose
    terminal.wait_for("post_id <float>")
    terminal.type("abc")
    terminal.keys("BSpace", "BSpace", "BSpace")
    terminal.type("4.2")
    terminal.keys("C-s")
    terminal.wait_for("/post/4.2", " 200 ")
    terminal.leave_field()
    terminal.keys("3")
    shown = terminal.wait_for("/post/4.2", "hooks")
    assert "/post/abc" not in shown
