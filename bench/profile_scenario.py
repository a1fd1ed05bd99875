"""`python -m bench.profile_scenario SCENARIO`: where one implementation spends a scenario's time.

Builds and checks the scenario exactly as the request suite does, then runs its calls
under cProfile (on the process's CPU clock, so other processes'
load does not skew it) and prints the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import sysconfig
from pathlib import Path
from time import process_time

from bench.errors import BenchmarkError
from bench.harness import time_calls
from bench.requests_bench import FLASK, FLOOR, FRAMEWORK, build_contenders, load_toolkits
from bench.scenarios import SCENARIOS, scenario_named


def profile_report(
    scenario_name: str, implementation: str, calls: int, top: int, match: str = ""
) -> str:
    """The cProfile tables for `calls` requests of `scenario_name` on `implementation`,
    limited to functions whose `file:line(name)` matches the regular expression `match`."""
    contenders = build_contenders(scenario_named(scenario_name), load_toolkits())
    contender = next((c for c in contenders if c.name == implementation), None)
    if contender is None:
        names = ", ".join(c.name for c in contenders)
        raise BenchmarkError(f"{scenario_name} has no implementation {implementation!r}: {names}")
    time_calls(contender, min(calls, 200))
    profiler = cProfile.Profile(process_time)
    profiler.enable()
    time_calls(contender, calls)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    print(f"{scenario_name} on {implementation}, {calls} requests", file=out)
    restrictions = (match, top) if match else (top,)
    stats.sort_stats("cumulative").print_stats(*restrictions)
    stats.sort_stats("tottime").print_stats(*restrictions)
    return shorten_paths(out.getvalue())


def shorten_paths(text: str) -> str:
    """Drop the site-packages and repository prefixes, keeping `flask/app.py` and
    `framework/app.py` apart (cProfile's strip_dirs would print both as `app.py`)."""
    for prefix in (sysconfig.get_paths()["purelib"], str(Path(__file__).parent.parent)):
        text = text.replace(prefix + "/", "")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_scenario")
    parser.add_argument("scenario", choices=[scenario.name for scenario in SCENARIOS])
    parser.add_argument("--implementation", default=FRAMEWORK, choices=[FRAMEWORK, FLASK, FLOOR])
    parser.add_argument("--calls", type=int, default=5000, help="requests to profile")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument(
        "--match", default="", help="only functions whose path matches, e.g. framework/"
    )
    arguments = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if arguments.calls < 1 or arguments.top < 1:
        parser.error("--calls and --top must be at least 1")
    try:
        report = profile_report(
            arguments.scenario,
            arguments.implementation,
            arguments.calls,
            arguments.top,
            arguments.match,
        )
    except BenchmarkError as error:
        print(f"profile_scenario: {error}", file=sys.stderr)
        return 1
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
