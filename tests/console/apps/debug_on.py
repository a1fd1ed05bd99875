"""An app that turns debug mode on itself, as many tutorials do; the worker still serves it
without Werkzeug's interactive debugger."""

from __future__ import annotations

from framework import App

app = App(__name__)
app.debug = True


@app.route("/raise")
def fail() -> str:
    raise RuntimeError("the view failed on purpose")
