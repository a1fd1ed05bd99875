"""Sessions: data kept in a signed cookie, readable by anyone, changeable by no one.

``app.secret_key`` must be set before ``session`` can be used. At the end of a request the
session dict is serialised, signed with the secret key and sent as the cookie ``session``.
Signing is not encryption: the payload is only base64-encoded, so the page below decodes it
*without* the key. Changing one character breaks the signature; the app then ignores the
cookie and starts with an empty session (no error).

Run it:
    python demo_apps/sessions.py
    hookscope run demo_apps/sessions.py
Then open http://127.0.0.1:5000/

Try:
    /set?k1=v1&k2=v2  -> writes session['k1'] (and k2, if given)
    /                 -> reads session['k1'] back, shows the raw cookie, its payload decoded
                         without the key, and what the app verified with the key
    /clear            -> empties the session, so the cookie is deleted
    edit the cookie in the browser's dev tools, reload /: the session is empty again
"""

from __future__ import annotations

import base64
import json
import zlib
from html import escape

from itsdangerous import BadSignature
from werkzeug.wrappers import Response

from framework import App, redirect, request, session, url_for

app = App(__name__)
app.secret_key = "sdfsdf"


def decode_payload(cookie: str) -> str:
    """Read a signed cookie's payload without the key, as anyone holding the cookie can."""
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        if cookie.startswith("."):
            raw = zlib.decompress(raw)
        return raw.decode("utf-8")
    except (ValueError, zlib.error, UnicodeDecodeError):
        return "(not a readable payload)"


def verify(cookie: str) -> str:
    """What the app itself accepts: the payload only if the signature matches the key."""
    serializer = app.session_interface.get_signing_serializer(app)
    try:
        return json.dumps(serializer.loads(cookie), ensure_ascii=False)
    except BadSignature:
        return "bad signature: the app ignores this cookie and starts an empty session"


@app.route("/")
def show() -> str:
    cookie = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        cookie_part = "<p>no session cookie yet: try <a href='/set?k1=v1'>/set?k1=v1</a></p>"
    else:
        cookie_part = (
            f"<p>raw cookie: <code>{escape(cookie)}</code></p>"
            f"<p>payload decoded without the key: <code>{escape(decode_payload(cookie))}</code></p>"
            f"<p>verified with the key: <code>{escape(verify(cookie))}</code></p>"
        )
    return (
        f"<h1>session['k1'] = {escape(repr(session.get('k1')))}</h1>"
        f"<p>whole session: <code>{escape(repr(dict(session)))}</code></p>{cookie_part}"
    )


@app.route("/set")
def set_values() -> Response:
    for key in ("k1", "k2"):
        if key in request.args:
            session[key] = request.args[key]
    print(f"sessions: session is now {dict(session)!r}")
    return redirect(url_for("show"))


@app.route("/clear")
def clear() -> Response:
    session.clear()
    return redirect(url_for("show"))


if __name__ == "__main__":
    app.run()
