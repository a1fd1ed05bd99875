"""An app for the http client tests: a login kept in the session, redirects, slow and big bodies."""

from __future__ import annotations

import time

from framework import App, jsonify, redirect, request, session

app = App(__name__)
app.secret_key = "tests-only"


@app.route("/login", methods=["POST"])
def login() -> object:
    session["user"] = request.form["name"]
    return redirect("/whoami", code=303)


@app.route("/whoami")
def whoami() -> str:
    return session.get("user", "nobody")


@app.route("/hop/<int:remaining>")
def hop(remaining: int) -> object:
    if remaining == 0:
        return "landed"
    return redirect(f"/hop/{remaining - 1}")


@app.route("/away")
def away() -> object:
    return redirect("http://example.invalid/elsewhere")


@app.route("/echo", methods=["GET", "POST", "PUT"])
def echo() -> object:
    return jsonify(
        method=request.method,
        args=request.args.to_dict(),
        request_id=request.headers.get("X-Request-Id"),
        json=request.get_json(silent=True),
        form=request.form.to_dict(),
        data=request.get_data(as_text=True) if not request.form else "",
        custom=request.headers.get("X-Custom"),
    )


@app.route("/slow")
def slow() -> str:
    time.sleep(float(request.args.get("seconds", "2")))
    return "slow"


@app.route("/big")
def big() -> bytes:
    return b"x" * 3_000_000
