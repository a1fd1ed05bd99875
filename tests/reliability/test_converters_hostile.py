"""URL converters fed values they were not written for: 404, or a clear 500 for a buggy one.

The built-in converters answer 404 for whatever they cannot convert. A custom converter
whose ``to_python`` raises is a bug in the app: Flask 3.1 answers 500 for ValueError as
for any other exception (only werkzeug's ValidationError means "no match"), and the
framework must do the same, with the exception in the trace.
"""

from __future__ import annotations

import json

import pytest

from tests.reliability.conftest import LiveServer, build_request

# (id, request target, expected status, expected body for a 200)
CASES = [
    ("int-ok", b"/int/42", 200, b"int 42"),
    ("int-leading-zeros", b"/int/0042", 200, b"int 42"),
    ("int-100-digits", b"/int/" + b"9" * 100, 200, b"int " + b"9" * 100),
    ("int-5000-digits-over-python-limit", b"/int/" + b"9" * 5000, 404, None),
    ("int-negative-unsigned", b"/int/-1", 404, None),
    ("int-plus-sign", b"/int/+1", 404, None),
    ("int-decimal", b"/int/1.5", 404, None),
    ("int-hex", b"/int/0x10", 404, None),
    ("int-underscore", b"/int/1_000", 404, None),
    ("int-empty", b"/int/", 404, None),
    # Werkzeug's \d matches any Unicode digit and int() reads it: a second URL for 1.
    ("int-fullwidth-digit", b"/int/%EF%BC%91", 200, b"int 1"),
    ("int-arabic-indic-digit", b"/int/%D9%A1", 200, b"int 1"),
    ("int-encoded-nul", b"/int/1%00", 404, None),
    ("bounded-ok", b"/bounded/10", 200, b"bounded 10"),
    ("bounded-below-min", b"/bounded/0", 404, None),
    ("bounded-above-max", b"/bounded/11", 404, None),
    ("bounded-huge", b"/bounded/" + b"9" * 400, 404, None),
    ("signed-negative", b"/signed/-5", 200, b"signed -5"),
    ("signed-double-minus", b"/signed/--5", 404, None),
    ("signed-5000-digits", b"/signed/-" + b"9" * 5000, 404, None),
    ("float-ok", b"/float/1.5", 200, b"float 1.5"),
    ("float-integer-form", b"/float/1", 404, None),
    ("float-nan", b"/float/nan", 404, None),
    ("float-inf", b"/float/inf", 404, None),
    ("float-minus-inf", b"/float/-inf", 404, None),
    ("float-exponent", b"/float/1e5", 404, None),
    ("float-negative-unsigned", b"/float/-1.5", 404, None),
    ("float-400-digits-overflows-to-inf", b"/float/" + b"9" * 400 + b".5", 200, b"float inf"),
    ("uuid-ok", b"/uuid/12345678-1234-5678-1234-567812345678", 200, b"uuid 12345678-"),
    ("uuid-upper-case", b"/uuid/12345678-ABCD-5678-1234-567812345678", 200, b"uuid 12345678-abcd"),
    ("uuid-short", b"/uuid/1234", 404, None),
    ("uuid-not-hex", b"/uuid/zzzzzzzz-1234-5678-1234-567812345678", 404, None),
    ("uuid-no-dashes", b"/uuid/12345678123456781234567812345678", 404, None),
    ("uuid-braces", b"/uuid/%7B12345678-1234-5678-1234-567812345678%7D", 404, None),
    ("uuid-urn", b"/uuid/urn:uuid:12345678-1234-5678-1234-567812345678", 404, None),
    ("uuid-trailing-char", b"/uuid/12345678-1234-5678-1234-5678123456789", 404, None),
    ("custom-valueerror-ok", b"/valueerror/ok", 200, b"converted ok"),
    ("custom-crashing-ok", b"/crashing/ok", 200, b"converted ok"),
]


@pytest.mark.parametrize(
    ("target", "status", "body"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_converter_values(
    server: LiveServer, target: bytes, status: int, body: bytes | None
) -> None:
    response = server.request(b"GET", target)

    assert response.status == status
    if body is not None:
        assert response.body.startswith(body)
    server.assert_alive()


# (id, request target, exception type the converter raises)
RAISING = [
    ("to-python-raises-valueerror", b"/valueerror/bad", "ValueError"),
    ("to-python-raises-runtimeerror", b"/crashing/bad", "RuntimeError"),
    ("to-python-raises-on-encoded-value", b"/crashing/%ff%00", "RuntimeError"),
]


@pytest.mark.parametrize(
    ("target", "exception"), [c[1:] for c in RAISING], ids=[c[0] for c in RAISING]
)
def test_raising_converter_is_a_500_and_the_server_lives(
    server: LiveServer, target: bytes, exception: str
) -> None:
    response = server.request(b"GET", target)

    assert response.status == 500
    assert b"Internal Server Error" in response.body
    assert exception.encode() not in response.body  # no traceback to the user
    logged = server.take_errors()
    assert any(exception in message for message in logged), logged
    server.assert_alive()


@pytest.mark.parametrize(
    ("target", "exception"), [c[1:] for c in RAISING], ids=[c[0] for c in RAISING]
)
def test_raising_converter_is_a_clear_500_in_the_trace(
    framework_server: LiveServer, target: bytes, exception: str
) -> None:
    response, trace = framework_server.send_traced(build_request(b"GET", target))

    assert response.status == 500
    assert trace is not None
    assert trace["response"]["status"] == 500
    assert trace["exception"]["type"] == exception
    assert (
        "converter bug" in trace["exception"]["message"]
        or "not a valid value" in (trace["exception"]["message"])
    )
    assert [step["kind"] for step in trace["steps"] if step["kind"] == "view"] == []
    framework_server.take_errors()


def test_trace_of_an_overflowing_float_is_strict_json(framework_server: LiveServer) -> None:
    """A 400-digit float overflows to inf; the trace writes it as text, not as Infinity."""
    response, trace = framework_server.send_traced(
        build_request(b"GET", b"/float/" + b"9" * 400 + b".5")
    )

    assert response.status == 200
    assert trace is not None
    assert trace["routing"]["view_args"] == {"number": "inf"}
    json.dumps(trace, allow_nan=False)
