"""`python -m bench [--quick] [suite ...]`: run hookscope's benchmark suites.

A suite is a module under bench/ with a `run(quick: bool) -> None` function that prints
its own report and writes its JSON under bench/results/. To add one, add its line to
SUITES below.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from bench.errors import BenchmarkError

SUITES: tuple[tuple[str, str], ...] = (
    ("requests", "bench.requests_bench"),
    ("flask_tracing", "bench.flask_tracing"),
    ("imports", "bench.import_time"),
    ("reload", "bench.console_reload"),
    ("traces", "bench.console_traces"),
    ("load", "bench.console_load"),
    ("slow_clients", "bench.slow_clients"),
    ("console_ui", "bench.console_ui"),
)
"""(name, module) pairs, run in this order."""


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Run hookscope's benchmark suites."
    )
    parser.add_argument(
        "suites",
        nargs="*",
        metavar="suite",
        help="suites to run (default: all): " + ", ".join(name for name, _ in SUITES),
    )
    parser.add_argument(
        "--quick", action="store_true", help="few short rounds: a smoke run, not a measurement"
    )
    arguments = parser.parse_args(argv)
    known = [name for name, _ in SUITES]
    unknown = [name for name in arguments.suites if name not in known]
    if unknown:
        parser.error(f"unknown suite {', '.join(unknown)}; choose from {', '.join(known)}")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    chosen = arguments.suites or [name for name, _ in SUITES]
    for name, module_name in SUITES:
        if name not in chosen:
            continue
        try:
            import_module(module_name).run(quick=arguments.quick)
        except BenchmarkError as error:
            print(f"bench {name}: {error}", file=sys.stderr)
            return 1
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
