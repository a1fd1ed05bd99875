from __future__ import annotations

import pytest

from console.ignored_paths import is_ignored, is_ignored_directory


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("/srv/app/views.py", False),
        ("/srv/app/.git/index", True),
        ("/srv/app/__pycache__/views.cpython-311.pyc", True),
        ("/srv/app/.venv/lib/site.py", True),
        ("/srv/app/.views.py.swp", True),
        ("/srv/app/views.py~", True),
        ("/srv/app/4913", True),
        ("/srv/app/.#views.py", True),
        ("/srv/app/templates/index.html", False),
        ("/srv/app/instance/config.py", False),
        ("/srv/app/instance/app.sqlite", True),
        ("/srv/app/instance/app.db-journal", True),
        ("/srv/app/server.log", True),
    ],
)
def test_editor_droppings_tool_directories_and_runtime_data_are_ignored(
    path: str, ignored: bool
) -> None:
    assert is_ignored(path) is ignored


def test_a_directory_is_ignored_when_it_or_a_parent_is_a_tool_directory() -> None:
    assert is_ignored_directory("/srv/app/.venv")
    assert is_ignored_directory("/srv/app/node_modules/left-pad")
    assert not is_ignored_directory("/srv/app/templates")
