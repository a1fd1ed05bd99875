from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import console.protocol as protocol
from console.protocol import (
    Adopt,
    ConverterInfo,
    Draining,
    Event,
    HandedOver,
    InFlightRequest,
    Load,
    LoadError,
    Log,
    ProtocolError,
    Ready,
    RequestsCut,
    RouteInfo,
    Shutdown,
    Trace,
    Unavailable,
    decode_command,
    decode_event,
    diff_routes,
    encode,
)

INDEX = RouteInfo(
    rule="/user/<int(min=1):user_id>",
    endpoint="user",
    methods=("GET", "HEAD", "OPTIONS"),
    converters=(ConverterInfo("user_id", "int", "min=1", r"\d+"),),
    defaults={"page": 1},
    view="user",
    file="/srv/app.py",
    line=12,
)


def test_ready_event_round_trips_through_one_json_line() -> None:
    ready = Ready(
        app="shop",
        pid=42,
        host="127.0.0.1",
        port=5000,
        app_name="shop",
        import_name="shop",
        root_path="/srv",
        routes=(INDEX,),
        watch_files=("/srv/shop.py",),
        tracing=True,
    )
    line = encode(ready)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line)["v"] == protocol.PROTOCOL_VERSION
    assert json.loads(line)["type"] == "ready"
    assert decode_event(line) == ready


def test_trace_keeps_the_framework_dict_unchanged() -> None:
    trace = {"version": 1, "id": "abc", "steps": [{"kind": "view", "name": "index"}]}
    event = decode_event(encode(Trace(app="a", trace=trace)))
    assert isinstance(event, Trace)
    assert event.trace == trace
    assert event.request_id == "abc"


def test_values_json_cannot_hold_are_sent_as_their_repr() -> None:
    route = RouteInfo(rule="/", endpoint="index", methods=("GET",), defaults={"when": object})
    line = encode(Ready("a", 1, "127.0.0.1", 1, "a", "a", "/", (route,)))
    decoded = decode_event(line)
    assert isinstance(decoded, Ready)
    assert decoded.routes[0].defaults == {"when": repr(object)}


def test_a_trace_with_keys_json_cannot_hold_still_encodes() -> None:
    event = decode_event(encode(Trace(app="a", trace={"view_args": {(1, 2): "pair"}})))
    assert isinstance(event, Trace)
    assert event.trace == {"view_args": {"(1, 2)": "pair"}}


def test_commands_round_trip() -> None:
    assert decode_command(encode(Load(app="a", target="app.py"))) == Load("a", "app.py")
    assert decode_command(encode(Shutdown(grace=1.5))) == Shutdown(1.5)
    assert decode_command(encode(Shutdown(hand_off=True))) == Shutdown(hand_off=True)
    assert decode_command(encode(Adopt())) == Adopt()


def test_a_handed_over_connection_is_announced_by_an_event_line() -> None:
    assert decode_event(encode(HandedOver("a", 42))) == HandedOver("a", 42)


@pytest.mark.parametrize(
    "event",
    [
        Draining("a", 7, (InFlightRequest("GET", "/slow?s=3", "r1", 1.5, "app.py:9 in slow"),), 10),
        RequestsCut("a", 7, (InFlightRequest("POST", "/upload"),), 0.5),
        Unavailable("a", 5000, "SyntaxError: invalid syntax"),
        LoadError("a", "KeyError", "'X'", watch_files=("/srv/settings.toml",)),
    ],
)
def test_what_a_reload_waits_for_cuts_and_answers_round_trips(event: Event) -> None:
    assert decode_event(encode(event)) == event


def test_every_event_and_command_is_registered_by_its_tag() -> None:
    assert protocol.EVENT_TYPES["requests_cut"] is RequestsCut
    assert protocol.COMMAND_TYPES["load"] is Load
    assert all(cls.TYPE == tag for tag, cls in protocol.EVENT_TYPES.items())
    assert decode_command(encode(Load("a", "app.py", title="hookscope worker app.py :5000")))


def test_a_float_field_accepts_an_integer() -> None:
    assert decode_command(b'{"v":1,"type":"shutdown","grace":2}') == Shutdown(2.0)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"not json", "not a JSON line"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"v": 2, "type": "log"}', "unsupported protocol version 2"),
        (b'{"type": "log"}', "unsupported protocol version None"),
        (b'{"v": 1, "type": "telepathy"}', "unknown event type 'telepathy'"),
        (b'{"v": 1}', "unknown event type None"),
        (b'{"v": 1, "type": "log", "app": "a", "stream": "stdout"}', "missing field 'level'"),
        (
            b'{"v":1,"type":"log","app":"a","stream":"radio","level":"INFO","message":"x"}',
            "is not one of",
        ),
        (b'{"v":1,"type":"stopping","app":"a","pid":"7","reason":""}', "expected an integer"),
        (b'{"v":1,"type":"stopping","app":"a","pid":true,"reason":""}', "expected an integer"),
        (b'{"v":1,"type":"stopping","app":"a","pid":1,"reason":"","x":1}', "unknown field 'x'"),
        (
            b'{"v":1,"type":"ready","app":"a","pid":1,"host":"h","port":1,"app_name":"a",'
            b'"import_name":"a","root_path":"/","routes":[{"rule":"/"}]}',
            "missing field",
        ),
        (b"\xff\xfe", "not a JSON line"),
    ],
)
def test_malformed_lines_raise_a_one_line_protocol_error(line: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError, match=reason) as caught:
        decode_event(line)
    assert "\n" not in str(caught.value)


def test_a_command_is_not_an_event() -> None:
    with pytest.raises(ProtocolError, match="unknown event type 'shutdown'"):
        decode_event(encode(Shutdown()))


def test_line_splitter_joins_chunks_and_splits_lines() -> None:
    splitter = protocol.LineSplitter()
    first = encode(Log("a", "stdout", "INFO", "hello"))
    second = encode(LoadError("a", "SyntaxError", "bad", "Traceback...", "/x.py", 3))
    stream = first + second
    lines = [
        line for chunk in (stream[:5], stream[5:40], stream[40:]) for line in splitter.feed(chunk)
    ]
    assert [decode_event(line) for line in lines if isinstance(line, bytes)] == [
        decode_event(first),
        decode_event(second),
    ]


def test_line_splitter_skips_an_overlong_line_and_reports_it_once() -> None:
    splitter = protocol.LineSplitter(max_line=10)
    out = (
        list(splitter.feed(b"x" * 8))
        + list(splitter.feed(b"x" * 8))
        + list(splitter.feed(b"x" * 8))
    )
    assert len(out) == 1 and isinstance(out[0], ProtocolError)
    assert list(splitter.feed(b"tail\nok\n")) == [b"ok"]


def test_route_diff_reports_added_removed_and_changed_routes() -> None:
    about = RouteInfo(rule="/about", endpoint="about", methods=("GET",))
    moved = RouteInfo(**{**INDEX.__dict__, "line": 20})
    new = RouteInfo(rule="/new", endpoint="new", methods=("POST",))
    diff = diff_routes((INDEX, about), (moved, new))
    assert diff.added == (new,)
    assert diff.removed == (about,)
    assert diff.changed == (moved,)
    assert not diff_routes((INDEX,), (INDEX,))


def test_protocol_imports_only_the_standard_library() -> None:
    import sys

    imported: set[str] = set()
    for source in Path(protocol.__file__).parent.glob("*.py"):
        tree = ast.parse(source.read_text())
        imported |= {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
    outside = {name for name in imported if not name.startswith("console.protocol")}
    assert {name.split(".")[0] for name in outside} - {"__future__"} <= sys.stdlib_module_names
