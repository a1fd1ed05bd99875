"""Message flashing: a value stored for exactly one later read.

``flash(message, category)`` appends to a list kept in the session; ``get_flashed_messages()``
returns the whole list and removes it, like a list's pop: read once, then it is gone.

Run it:
    python demo_apps/flashing.py
    hookscope run demo_apps/flashing.py
Then open http://127.0.0.1:5000/set

Try:
    /set                       -> flashes 'alisi' (reload it a few times to queue several)
    /set?msg=hi&category=warning  -> flashes 'hi' in the category 'warning'
    /get                       -> shows every queued message with its category; a second
                                  /get shows none
    /get?category=warning      -> only the 'warning' messages (the rest are dropped too:
                                  reading the flashes consumes them all)
    /index?v=xx                -> "hello,world!"
    /index?v=other             -> flashes '超时错误' and redirects to /error, which shows it
Watch the console: every flash and every read is printed.
"""

from __future__ import annotations

from html import escape

from werkzeug.wrappers import Response

from framework import App, flash, get_flashed_messages, redirect, request, url_for

app = App(__name__)
app.secret_key = "asdfasdf"


@app.route("/set")
def set_message() -> str:
    message = request.args.get("msg", "alisi")
    category = request.args.get("category", "message")
    flash(message, category)
    print(f"flashing: flash({message!r}, {category!r})")
    return f"flashed {escape(repr(message))} in category {escape(repr(category))}; now open /get"


@app.route("/get")
def get_messages() -> str:
    category = request.args.get("category")
    wanted = [category] if category else []
    data = get_flashed_messages(with_categories=True, category_filter=wanted)
    print(f"flashing: get_flashed_messages() -> {data!r}")
    items = "".join(f"<li>[{escape(cat)}] {escape(message)}</li>" for cat, message in data)
    return f"<h1>{len(data)} flashed message(s)</h1><ul>{items}</ul>"


@app.route("/index")
def index() -> str | Response:
    val = request.args.get("v")
    if val == "xx":
        return "hello,world!"
    flash("超时错误", "error")
    print("flashing: flash('超时错误', 'error'), redirecting to /error")
    return redirect(url_for("error"))


@app.route("/error")
def error() -> str:
    data = get_flashed_messages()
    return f"错误信息{escape(str(data))}"


if __name__ == "__main__":
    app.run()
