"""A second app for the supervisor tests, so two apps run side by side."""

from __future__ import annotations

from framework import App, session

app = App(__name__)
app.secret_key = "tests-only"


@app.route("/count")
def count() -> str:
    session["n"] = session.get("n", 0) + 1
    return str(session["n"])
