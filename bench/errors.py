"""The one error type every suite raises when it cannot run or finds a wrong answer."""

from __future__ import annotations


class BenchmarkError(Exception):
    """A benchmark cannot run or an implementation answered wrongly; the message says which.

    `python -m bench` prints the message on one line and exits with status 1.
    """
