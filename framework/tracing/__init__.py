"""Per-request traces: which hooks ran, in what order, what they returned, how long they took.

Attach a listener with ``app.add_tracer(callback)``; after each request (after
teardown, or when a streamed body is closed) every listener receives the trace
as plain, JSON-serialisable data::

    traces = []
    app.add_tracer(traces.append)
    app.test_client().get("/")
    [step["name"] for step in traces[0]["steps"]]

A listener that hands traces to another thread (a queue, a log shipper) can
take them as they were recorded instead, with ``deferred=True``: it receives the
:class:`TraceRecord`, and ``record.to_dict()`` builds the same data when and where
it is called, so the request pays only for recording. ``record.id``,
``record.status`` and ``record.duration_us`` are there without building anything.

A traced request runs the same lifecycle as any other: ``App.wsgi_app`` binds a
:class:`TraceRecord` as the request's :class:`~framework.caller.Caller` instead of the
plain one, and the record notes each call it makes. With no tracer attached, nothing
is recorded and nothing is allocated for tracing.

The trace (version 1) has the keys ``version``, ``id`` (the request's
``X-Request-Id`` header, or a generated id), ``app``, ``started_at``,
``duration_us``, ``request``, ``routing``, ``steps``, ``templates``,
``response``, ``session``, ``flashes`` and ``exception``. Steps have ``kind``
(a :class:`~framework.caller.StepKind` value), ``name``, ``blueprint``, ``file``, ``line``,
``start_us``, ``duration_us``, ``returned``, ``short_circuit``, ``skipped`` and
``raised``. Settings live on the registry, not in ``app.config`` (which stays
exactly Flask's): ``app.tracers.mask_secrets = True`` hides cookie values and
``Authorization`` headers; ``app.tracers.body_preview_limit`` caps body
previews (bytes).
"""

from ..caller import StepKind
from .describe import jsonable, short_repr
from .record import TRACE_VERSION, TraceRecord
from .registry import Trace, Tracer, TracerRegistry
from .steps import Step

__all__ = [
    "TRACE_VERSION",
    "Step",
    "StepKind",
    "Trace",
    "TraceRecord",
    "Tracer",
    "TracerRegistry",
    "jsonable",
    "short_repr",
]
