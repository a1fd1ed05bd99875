"""One small blog written once, run on Flask and on the framework alike (the differential
test's app): ``build(web, App)`` takes the names a Flask app imports from ``web``.

Every function is defined here, so each step has the same name on both."""

from __future__ import annotations

from types import ModuleType
from typing import Any

PAGE = "{{ g.user or 'anonymous' }}{% for m in get_flashed_messages() %}|{{ m }}{% endfor %}"


def build(web: ModuleType, app_class: type, import_name: str) -> Any:
    app = app_class(import_name)
    app.secret_key = "twin"
    blog = web.Blueprint("blog", import_name, url_prefix="/<lang>/blog")
    admin = web.Blueprint("admin", import_name, url_prefix="/admin")

    @blog.url_value_preprocessor
    def pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
        web.g.lang = (values or {}).pop("lang", "en")

    @admin.before_app_request
    def load_user() -> None:
        web.g.user = web.session.get("user")

    @admin.before_request
    def require_login() -> Any:
        if web.g.user is None:
            web.flash("log in first", "warning")
            return web.redirect("/login")
        return None

    @blog.route("/")
    def posts() -> str:
        return f"posts in {web.g.lang}"

    @admin.route("/")
    def dashboard() -> str:
        return str(web.render_template_string(PAGE))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if web.request.method == "POST" and web.request.form.get("password") == "secret":
            web.session["user"] = web.request.form["user"]
            web.flash("welcome")
            return web.redirect("/admin/")
        return web.render_template_string(PAGE)

    @app.route("/notice")
    def notice() -> str:
        web.flash("shown at once")  # flashed and shown by the same request
        return str(web.render_template_string(PAGE))

    @app.route("/logout")
    def logout() -> Any:
        web.session.pop("user", None)
        return web.redirect("/login")

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("boom")

    @app.errorhandler(404)
    def not_found(error: Exception) -> tuple[str, int]:
        return "nothing here", 404

    @app.errorhandler(500)
    def server_error(error: Exception) -> tuple[str, int]:
        return "server error", 500

    @app.after_request
    def stamp(response: Any) -> Any:
        response.headers["X-Twin"] = "1"
        return response

    @admin.after_request
    def admin_stamp(response: Any) -> Any:
        return response

    @app.teardown_request
    def close_request(error: BaseException | None) -> None:
        pass

    app.register_blueprint(blog)
    app.register_blueprint(admin)
    return app
