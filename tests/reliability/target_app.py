"""The app the hostile-request battery is fired at, built the same way on the framework and Flask.

It has the routes no demo has: a static folder with a secret file beside it,
``send_from_directory``, upload saving, a JSON endpoint, converters including custom ones
that raise, a view that echoes a header value, redirects to a caller-chosen target, and
tight body limits. ``create_app("framework", ...)`` and ``create_app("flask", ...)`` give
the same app on both, so every hostile case can be checked against Flask 3.1's answer.
"""

from __future__ import annotations

import importlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.routing import BaseConverter
from werkzeug.utils import secure_filename

SECRET_KEY = "reliability secret"
SECRET_TEXT = "TOP-SECRET-c0ffee"  # the content of files the app must never send
MAX_CONTENT_LENGTH = 64 * 1024
MAX_FORM_PARTS = 20
MAX_FORM_MEMORY_SIZE = 16 * 1024

APP_CLASS_NAMES = {"framework": "App", "flask": "Flask"}


@dataclass(frozen=True)
class Folders:
    """Where the app reads and writes files; all under one temporary directory.

    ``secret`` sits next to ``static`` and ``files`` (the folders the app serves), so a
    traversal that escapes one folder by a single ``..`` finds it.
    """

    root: Path

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def files(self) -> Path:
        return self.root / "files"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def secret(self) -> Path:
        return self.root / "secret.txt"

    def create(self) -> Folders:
        for folder in (self.static, self.files, self.uploads):
            folder.mkdir(parents=True, exist_ok=True)
        self.secret.write_text(SECRET_TEXT)
        (self.static / "hello.txt").write_text("hello from static")
        (self.files / "report.txt").write_text("the report")
        (self.files / "sub").mkdir(exist_ok=True)
        (self.files / "sub" / "nested.txt").write_text("nested file")
        return self


class ValueErrorConverter(BaseConverter):
    """Accepts ``ok``; anything else makes ``to_python`` raise ValueError."""

    def to_python(self, value: str) -> Any:
        if value != "ok":
            raise ValueError(f"not a valid value: {value!r}")
        return value


class CrashingConverter(BaseConverter):
    """Accepts ``ok``; anything else makes ``to_python`` raise a RuntimeError (a bug)."""

    def to_python(self, value: str) -> Any:
        if value != "ok":
            raise RuntimeError(f"converter bug on {value!r}")
        return value


def create_app(
    flavour: str, folders: Folders, *, subdomain_matching: bool = False, **config: Any
) -> Any:
    """The target app on ``flavour`` ("framework" or "flask"), with ``config`` on top."""
    web = importlib.import_module(flavour)
    app_class = getattr(web, APP_CLASS_NAMES[flavour])
    app = app_class(
        f"reliability_target_{flavour}",
        static_folder=str(folders.static),
        root_path=str(folders.root),
        subdomain_matching=subdomain_matching,
    )
    app.config.update(
        SECRET_KEY=SECRET_KEY,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY_SIZE,
        UPLOAD_FOLDER=str(folders.uploads),
        **config,
    )
    app.url_map.converters["valueerror"] = ValueErrorConverter
    app.url_map.converters["crashing"] = CrashingConverter
    request, session = web.request, web.session

    @app.route("/")
    def alive() -> str:
        return "alive"

    @app.route("/echo")
    def echo_query() -> dict[str, Any]:
        return {"path": request.path, "args": request.args.to_dict(flat=False)}

    @app.route("/json", methods=["POST"])
    def json_body() -> dict[str, Any]:
        return {"received": request.get_json()}

    @app.route("/form", methods=["POST"])
    def form_body() -> dict[str, Any]:
        return {
            "fields": {name: len(value) for name, value in request.form.items()},
            "files": {name: len(stored.read()) for name, stored in request.files.items()},
        }

    @app.route("/upload", methods=["POST"])
    def upload() -> dict[str, Any]:
        stored = request.files["file"]
        name = secure_filename(stored.filename or "") or "unnamed"
        target = os.path.join(app.config["UPLOAD_FOLDER"], name)
        stored.save(target)
        return {"saved_as": name}

    @app.route("/files/<path:name>")
    def download(name: str) -> Any:
        return web.send_from_directory(str(folders.files), name)

    @app.route("/session/set/<key>/<value>")
    def session_set(key: str, value: str) -> dict[str, Any]:
        session[key] = value
        return dict(session)

    @app.route("/session")
    def session_show() -> dict[str, str]:
        return {key: str(value) for key, value in session.items()}

    @app.route("/session/fill/<int:size>")
    def session_fill(size: int) -> str:
        # Random text: the cookie is compressed, so repeated characters would stay small.
        session["blob"] = secrets.token_urlsafe(size)[:size]
        return "filled"

    @app.route("/redirect")
    def redirect_to() -> Any:
        return web.redirect(request.args.get("to", "/"))

    @app.route("/header")
    def header_echo() -> Any:
        response = web.make_response("header set")
        response.headers["X-Echo"] = request.args.get("value", "")
        return response

    @app.route("/int/<int:number>")
    def int_value(number: int) -> str:
        return f"int {number}"

    @app.route("/bounded/<int(min=1, max=10):number>")
    def bounded_int(number: int) -> str:
        return f"bounded {number}"

    @app.route("/signed/<int(signed=True):number>")
    def signed_int(number: int) -> str:
        return f"signed {number}"

    @app.route("/float/<float:number>")
    def float_value(number: float) -> str:
        return f"float {number}"

    @app.route("/uuid/<uuid:ident>")
    def uuid_value(ident: Any) -> str:
        return f"uuid {ident}"

    @app.route("/valueerror/<valueerror:value>")
    def value_error_converter(value: str) -> str:
        return f"converted {value}"

    @app.route("/crashing/<crashing:value>")
    def crashing_converter(value: str) -> str:
        return f"converted {value}"

    @app.route("/put-only", methods=["PUT"])
    def put_only() -> str:
        return "put"

    return app
