"""Login form: one view that renders a template on GET and checks the form on POST.

``/login`` renders ``templates/login.html``. Posting the form checks the credentials:
``admin`` / ``password`` redirects to ``/welcome``; anything else renders the same template
again with the error "用户名或密码错误" (wrong user name or password).

Run it:
    python -m demo_apps.login      or   python demo_apps/login
    hookscope run demo_apps/login
Then open http://127.0.0.1:5000/login

Try:
    user=admin, pwd=password  -> 302 to /welcome
    user=admin, pwd=oops      -> the form again, with the error message, status 200
    an empty form             -> the same error: missing fields are just wrong credentials
Watch the console: each attempt prints the user name and whether it was accepted.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from framework import App, redirect, render_template, request, url_for

VALID_USER = "admin"
VALID_PASSWORD = "password"

app = App(__name__)


@app.route("/")
def home() -> Response:
    return redirect(url_for("login"))


@app.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """GET shows the form; POST checks it, so one URL both asks and answers."""
    if request.method == "GET":
        return render_template("login.html")
    user = request.form.get("user")
    pwd = request.form.get("pwd")
    accepted = user == VALID_USER and pwd == VALID_PASSWORD
    print(f"login: user={user!r} accepted={accepted}")
    if accepted:
        return redirect(url_for("welcome"))
    return render_template("login.html", error="用户名或密码错误", user=user or "")


@app.route("/welcome")
def welcome() -> str:
    """Where a good login lands: a page of this app, never an outside site."""
    return "<h1>登录成功 — logged in</h1><p><a href='/login'>back to the form</a></p>"
