"""URL converters: the typed ``<converter:name>`` parts of a rule, and a custom one.

The default converters turn a URL segment into a Python value before the view runs; a
segment that does not fit means the rule does not match (a 404, not a crash):
    /user/<username>            string (the default): any text without a slash
    /post/<int:post_id>         /post/42;   /post/abc is a 404
    /post/<float:post_id>       /post/4.2 (int and float share /post/, the value decides)
    /path/<path:subpath>        /path/a/b/c: like string, but slashes are allowed (the notes
                                put it under /post/, where it would also catch /post/abc)
    /uuid/<uuid:item_id>        /uuid/12345678-1234-5678-1234-567812345678 -> a uuid.UUID
    /lang/<any(en,zh):lang>     /lang/en or /lang/zh only
    /index/<regex("\\d+"):nid>  the notes' RegexConverter, registered as 'regex'

Run it:
    python demo_apps/converters.py
    hookscope run demo_apps/converters.py
Then open http://127.0.0.1:5000/

Try:
    each URL above (the page at / links one of each), then a wrong one for each:
    /post/abc, /lang/fr, /index/12a, /uuid/xyz -> 404, the view never runs
Watch the console: RegexConverter prints when to_python runs (on a match) and when to_url
runs (whenever url_for builds a URL for 'index', as / and /index/... do).
"""

from __future__ import annotations

import uuid
from html import escape
from typing import Any

from werkzeug.routing import BaseConverter, Map

from framework import App, url_for


class RegexConverter(BaseConverter):
    """A converter whose pattern is given in the rule: ``<regex("\\d+"):nid>``."""

    def __init__(self, map: Map, regex: str) -> None:
        super().__init__(map)
        self.regex = regex

    def to_python(self, value: str) -> Any:
        print(f"RegexConverter.to_python({value!r})")
        return value

    def to_url(self, value: Any) -> str:
        url_value = super().to_url(value)
        print(f"RegexConverter.to_url({value!r}) -> {url_value!r}")
        return url_value


app = App(__name__)
app.url_map.converters["regex"] = RegexConverter


def describe(name: str, value: object) -> str:
    return f"{name} = {escape(repr(value))} ({type(value).__name__})"


@app.route("/")
def examples() -> str:
    """Link one example per converter, each built by url_for (so to_url runs)."""
    links = [
        url_for("user", username="alisi"),
        url_for("post_by_int", post_id=42),
        url_for("post_by_float", post_id=4.2),
        url_for("by_path", subpath="a/b/c"),
        url_for("by_uuid", item_id=uuid.UUID("12345678-1234-5678-1234-567812345678")),
        url_for("by_lang", lang="zh"),
        url_for("index", nid=89),
    ]
    items = "".join(f"<li><a href='{escape(link)}'>{escape(link)}</a></li>" for link in links)
    return f"<h1>converters</h1><ul>{items}</ul>"


@app.route("/user/<username>")
def user(username: str) -> str:
    return describe("username", username)


@app.route("/post/<int:post_id>")
def post_by_int(post_id: int) -> str:
    return describe("post_id", post_id)


@app.route("/post/<float:post_id>")
def post_by_float(post_id: float) -> str:
    return describe("post_id", post_id)


@app.route("/path/<path:subpath>")
def by_path(subpath: str) -> str:
    return describe("subpath", subpath)


@app.route("/uuid/<uuid:item_id>")
def by_uuid(item_id: uuid.UUID) -> str:
    return describe("item_id", item_id)


@app.route("/lang/<any(en,zh):lang>")
def by_lang(lang: str) -> str:
    return describe("lang", lang)


@app.route('/index/<regex("\\d+"):nid>')
def index(nid: str) -> str:
    """The notes' example: the regex matched, to_python passed the text through unchanged."""
    return f"Index: {describe('nid', nid)}; url_for('index', nid=89) = {url_for('index', nid=89)}"


if __name__ == "__main__":
    app.run()
