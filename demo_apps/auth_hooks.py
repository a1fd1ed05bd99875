"""A login gate with ``before_request``: one hook guards every page.

The hook runs before every view. For ``/login`` it returns None (carry on); elsewhere it
lets the request through only if ``session['user_info']`` is set, and otherwise returns a
redirect to ``/login`` — returning a response from a before_request hook ends the request
there, and the view never runs.

Run it:
    python demo_apps/auth_hooks.py
    hookscope run demo_apps/auth_hooks.py
Then open http://127.0.0.1:5000/

Try:
    /                       -> 302 to /login (not logged in)
    /login with admin / password -> session['user_info'] is set, 302 to /
    /login with a wrong password -> the form again with an error; still logged out
    /, /profile             -> now served
    /logout                 -> clears session['user_info'], 302 to /login
Watch the console: the hook prints '请求之前' and what it decided for each request.
"""

from __future__ import annotations

from html import escape

from werkzeug.wrappers import Response

from framework import App, redirect, request, session, url_for

VALID_USER = "admin"
VALID_PASSWORD = "password"

app = App(__name__)
app.secret_key = "auth-hooks-secret"

LOGIN_FORM = """
<h1>login</h1>{error}
<form method="post">
  <input name="user" placeholder="admin"> <input name="pwd" type="password" placeholder="password">
  <button type="submit">login</button>
</form>
"""


@app.before_request
def before_req() -> Response | None:
    """Let /login through; send everyone without session['user_info'] to it."""
    if request.path == "/login":
        return None
    print("请求之前")
    user = session.get("user_info")
    if user:
        print(f"auth_hooks: {request.path} allowed for {user!r}")
        return None
    print(f"auth_hooks: {request.path} refused, redirecting to /login")
    return redirect("/login")


@app.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if request.method == "GET":
        return LOGIN_FORM.format(error="")
    user = request.form.get("user")
    if user == VALID_USER and request.form.get("pwd") == VALID_PASSWORD:
        session["user_info"] = user
        return redirect(url_for("index"))
    return LOGIN_FORM.format(error="<p style='color: #b00'>用户名或密码错误</p>")


@app.route("/")
def index() -> str:
    user = escape(session["user_info"])
    links = "<a href='/profile'>profile</a> · <a href='/logout'>logout</a>"
    return f"<h1>welcome, {user}</h1><p>{links}</p>"


@app.route("/profile")
def profile() -> str:
    return f"profile of {escape(session['user_info'])}: only reachable past the gate"


@app.route("/logout")
def logout() -> Response:
    session.pop("user_info", None)
    return redirect(url_for("login"))


if __name__ == "__main__":
    app.run()
