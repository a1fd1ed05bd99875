"""The trace list's filter: each word says what it matches, precisely.

* ``GET``, ``post``: an HTTP method (any case);
* ``404``: a status; ``4xx``: a class of statuses;
* ``S``, ``E``, ``R`` (capitals): a mark — short-circuit, exception, redirect;
* anything else: a piece of the path and query (any case).

Words of one kind widen the match (``GET POST``: either method); words of different kinds
narrow it (``POST 4xx``: failed posts). Path pieces must all appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.trace_reader import TraceRecord

#: Shown in the empty filter box.
FILTER_HINT = "/ filter: GET  404  4xx  S E R (marks)  /path"
MARKS = {"S": "short-circuit", "E": "exception", "R": "redirect"}
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"}
_STATUS = re.compile(r"[1-5]\d\d")
_STATUS_CLASS = re.compile(r"[1-5][xX][xX]")


@dataclass(frozen=True)
class TraceFilter:
    """A parsed filter; the empty filter matches every trace."""

    methods: frozenset[str] = frozenset()
    statuses: frozenset[int] = frozenset()
    status_classes: frozenset[int] = frozenset()
    marks: frozenset[str] = frozenset()
    path_words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.methods or self.statuses or self.status_classes or self.marks or self.path_words
        )

    def matches(self, record: TraceRecord) -> bool:
        if self.methods and record.method.upper() not in self.methods:
            return False
        if self.statuses or self.status_classes:
            status = record.status
            if status is None or not (
                status in self.statuses or status // 100 in self.status_classes
            ):
                return False
        if self.marks and not any(mark in record.marks for mark in self.marks):
            return False
        path = record.path.lower()
        return all(word in path for word in self.path_words)


def parse_filter(text: str) -> TraceFilter:
    methods: set[str] = set()
    statuses: set[int] = set()
    classes: set[int] = set()
    marks: set[str] = set()
    path_words: list[str] = []
    for word in text.split():
        if word in MARKS:
            marks.add(word)
        elif word.upper() in _METHODS:
            methods.add(word.upper())
        elif _STATUS.fullmatch(word):
            statuses.add(int(word))
        elif _STATUS_CLASS.fullmatch(word):
            classes.add(int(word[0]))
        else:
            path_words.append(word.lower())
    return TraceFilter(
        frozenset(methods),
        frozenset(statuses),
        frozenset(classes),
        frozenset(marks),
        tuple(path_words),
    )


__all__ = ["FILTER_HINT", "MARKS", "TraceFilter", "parse_filter"]
