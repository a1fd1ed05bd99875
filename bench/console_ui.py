"""Console UI benchmark: startup to a usable screen, and key latency under request load.

``python -m bench.console_ui [--quick]`` (or the ``console_ui`` suite of ``python -m bench``).

* **Startup**: a fresh Python process imports the console, starts three demo apps in real
  workers and runs the Textual app headless; the clock runs from just before the process is
  spawned until the frame in which every app's tab shows "running" with its routes. Target:
  at most 1.5 s.
* **Key latency under load**: the console runs hook_order while the keep-alive load generator
  (bench/load_generator.py, its own process) sends it 2,000 requests per second over
  16 connections (achieved rate reported); meanwhile keys
  switch sections, and each key's latency is the time from the key event entering the app
  (as the terminal driver delivers it) until the section it asked for is the active one.
  Target: every key within 100 ms. The trace ring stays bounded.

Results go to ``bench/results/console_ui.json`` and are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.load_generator import generate_load

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "console_ui.json"
DEMOS = ("hook_order", "flashing", "auth_hooks")
STARTUP_TARGET_S = 1.5
KEY_TARGET_MS = 100.0
LOAD_RATE = 2_000
LOAD_CONNECTIONS = 16

_STARTUP_CHILD = """
import asyncio, sys, time
from console.ui.engine import EventInbox, SupervisorEngine

engine = SupervisorEngine(sys.argv[1:])
inbox = EventInbox()
engine.start(inbox.put)  # as `hookscope console` does: workers load while Textual imports
from console.ui.app import HookscopeConsole

async def main():
    app = HookscopeConsole(engine, inbox=inbox)
    async with app.run_test(size=(160, 48)) as pilot:
        while not all(v.state == "running" and v.routes for v in app.views.values()):
            await pilot.pause(0.01)
        await pilot.pause(0)  # the frame that shows them
        print("usable", time.time(), flush=True)
        app.exit()

asyncio.run(main())
"""


def measure_startup(rounds: int) -> list[float]:
    """Seconds from spawning ``python`` to a screen with every app running."""
    targets = [str(ROOT / "demo_apps" / f"{name}.py") for name in DEMOS]
    timings = []
    for _ in range(rounds):
        started = time.time()
        child = subprocess.run(
            [sys.executable, "-c", _STARTUP_CHILD, *targets],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if child.returncode != 0:
            last = (child.stderr.strip().splitlines() or ["no output"])[-1]
            raise RuntimeError(f"the startup round failed ({child.returncode}): {last}")
        output = child.stdout
        usable = next(line for line in output.splitlines() if line.startswith("usable"))
        timings.append(float(usable.split()[1]) - started)
    return timings


async def measure_keys_under_load(seconds: float, presses: int) -> dict[str, Any]:
    from textual import events

    from console.ui.app import HookscopeConsole
    from console.ui.engine import SupervisorEngine

    engine = SupervisorEngine([str(ROOT / "demo_apps" / "hook_order.py")])
    app = HookscopeConsole(engine, trace_capacity=1_000)
    latencies: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        while not all(v.state == "running" for v in app.views.values()):
            await pilot.pause(0.02)
        (view,) = app.views.values()
        assert view.port is not None
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        load = asyncio.create_task(
            asyncio.to_thread(
                generate_load, view.port, LOAD_CONNECTIONS, seconds, None, "/", LOAD_RATE
            )
        )
        await asyncio.sleep(0.5)  # let the flood build up
        # the request section puts the focus in its URL bar, where digits are typed, not keys
        sections = ["routes", "traces", "logs"]
        keys = {"routes": "1", "traces": "3", "logs": "4"}
        driver = app._driver
        assert driver is not None
        for index in range(presses):
            if load.done():
                break  # keys pressed after the load would not measure it
            section = sections[index % len(sections)]
            app.set_focus(None)
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            # as the terminal driver delivers a key: no waiting for the app to go idle first
            key = events.Key(keys[section], keys[section])
            key.set_sender(app)
            driver.send_message(key)
            while app.current_pane.section != section:
                if time.perf_counter() - started > 30:
                    raise RuntimeError(
                        f"key {keys[section]!r} was not handled within 30 s "
                        f"(focus {app.focused}, section {app.current_pane.section})"
                    )
                await asyncio.sleep(0.001)
            latencies.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)
        report = await load
        await pilot.pause(0.5)
        (view,) = app.views.values()
        result = {
            "requests_sent": report.requests,
            "request_errors": report.errors,
            "achieved_rate": report.requests_per_second,
            "traces_seen": view.traces_seen,
            "traces_dropped_by_worker": view.traces_dropped,
            "traces_kept": len(view.traces),
            "trace_capacity": view.trace_capacity,
            "frames_with_events": app.frames,
            "key_latency_ms": {
                "p50": statistics.median(latencies),
                "p95": sorted(latencies)[int(len(latencies) * 0.95) - 1],
                "max": max(latencies),
                "count": len(latencies),
            },
            "ui_max_rss_mb_before": rss_before / 1024,
            "ui_max_rss_mb_after": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    return result


def run(quick: bool) -> None:
    startup = measure_startup(1 if quick else 5)
    keys = asyncio.run(measure_keys_under_load(3.0 if quick else 15.0, 10 if quick else 60))
    report = {
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "startup_seconds": {
            "rounds": [round(t, 3) for t in startup],
            "median": statistics.median(startup),
            "target": STARTUP_TARGET_S,
        },
        "keys_under_load": keys,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    latency = keys["key_latency_ms"]
    print(f"console UI ({os.cpu_count()} cores, load average {report['load_average'][0]:.1f})")
    print(
        f"  startup to usable screen, {len(DEMOS)} demo apps: "
        f"median {statistics.median(startup):.2f} s"
        f" (rounds {', '.join(f'{t:.2f}' for t in startup)}; target <= {STARTUP_TARGET_S} s)"
    )
    print(
        f"  load: {keys['requests_sent']} requests at {keys['achieved_rate']:.0f}/s "
        f"(asked {LOAD_RATE}/s, {keys['request_errors']} errors); "
        f"traces seen {keys['traces_seen']}, "
        f"dropped by the worker {keys['traces_dropped_by_worker']}, "
        f"kept {keys['traces_kept']}/{keys['trace_capacity']}"
    )
    print(
        f"  key latency under load: p50 {latency['p50']:.1f} ms, p95 {latency['p95']:.1f} ms, "
        f"max {latency['max']:.1f} ms over {latency['count']} keys (target <= {KEY_TARGET_MS} ms)"
    )
    print(
        f"  UI max RSS {keys['ui_max_rss_mb_before']:.0f} MB before the load, "
        f"{keys['ui_max_rss_mb_after']:.0f} MB after"
    )
    print(f"  written to {RESULTS.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.console_ui", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one short round: a smoke run")
    run(parser.parse_args(argv).quick)


if __name__ == "__main__":
    main()
