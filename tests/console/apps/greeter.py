"""A small app for the supervisor tests: hooks that print, a version to edit, a slow route."""

from __future__ import annotations

import time

from framework import App, request

VERSION = "v1"

app = App(__name__)


@app.before_request
def announce() -> None:
    print(f"greeter: {request.method} {request.path}")


@app.after_request
def stamp(response):  # type: ignore[no-untyped-def]
    response.headers["X-Greeter-Version"] = VERSION
    return response


@app.route("/")
def index() -> str:
    return f"hello from {VERSION}"


@app.route("/user/<int:user_id>")
def user(user_id: int) -> str:
    return f"user {user_id}"


@app.route("/slow")
def slow() -> str:
    time.sleep(float(request.args.get("seconds", "0.5")))
    return f"slow from {VERSION}"
