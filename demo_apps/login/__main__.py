"""Run the login demo: ``python -m demo_apps.login`` or ``python demo_apps/login``."""

from __future__ import annotations

from demo_apps.login import app

if __name__ == "__main__":
    app.run()
