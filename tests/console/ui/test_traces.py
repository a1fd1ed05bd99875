from __future__ import annotations

import json
import shlex

from console.trace_reader import read_trace
from console.ui.traces import as_curl, compare_steps, export_jsonl

TRACE = {
    "id": "abc",
    "started_at": 1.0,
    "duration_us": 10,
    "request": {
        "method": "POST",
        "path": "/login",
        "query_string": "next=/",
        "headers": [["Host", "x"], ["Content-Type", "application/x-www-form-urlencoded"]],
        "body_preview": "user=admin&pwd=it's",
        "body_size": 19,
    },
    "response": {"status": 302},
    "steps": [],
}


def step(kind: str, name: str, **extra: object) -> dict[str, object]:
    return {
        "kind": kind,
        "name": name,
        "returned": None,
        "short_circuit": False,
        "skipped": False,
        "raised": None,
        **extra,
    }


def test_export_writes_one_trace_dict_per_line() -> None:
    lines = export_jsonl([read_trace(TRACE), read_trace({**TRACE, "id": "def"})]).splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["abc", "def"]


def test_curl_command_is_shell_safe_and_skips_what_curl_sets_itself() -> None:
    command = as_curl(TRACE, "http://127.0.0.1:5000")
    words = shlex.split(command)
    assert words[:2] == ["curl", "http://127.0.0.1:5000/login?next=/"]  # --data-raw: a POST
    assert "Host: x" not in words
    assert words[words.index("--data-raw") + 1] == "user=admin&pwd=it's"


def test_curl_keeps_the_user_agent_and_names_the_method_only_when_curl_would_not() -> None:
    get = {
        "request": {
            "method": "GET",
            "path": "/",
            "headers": [["User-Agent", "Mozilla/5.0 (test)"], ["Accept", "*/*"]],
        }
    }
    assert shlex.split(as_curl(get, "http://h")) == [
        "curl",
        "http://h/",
        "-H",
        "User-Agent: Mozilla/5.0 (test)",
        "-H",
        "Accept: */*",
    ]
    head = {"request": {"method": "HEAD", "path": "/"}}
    assert shlex.split(as_curl(head, "http://h")) == ["curl", "--head", "http://h/"]
    delete = {"request": {"method": "DELETE", "path": "/x"}}
    assert shlex.split(as_curl(delete, "http://h")) == ["curl", "-X", "DELETE", "http://h/x"]
    empty_post = {"request": {"method": "POST", "path": "/x"}}
    assert shlex.split(as_curl(empty_post, "http://h")) == ["curl", "-X", "POST", "http://h/x"]


def test_curl_says_when_the_body_was_cut_to_its_preview() -> None:
    trace = {**TRACE, "request": {**TRACE["request"], "body_size": 5000}}  # type: ignore[dict-item]
    assert "cut to its 19-byte preview of 5000 bytes" in as_curl(trace, "http://h")


def test_compare_pairs_steps_and_marks_what_an_edit_changed() -> None:
    before = {"steps": [step("before_request", "gate"), step("view", "index", returned="'a'")]}
    after = {
        "steps": [
            step("before_request", "gate", short_circuit=True, returned="'stop'"),
            step("before_request", "audit"),
            step("view", "index", skipped=True),
        ]
    }
    rows = compare_steps(before, after)
    names = [(r.left and r.left["name"], r.right and r.right["name"]) for r in rows]
    assert names == [("gate", "gate"), (None, "audit"), ("index", "index")]
    assert [r.differs for r in rows] == [True, True, True]
    assert not compare_steps(before, before)[0].differs
