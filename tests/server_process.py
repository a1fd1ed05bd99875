"""A development server run as a child process, its output read line by line."""

from __future__ import annotations

import queue
import re
import subprocess
import threading
from pathlib import Path


class ServerProcess:
    """A server child process whose output lines (stdout and stderr) are collected as they
    come, so a test can wait for one with a deadline."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | Path | None = None) -> None:
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=cwd,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.reader = threading.Thread(target=self._collect, daemon=True)
        self.reader.start()

    def _collect(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line matched {pattern!r} in {self.output}") from None
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def all_output(self) -> str:
        """Everything printed so far, including lines nobody waited for."""
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)

    def stop(self, signal_number: int) -> int:
        self.process.send_signal(signal_number)
        return self.process.wait(timeout=10)

    def close(self) -> None:
        """Make sure the process is gone and its pipe closed, whatever the test did."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.reader.join(timeout=5)
        assert self.process.stdout is not None
        self.process.stdout.close()
