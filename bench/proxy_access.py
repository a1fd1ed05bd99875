"""Instructions per use of a proxy (``request.args``, ``session[k]``...), counted by callgrind.

One use of a proxy costs tens of nanoseconds: wall-clock timing of it drowns in the noise
of a shared machine, while callgrind's instruction count does not move with the load. Each
operation runs in a fresh interpreter under callgrind, in a loop of ``--calls`` uses, and so
does an empty loop of the same length; the difference divided by the number of uses is the
operation's cost. The same operations run on the framework's proxies and on Werkzeug's
``LocalProxy`` over the same context variables (what Flask's globals are).

    python -m bench.proxy_access [--calls N]

Needs ``valgrind`` on the PATH. Not one of ``make bench``'s suites, for that reason.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from typing import Any

from bench.errors import BenchmarkError

OPERATIONS: dict[str, str] = {
    "request.args": "request.args",
    "session[k]": "session['user']",
    "g.x = 1": "g.x = 1",
    "current_app.config": "current_app.config",
}
"""What a benchmark row is called -> the statement it runs."""

IMPLEMENTATIONS = ("framework", "werkzeug")
EMPTY = "pass"


def proxies(implementation: str) -> dict[str, Any]:
    """``request``, ``session``, ``g`` and ``current_app`` as ``implementation`` makes them."""
    from framework import globals as framework_globals

    names = ("request", "session", "g", "current_app")
    if implementation == "framework":
        return {name: getattr(framework_globals, name) for name in names}
    if implementation != "werkzeug":
        raise BenchmarkError(
            f"no implementation {implementation!r}; choose from {', '.join(IMPLEMENTATIONS)}"
        )
    from werkzeug.local import LocalProxy

    return {
        "request": LocalProxy(framework_globals._cv_request, "request"),
        "session": LocalProxy(framework_globals._cv_request, "session"),
        "g": LocalProxy(framework_globals._cv_app, "g"),
        "current_app": LocalProxy(framework_globals._cv_app, "app"),
    }


def run_statement(implementation: str, statement: str, calls: int) -> None:
    """Run ``statement`` ``calls`` times inside a request, with the proxies in scope."""
    from framework import App

    app = App(__name__)
    app.secret_key = "bench"
    namespace = proxies(implementation)
    loop = compile(f"for _ in range({calls}):\n    {statement}", "<proxy_access>", "exec")
    with app.test_request_context("/?page=1"):
        namespace["session"]["user"] = "admin"
        exec(compile(statement, "<check>", "exec"), dict(namespace))  # fails loudly, not 0
        exec(loop, namespace)


def count_instructions(implementation: str, statement: str, calls: int) -> int:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise BenchmarkError("valgrind is not installed; apt-get install valgrind")
    command = [
        valgrind,
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.proxy_access",
        "--child",
        implementation,
        statement,
        "--calls",
        str(calls),
    ]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    if done.returncode != 0:
        raise BenchmarkError(f"{implementation} {statement!r} failed:\n{done.stderr[-2000:]}")
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise BenchmarkError(f"no instruction count in callgrind's output:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def run(calls: int) -> None:
    print(f"instructions per use (callgrind, {calls} uses each, empty loop subtracted)")
    print(f"{'operation':<22}" + "".join(f"{name:>12}" for name in IMPLEMENTATIONS))
    empty = {name: count_instructions(name, EMPTY, calls) for name in IMPLEMENTATIONS}
    for label, statement in OPERATIONS.items():
        row = [
            (count_instructions(name, statement, calls) - empty[name]) / calls
            for name in IMPLEMENTATIONS
        ]
        print(f"{label:<22}" + "".join(f"{value:>12.0f}" for value in row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.proxy_access", description=__doc__)
    parser.add_argument("--calls", type=int, default=20_000, help="uses per measurement")
    parser.add_argument("--child", nargs=2, metavar=("IMPLEMENTATION", "STATEMENT"))
    arguments = parser.parse_args(argv)
    if arguments.calls < 1:
        parser.error("--calls must be at least 1")
    try:
        if arguments.child:
            run_statement(*arguments.child, calls=arguments.calls)
        else:
            run(arguments.calls)
    except BenchmarkError as error:
        print(f"bench proxy_access: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
