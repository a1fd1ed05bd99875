"""A genuine Flask app, unchanged: a small blog made by a ``create_app()`` factory.

This is what most Flask projects look like, and it imports ``flask``, not the framework:
hookscope traces it the same way. Two blueprints (``auth`` at /auth, ``blog`` at /), a
``before_app_request`` hook that loads the logged-in user from the session, a
``login_required`` decorator, flashed messages (shown after a redirect, and in the same
request), templates, an error handler for 404, and a SQLite database in the instance folder
that a ``teardown_appcontext`` function closes after every request. The instance folder is
the factory's argument, by default under the system's temporary directory, so nothing is
written into the repository.

Run it:
    python -m demo_apps.flask_blog   or   python demo_apps/flask_blog
    hookscope run demo_apps/flask_blog
    hookscope console "demo_apps.flask_blog:create_app('/tmp/my-blog')"   (another folder)
    hookscope --app demo_apps/flask_blog init-db                          (start afresh)
Then open http://127.0.0.1:5000/

Try:
    /                 -> the posts, newest first
    /create           -> 302 to /auth/login: login_required answered, not the view
    /auth/login       -> admin / password: 302 to /, "Welcome back, admin." flashed there;
                         a wrong password: the form again, the error flashed and shown at once
    /create (logged in) -> an empty title is flashed back; a title creates the post
    /42               -> 404 from the blueprint's abort, rendered by the app's error handler
    /auth/logout      -> the session cleared
Watch the console: load_logged_in_user runs first on every request; close_db last.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from flask import Flask, render_template

from demo_apps.flask_blog import auth, blog, db

DEFAULT_INSTANCE = os.path.join(tempfile.gettempdir(), "hookscope-flask-blog")


def create_app(instance_path: str | None = None, **settings: Any) -> Flask:
    """The blog, keeping its database in ``instance_path`` (created if missing)."""
    app = Flask(__name__, instance_path=os.path.abspath(instance_path or DEFAULT_INSTANCE))
    app.config.from_mapping(
        SECRET_KEY="dev",  # a demo's key; a real app reads it from its instance config
        DATABASE=os.path.join(app.instance_path, "blog.sqlite"),
    )
    app.config.update(settings)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)

    @app.errorhandler(404)
    def page_not_found(error: Exception) -> tuple[str, int]:
        return render_template("404.html"), 404

    return app
