"""A worker's printed output as ``log`` events, whatever its size or speed."""

from __future__ import annotations

import collections
import time
from collections.abc import Callable

from console.masking import mask_secrets_in_text
from console.protocol import Log, LogStream

#: A printed line longer than this is cut, with a note of how much was left out.
MAX_LINE_CHARS = 8_192
#: Output beyond this rate (bytes per second, after a burst allowance) is dropped and counted.
OUTPUT_RATE = 512 * 1024
OUTPUT_BURST = 2 * 1024 * 1024
#: What a line costs from the rate budget beyond its length: many short lines flood too.
LINE_COST = 100
LAST_OUTPUT_LINES = 40


class OutputCapture:
    """Turns a byte stream of printed output into ``log`` events, whatever its size.

    The reader keeps draining the pipe at full speed so a worker printing 50 MB never
    blocks; what exceeds the rate budget is counted and summarised in one note instead of
    flooding the console, and overlong lines are cut. With ``mask_secrets``, header values a
    line may carry (a printed ``request.headers``) are hidden.
    """

    def __init__(
        self,
        stream: LogStream,
        emit: Callable[[Log], None],
        clock: Callable[[], float] = time.monotonic,
        app: Callable[[], str] = lambda: "",
        mask_secrets: bool = False,
    ) -> None:
        self._stream = stream
        self._mask_secrets = mask_secrets
        self._level = "INFO" if stream == "stdout" else "WARNING"
        self._emit = emit
        self._clock = clock
        self._app = app
        self._partial = bytearray()
        self._partial_overflow = 0
        self._tokens = float(OUTPUT_BURST)
        self._refilled_at = clock()
        self._dropped_bytes = 0
        self._dropped_lines = 0
        self.tail: collections.deque[str] = collections.deque(maxlen=LAST_OUTPUT_LINES)

    def feed(self, chunk: bytes) -> None:
        lines = chunk.split(b"\n")
        for complete in lines[:-1]:
            self._append_partial(complete)
            self._line_done()
        self._append_partial(lines[-1])

    def finish(self) -> None:
        if self._partial or self._partial_overflow:
            self._line_done()
        self._report_drops()

    def _append_partial(self, piece: bytes) -> None:
        room = MAX_LINE_CHARS * 4 - len(self._partial)
        if len(piece) > room:
            self._partial += piece[: max(room, 0)]
            self._partial_overflow += len(piece) - max(room, 0)
        else:
            self._partial += piece

    def _line_done(self) -> None:
        text = self._partial.decode("utf-8", "replace").rstrip("\r")
        cut = self._partial_overflow
        if len(text) > MAX_LINE_CHARS:
            cut += len(text[MAX_LINE_CHARS:].encode())
            text = text[:MAX_LINE_CHARS]
        if self._mask_secrets:
            text = mask_secrets_in_text(text)
        if cut:
            text += f" … [{cut} more bytes not shown]"
        size = len(self._partial) + self._partial_overflow
        self._partial.clear()
        self._partial_overflow = 0
        self.tail.append(text[:500])
        if self._spend(len(text) + LINE_COST):
            self._report_drops()
            self._emit(Log(self._app(), self._stream, self._level, text, None, time.time()))
        else:
            if not self._dropped_lines:
                self._note(f"{self._stream} is arriving too fast; dropping lines until it slows")
            self._dropped_bytes += size
            self._dropped_lines += 1

    def _spend(self, size: int) -> bool:
        now = self._clock()
        self._tokens = min(OUTPUT_BURST, self._tokens + (now - self._refilled_at) * OUTPUT_RATE)
        self._refilled_at = now
        if self._tokens < size:
            return False
        self._tokens -= size
        return True

    def _report_drops(self) -> None:
        if self._dropped_lines:
            self._note(
                f"{self._dropped_lines} lines ({self._dropped_bytes} bytes) of {self._stream} "
                "were not shown"
            )
            self._dropped_lines = self._dropped_bytes = 0

    def _note(self, message: str) -> None:
        self._emit(Log(self._app(), "hookscope", "WARNING", message, None, time.time()))


__all__ = ["MAX_LINE_CHARS", "OutputCapture"]
