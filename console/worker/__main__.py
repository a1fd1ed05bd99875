"""``python -m console.worker --channel-fd N``: what the supervisor starts, once per worker."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
from types import FrameType

from console.process_tree import become_subreaper
from console.worker.http_server import warm_up
from console.worker.lifecycle import Worker, exit_for_good
from console.worker.title import set_process_title

SPARE_TITLE = "hookscope spare"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.worker")
    parser.add_argument("--channel-fd", type=int, required=True)
    args = parser.parse_args(argv)
    try:
        channel = socket.socket(fileno=args.channel_fd)
    except OSError as error:
        print(f"hookscope worker: bad --channel-fd {args.channel_fd}: {error}", file=sys.stderr)
        return 2
    if channel.family != socket.AF_UNIX:
        print("hookscope worker: the channel must be a Unix socket", file=sys.stderr)
        return 2
    # Only this process may talk to the supervisor: not a shell or server the app starts.
    channel.set_inheritable(False)
    set_process_title(SPARE_TITLE, SPARE_TITLE.replace(" ", "-"))
    become_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    signal.signal(signal.SIGTERM, _terminated)
    # The worker serves the app; an unguarded app.run() in the module must not serve it too.
    os.environ["HOOKSCOPE_RUN_FROM_CLI"] = "true"
    os.environ["FLASK_RUN_FROM_CLI"] = "true"  # the same guard in a genuine Flask app's run()
    return Worker(channel).run(preload=warm_up)


def _terminated(signum: int, _frame: FrameType | None) -> None:
    """The supervisor gave up waiting: go, with everything the app started."""
    exit_for_good(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
