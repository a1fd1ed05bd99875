"""A trace's steps: each call of user code a request made, kept as facts, described later."""

from __future__ import annotations

import typing as t

from ..caller import StepKind
from .describe import short_repr

SourceOf = t.Callable[[t.Any], tuple[str, "str | None", "int | None"]]
"""``(qualified name, file, line)`` of a function: how a step's function is described."""


class ResponseReturned(t.NamedTuple):
    """A response a step returned, as it was then: a later hook may change its status."""

    response_class: type
    status: str

    def __repr__(self) -> str:
        return f"<{self.response_class.__name__} [{self.status}]>"


class Step(t.NamedTuple):
    """One call of user code (or one the request skipped), as it happened."""

    kind: StepKind
    #: The blueprint the function was registered on; None for the app.
    blueprint: str | None
    #: The function as registered (its name, file and line are looked up when described).
    function: t.Any
    #: ``perf_counter`` readings.
    start: float
    end: float
    #: What the call returned, when it cannot change afterwards (None, str, bytes,
    #: numbers, a :class:`ResponseReturned`): its repr is taken when the trace is built.
    returned: t.Any = None
    #: What the call returned, described when it returned: a value that may change later
    #: (a response whose status a later hook sets, a dict).
    returned_text: str | None = None
    #: ``{"type", "message"}`` of the exception the call raised.
    raised: dict[str, str] | None = None
    #: A before_request function whose return value ended the request's preprocessing.
    short_circuit: bool = False
    #: Not called, because a before_request function short-circuited.
    skipped: bool = False


def step_dict(step: Step, t0: float, source_of: SourceOf) -> dict[str, t.Any]:
    """The step as the trace's plain data (times in microseconds from ``t0``)."""
    name, file, line = source_of(step.function)
    returned = step.returned_text
    if returned is None and step.returned is not None:
        returned = short_repr(step.returned)
    return {
        "kind": str(step.kind),  # the plain str: the trace holds no enum
        "name": name,
        "blueprint": step.blueprint,
        "file": file,
        "line": line,
        "start_us": int((step.start - t0) * 1_000_000),
        "duration_us": int((step.end - step.start) * 1_000_000),
        "returned": returned,
        "short_circuit": step.short_circuit,
        "skipped": step.skipped,
        "raised": step.raised,
    }
