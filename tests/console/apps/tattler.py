"""An app that leaks what it is sent: it prints and logs the request's headers, sets a cookie,
and has a route that raises. For the secret-masking and debugger tests."""

from __future__ import annotations

from framework import App, request

app = App(__name__)


@app.route("/")
def index() -> object:
    print(f"headers: {dict(request.headers)}")
    app.logger.warning("got %s", request.headers)
    response = app.make_response("told")
    response.set_cookie("token", "server-set-c00kie")
    return response


@app.route("/raise")
def fail() -> str:
    raise RuntimeError("the view failed on purpose")
