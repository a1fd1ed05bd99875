"""The one plain formatter: what `hookscope watch` prints and the console colours."""

from __future__ import annotations

from console.protocol import ConverterInfo, RouteInfo
from console.trace_format import (
    format_steps,
    one_line,
    route_converters,
    route_location,
    route_view,
    source_location,
    status_class,
    visible,
)
from console.trace_reader import read_steps


def test_controls_bidi_overrides_and_line_separators_are_shown_as_escapes() -> None:
    assert visible("\x1b[31mred\x07\r") == "\\x1b[31mred\\x07\\r"
    assert visible("a\u202eb\u2028c\u2066d") == "a\\u202eb\\u2028c\\u2066d"
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"
    assert one_line("two\nlines", 100) == "two⏎lines"
    assert one_line("x" * 10, 5) == "xxxx…"


def test_a_source_path_is_shown_relative_to_the_project() -> None:
    assert source_location("/work/proj/demo/login/__init__.py", 36, "/work/proj") == (
        "demo/login/__init__.py:36"
    )
    assert source_location("/elsewhere/app.py", 3, "/work/proj") == "/elsewhere/app.py:3"
    assert source_location(None, 3, "/work/proj") == ""


def test_routes_name_the_static_view_and_string_converters_plainly() -> None:
    static = RouteInfo(
        "/static/<path:filename>",
        "static",
        ("GET",),
        view="App.__init__.<locals>.<lambda>",
        file="/venv/framework/app.py",
        line=90,
    )
    assert route_view(static) == "static files"
    assert route_location(static) == ""
    user = RouteInfo("/u/<name>", "user", ("GET",), (ConverterInfo("name", "default"),))
    assert route_converters(user) == "name:string"


def test_statuses_fall_in_classes_and_steps_summarise_in_order() -> None:
    assert [status_class(s) for s in (None, 200, 302, 404, 500)] == [
        "none",
        "success",
        "redirect",
        "client_error",
        "server_error",
    ]
    steps = read_steps(
        {
            "steps": [
                {"kind": "before_request", "name": "gate", "short_circuit": True},
                {"kind": "view", "name": "index", "skipped": True},
                {"kind": "after_request", "name": "stamp"},
                {"kind": "teardown_request", "name": "close"},
            ]
        }
    )
    assert format_steps(steps) == "gate [short-circuit] → stamp"
