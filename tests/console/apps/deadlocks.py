"""An app whose two routes take the same two locks in opposite orders: requested together,
they deadlock. Its index route takes no lock and keeps answering."""

from __future__ import annotations

import threading
import time

from framework import App

app = App(__name__)
first_lock = threading.Lock()
second_lock = threading.Lock()


@app.route("/")
def index() -> str:
    return "alive"


@app.route("/first-then-second")
def first_then_second() -> str:
    with first_lock:
        time.sleep(0.3)
        with second_lock:
            return "never"


@app.route("/second-then-first")
def second_then_first() -> str:
    with second_lock:
        time.sleep(0.3)
        with first_lock:
            return "never"
