"""Route options: defaults, strict_slashes, redirect_to and subdomain.

Every option below is passed to ``@app.route`` (and through it to the URL rule):
    defaults={'nid': 888}      /           calls index(nid=888); /page/<int:nid> shares the
                                           endpoint 'n1' and passes nid from the URL
    strict_slashes=True        /strict     only without a trailing slash (/strict/ is a 404)
    strict_slashes=False       /relaxed    with or without the slash
    redirect_to='/home/<nid>'  /index/<int:nid>   redirects before any view runs
    redirect_to=func           /old/<int:nid>     func(adapter, nid) computes the target
    subdomain='admin'          admin.xx.com:5000/
    subdomain='<username>'     <anyone>.xx.com:5000/dynamic   the subdomain is a view argument

Subdomains need a host name: SERVER_NAME is 'xx.com:5000', and (since Flask 3.1) the app is
created with subdomain_matching=True. With SERVER_NAME set, *every* request must use that
host, so reach the app as xx.com, not 127.0.0.1 (which gets a 404 everywhere). Either send
the Host header with curl, or add ``127.0.0.1 xx.com admin.xx.com alice.xx.com`` to
/etc/hosts and browse http://xx.com:5000/.

Run it:
    python demo_apps/route_options.py
    hookscope run demo_apps/route_options.py

Try:
    curl -H 'Host: xx.com:5000' http://127.0.0.1:5000/            -> nid=888 from defaults
    curl -H 'Host: xx.com:5000' http://127.0.0.1:5000/page/5      -> nid=5
    curl -i -H 'Host: xx.com:5000' http://127.0.0.1:5000/page/888 -> 308 to /: the default
    curl -i -H 'Host: xx.com:5000' http://127.0.0.1:5000/strict/  -> 404
    curl -H 'Host: xx.com:5000' http://127.0.0.1:5000/relaxed/    -> 200
    curl -i -H 'Host: xx.com:5000' http://127.0.0.1:5000/index/5  -> 308 to /home/5
    curl -i -H 'Host: xx.com:5000' http://127.0.0.1:5000/old/5    -> 308 to /home/888
    curl -H 'Host: admin.xx.com:5000' http://127.0.0.1:5000/      -> the 'admin' subdomain
    curl -H 'Host: alice.xx.com:5000' http://127.0.0.1:5000/dynamic -> alice.you-domain.tld
Watch the console: index prints the nid it received.
"""

from __future__ import annotations

from typing import Any

from framework import App, url_for

app = App(__name__, subdomain_matching=True)
app.config["SERVER_NAME"] = "xx.com:5000"


@app.route("/", methods=["GET", "POST"], endpoint="n1", defaults={"nid": 888})
@app.route("/page/<int:nid>", endpoint="n1")
def index(nid: int) -> str:
    print(f"route_options: index(nid={nid})")
    return (
        f"<h1>hello, world! nid={nid}</h1>"
        f"<p>url_for('n1') = {url_for('n1')}; url_for('n1', nid=5) = {url_for('n1', nid=5)}</p>"
        "<p>Try /page/5, /strict, /relaxed/, /index/5, /old/5, and the subdomains "
        "(see the module docstring).</p>"
    )


@app.route("/strict", strict_slashes=True)
def strict() -> str:
    return "strict_slashes=True: only /strict, never /strict/"


@app.route("/relaxed", strict_slashes=False)
def relaxed() -> str:
    return "strict_slashes=False: /relaxed and /relaxed/ both land here"


@app.route("/home/<int:nid>")
def home(nid: int) -> str:
    return f"home {nid}: you were redirected here"


def legacy_target(adapter: Any, nid: int) -> str:
    """Called by the URL map with the bound adapter and the rule's values."""
    return "/home/888"


app.add_url_rule("/index/<int:nid>", endpoint="index_redirect", redirect_to="/home/<nid>")
app.add_url_rule("/old/<int:nid>", endpoint="old_redirect", redirect_to=legacy_target)


@app.route("/", subdomain="admin")
def static_index() -> str:
    return "static.you-domain.tld (the 'admin' subdomain)"


@app.route("/dynamic", subdomain="<username>")
def username_index(username: str) -> str:
    return username + ".you-domain.tld"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=5000)  # not SERVER_NAME's host: xx.com is not this machine
