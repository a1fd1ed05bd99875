"""Configuration: three ways to fill ``app.config``, and a page that shows who set what.

1. In code: ``app.config['DEBUG'] = True``.
2. ``app.config.from_pyfile(...)`` with ``settings.py`` next to this file (the app's root_path).
3. With ``instance_relative_config=True`` a relative file name is looked up in the *instance
   folder* instead: ``from_pyfile('settings.cfg')`` reads ``instance_folder/settings.cfg``.
   The instance path is passed explicitly, so the demo works wherever the repo lives. (The
   folder is named instance_folder because the repository's .gitignore skips instance/.)

Loads happen in that order and a later load overwrites an earlier one.

Run it:
    python -m demo_apps.config_demo   or   python demo_apps/config_demo
    hookscope run demo_apps/config_demo
Then open http://127.0.0.1:5000/

Try:
    /                -> every key the demo set, its value, and the file or line that set it
                        (DEBUG is True in code, then False from the instance file)
    /key/PAGE_SIZE   -> one value as text;  /key/NOPE -> 404 naming the missing key
Watch: edit settings.py or instance_folder/settings.cfg and restart; the page follows.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape

from framework import App, abort

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))

app = App(
    __name__,
    instance_path=os.path.join(PACKAGE_DIR, "instance_folder"),
    instance_relative_config=True,
)


def load_and_record(source: str, load: Callable[[], object]) -> None:
    """Run one config load and note, for every key whose value it changed, the source."""
    before = dict(app.config)
    load()
    changes: dict[str, list[str]] = app.extensions.setdefault("config_changes", {})
    for key, value in app.config.items():
        if key not in before or before[key] != value:
            changes.setdefault(key, []).append(source)


def set_debug_in_code() -> None:
    app.config["DEBUG"] = True


load_and_record("code: app.config['DEBUG'] = True", set_debug_in_code)
load_and_record(
    "root_path: settings.py",
    lambda: app.config.from_pyfile(os.path.join(app.root_path, "settings.py")),
)
load_and_record(
    "instance_path: settings.cfg",
    lambda: app.config.from_pyfile("settings.cfg"),
)


@app.route("/")
def show_config() -> str:
    """List each key the loads changed: final value, then every source that changed it."""
    changes: dict[str, list[str]] = app.extensions["config_changes"]
    rows = "".join(
        f"<tr><td>{escape(key)}</td><td>{escape(repr(app.config[key]))}</td>"
        f"<td>{escape(' → '.join(chain))}</td></tr>"
        for key, chain in sorted(changes.items())
    )
    return (
        "<h1>config_demo</h1>"
        f"<p>root_path: <code>{escape(app.root_path)}</code><br>"
        f"instance_path: <code>{escape(app.instance_path)}</code></p>"
        "<table border=1><tr><th>key</th><th>final value</th><th>changed by (in order)</th></tr>"
        f"{rows}</table>"
    )


@app.route("/key/<name>")
def show_key(name: str) -> str:
    if name not in app.config:
        abort(404, description=f"no config key {name!r}; see / for the keys this demo sets")
    return repr(app.config[name])
