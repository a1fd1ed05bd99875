"""Run the blog: ``python -m demo_apps.flask_blog`` or ``python demo_apps/flask_blog``."""

from __future__ import annotations

from demo_apps.flask_blog import create_app

app = create_app()

if __name__ == "__main__":
    app.run()
