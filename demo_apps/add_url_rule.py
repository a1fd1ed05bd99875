"""Routing without the decorator: ``@app.route`` is only a wrapper around ``app.add_url_rule``.

Three views, registered three ways:
    @app.route('/', methods=['GET', 'POST'], endpoint='n1')   the decorator, explicit endpoint
    app.add_url_rule('/login', 'n2', login, methods=[...])    the call the decorator makes
    app.add_url_rule('/about', view_func=about)               no endpoint: it defaults to the
                                                              function's name, 'about'

Run it:
    python demo_apps/add_url_rule.py
    hookscope run demo_apps/add_url_rule.py
Then open http://127.0.0.1:5000/

Try:
    /          -> the url_map: each rule, its endpoint and methods, and url_for() of each endpoint
    /login     -> "登陆" (GET or POST);   /about -> served by the endpoint named 'about'
    PUT /login -> 405: only the listed methods are allowed
"""

from __future__ import annotations

from html import escape

from framework import App, url_for

app = App(__name__)


@app.route("/", methods=["GET", "POST"], endpoint="n1")
def index() -> str:
    """List the url_map, so the three registrations can be compared side by side."""
    rows = "".join(
        f"<tr><td>{escape(rule.rule)}</td><td>{escape(rule.endpoint)}</td>"
        f"<td>{', '.join(sorted(rule.methods or ()))}</td></tr>"
        for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule)
    )
    links = ", ".join(
        f"url_for({endpoint!r}) = {escape(url_for(endpoint))}" for endpoint in ("n1", "n2", "about")
    )
    return (
        "<h1>add_url_rule</h1><table border=1><tr><th>rule</th><th>endpoint</th>"
        f"<th>methods</th></tr>{rows}</table><p>{links}</p>"
    )


def login() -> str:
    return "登陆"


def about() -> str:
    return "about: registered without an endpoint, so its endpoint is its name, 'about'"


app.add_url_rule("/login", "n2", login, methods=["GET", "POST"])
app.add_url_rule("/about", view_func=about)

if __name__ == "__main__":
    app.run()
