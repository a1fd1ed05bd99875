"""Describing why an app did not load, pointing at the user's own code."""

from __future__ import annotations

import traceback
from collections.abc import Sequence

from console.protocol import LoadError
from console.worker.app_description import HOOKSCOPE_PACKAGES


def load_error_from(error: BaseException) -> tuple[str, str, str, str | None, int | None]:
    """(type, one-line message, traceback, file, line) for an error raised while loading."""
    from console.targets import TargetError

    message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    cause: BaseException = error
    formatted = ""
    if isinstance(error, TargetError):
        formatted = error.traceback or ""
        if error.__context__ is not None:
            cause = error.__context__
    else:
        formatted = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    file: str | None = None
    line: int | None = None
    if isinstance(cause, SyntaxError):
        file, line = cause.filename, cause.lineno
    else:
        frames = traceback.extract_tb(cause.__traceback__) if cause.__traceback__ else []
        user_frames = [f for f in frames if not f.filename.startswith(HOOKSCOPE_PACKAGES)]
        if user_frames:
            file, line = user_frames[-1].filename, user_frames[-1].lineno
    return type(cause).__name__, message, formatted, file, line


def load_error_event(app_id: str, error: BaseException, watch_files: Sequence[str]) -> LoadError:
    """The ``load_error`` event for ``error``, with the files the failed load got to."""
    exc_type, message, formatted, file, line = load_error_from(error)
    return LoadError(app_id, exc_type, message, formatted, file, line, tuple(watch_files))


__all__ = ["load_error_event", "load_error_from"]
