"""An app whose before_request hook never returns."""

from __future__ import annotations

import time

from framework import App

app = App(__name__)


@app.before_request
def hang() -> None:
    time.sleep(3600)


@app.route("/")
def index() -> str:
    return "never"
