"""Run the config demo: ``python -m demo_apps.config_demo`` or ``python demo_apps/config_demo``."""

from __future__ import annotations

from demo_apps.config_demo import app

if __name__ == "__main__":
    app.run()
