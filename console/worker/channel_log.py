"""Logging records (``app.logger``, the server's errors) sent as ``log`` events, with level."""

from __future__ import annotations

import logging

from console.masking import mask_secrets_in_text
from console.protocol import Log
from console.worker.sender import EventSender

#: A log record longer than this is cut (a traceback fits; a 50 MB dump does not).
MAX_LOG_CHARS = 65_536


class ChannelLogHandler(logging.Handler):
    """Sends each record to the supervisor through the worker's :class:`EventSender`.

    With ``mask_secrets``, header values a record may carry (a logged ``request.headers``,
    an exception message quoting a cookie) are hidden before they leave the process.
    """

    def __init__(self, sender: EventSender, mask_secrets: bool = False) -> None:
        super().__init__()
        self._sender = sender
        self._mask_secrets = mask_secrets

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:  # a record whose arguments do not format must not break a request
            message = f"{record.msg!r} {record.args!r}"
        if len(message) > MAX_LOG_CHARS:
            cut = len(message) - MAX_LOG_CHARS
            message = f"{message[:MAX_LOG_CHARS]} … [{cut} more characters not shown]"
        if self._mask_secrets:
            message = mask_secrets_in_text(message)
        self._sender.offer_log(
            Log(self._sender.app, "logger", record.levelname, message, record.name, record.created)
        )


__all__ = ["MAX_LOG_CHARS", "ChannelLogHandler"]
