from __future__ import annotations

from console.protocol import (
    ConverterInfo,
    LoadError,
    Log,
    ProtocolProblem,
    Ready,
    RouteInfo,
    RoutesChanged,
    StateChanged,
    Trace,
    TracesDropped,
    WorkerExited,
)
from console.ui.state import REMOVED_ROUTES_SHOWN_FOR, AppView, clear_traces, reduce

INDEX = RouteInfo("/", "index", ("GET", "HEAD", "OPTIONS"))
USER = RouteInfo(
    "/user/<int:uid>", "user", ("GET",), converters=(ConverterInfo("uid", "int", "", r"\d+"),)
)


def ready(routes: tuple[RouteInfo, ...], pid: int = 10) -> Ready:
    return Ready("demo", pid, "127.0.0.1", 5000, "demo", "demo", "/tmp", routes)


def trace(number: int, status: int = 200, **extra: object) -> Trace:
    body = {
        "id": f"t{number}",
        "started_at": 100.0 + number,
        "duration_us": 1500,
        "request": {"method": "GET", "path": f"/n/{number}", "query_string": ""},
        "response": {"status": status},
        "steps": [],
        "exception": None,
    }
    body.update(extra)
    return Trace("demo", body)


def test_ready_sets_url_routes_and_reload_time() -> None:
    view = reduce(
        AppView("demo"), [ready((INDEX,)), StateChanged("demo", "running", 5000, 10)], 7.0
    )
    assert view.url == "http://127.0.0.1:5000"
    assert view.state == "running"
    assert view.routes == (INDEX,)
    assert view.last_reload == 7.0
    assert view.reloads == 0
    assert not view.route_diff


def test_a_reload_marks_added_and_changed_routes_and_lists_removed_ones_for_a_while() -> None:
    view = reduce(AppView("demo"), [ready((INDEX, USER))], 1.0)
    moved_index = RouteInfo("/", "index", INDEX.methods, line=99)
    view = reduce(view, [ready((moved_index, RouteInfo("/new", "new", ("GET",))), pid=11)], 2.0)
    assert view.reloads == 1
    assert view.route_mark(moved_index) == "changed"
    assert view.route_mark(RouteInfo("/new", "new", ("GET",))) == "added"
    assert view.removed_routes(now=3.0) == (USER,)
    assert view.removed_routes(now=2.0 + REMOVED_ROUTES_SHOWN_FOR + 1) == ()


def test_route_marks_show_the_last_reload_and_one_that_changed_nothing_clears_them() -> None:
    view = reduce(AppView("demo"), [ready((INDEX,))], 1.0)
    view = reduce(view, [ready((INDEX, USER), pid=11)], 2.0)
    assert view.route_mark(USER) == "added"
    view = reduce(view, [ready((INDEX, USER), pid=12)], 3.0)
    assert view.reloads == 2
    assert view.route_mark(USER) == ""


def test_routes_changed_from_the_supervisor_replaces_the_diff() -> None:
    view = reduce(AppView("demo"), [ready((INDEX,))], 1.0)
    view = reduce(view, [RoutesChanged("demo", (USER,), (), (), (INDEX, USER))], 2.0)
    assert view.routes == (INDEX, USER)
    assert view.route_mark(USER) == "added"
    assert view.route_mark(INDEX) == ""


def test_traces_are_kept_in_a_bounded_ring_and_counted() -> None:
    view = AppView("demo", trace_capacity=3)
    view = reduce(view, [trace(n) for n in range(5)], 1.0)
    assert [t.id for t in view.traces] == ["t2", "t3", "t4"]
    assert view.traces_seen == 5
    view = reduce(view, [trace(5)], 2.0)
    assert [t.id for t in view.traces] == ["t3", "t4", "t5"]
    assert view.find_trace("t4") is not None
    assert view.find_trace("t0") is None


def test_one_batch_of_traces_copies_the_ring_once() -> None:
    view = reduce(AppView("demo"), [trace(n) for n in range(1000)], 1.0)
    assert len(view.traces) == 1000


def test_trace_marks_come_from_the_steps_and_status() -> None:
    steps = [
        {"kind": "before_request", "name": "gate", "short_circuit": True, "skipped": False},
        {"kind": "view", "name": "index", "short_circuit": False, "skipped": True},
        {"kind": "after_request", "name": "after", "short_circuit": False, "skipped": False},
    ]
    view = reduce(AppView("demo"), [trace(1, status=302, steps=steps)], 1.0)
    record = view.traces[0]
    assert (record.short_circuit, record.redirect, record.exception) == (True, True, False)
    assert record.hooks_run == 2
    assert record.marks == "SR"


def test_a_malformed_trace_is_shown_with_neutral_values_not_dropped() -> None:
    view = reduce(AppView("demo"), [Trace("demo", {"request": "nonsense", "steps": 3})], 1.0)
    record = view.traces[0]
    assert (record.method, record.path, record.status, record.hooks_run) == ("?", "?", None, 0)


def test_load_error_stays_until_the_next_ready_and_is_logged() -> None:
    error = LoadError("demo", "SyntaxError", "invalid syntax", "Traceback...", "/app.py", 3)
    still_serving = StateChanged("demo", "load_error", pid=10, serving=True)
    view = reduce(AppView("demo"), [ready((INDEX,)), error, still_serving], 1.0)
    assert view.load_error == error
    assert view.state == "load_error"
    assert (view.pid, view.serving) == (10, True)  # the old worker keeps serving
    assert "SyntaxError (/app.py:3)" in view.logs[-1].message
    view = reduce(view, [ready((INDEX,), pid=12)], 2.0)
    assert view.load_error is None


def test_a_state_without_a_worker_forgets_the_dead_pid_and_says_nothing_serves() -> None:
    running = StateChanged("demo", "running", port=5000, pid=10, serving=True)
    view = reduce(AppView("demo"), [ready((INDEX,)), running], 1.0)
    assert (view.pid, view.serving) == (10, True)
    crashed = StateChanged("demo", "load_error", port=5000, pid=None, serving=False)
    view = reduce(view, [crashed], 2.0)
    assert (view.pid, view.serving, view.port) == (None, False, 5000)


def test_logs_are_bounded_and_keep_their_level() -> None:
    view = AppView("demo", log_capacity=2)
    view = reduce(
        view,
        [
            Log("demo", "logger", level, f"line {level}", time=5.0)
            for level in ("INFO", "WARNING", "ERROR")
        ],
        9.0,
    )
    assert [(line.level, line.message) for line in view.logs] == [
        ("WARNING", "line WARNING"),
        ("ERROR", "line ERROR"),
    ]


def test_dropped_traces_exits_and_protocol_problems_are_reported() -> None:
    view = reduce(
        AppView("demo"),
        [
            TracesDropped("demo", dropped=5, total=12),
            WorkerExited("demo", 10, -9, "killed by SIGKILL"),
            ProtocolProblem("demo", "not a JSON line"),
        ],
        1.0,
    )
    assert view.traces_dropped == 12
    assert view.last_exit is not None and view.last_exit.returncode == -9
    assert [line.message for line in view.logs] == [
        "worker 10 killed by SIGKILL",
        "protocol: not a JSON line",
    ]


def test_events_for_another_app_are_ignored() -> None:
    view = reduce(AppView("demo"), [Trace("other", {"id": "x"})], 1.0)
    assert view.traces == ()


def test_clearing_traces_keeps_the_count_of_requests_seen() -> None:
    view = clear_traces(reduce(AppView("demo"), [trace(1), trace(2)], 1.0))
    assert view.traces == ()
    assert view.traces_seen == 2
