"""``.flaskenv`` and ``.env``: environment variables from files, read with python-dotenv.

python-dotenv is optional, as in Flask: without it nothing is loaded, and a one-line tip
says how to get it when there is a file it would have read.
"""

from __future__ import annotations

import os

import click

DEFAULT_ENV_FILES = (".flaskenv", ".env")


def get_load_dotenv(default: bool = True) -> bool:
    """Whether the default env files should be read: ``FLASK_SKIP_DOTENV`` set to a true
    value turns it off, whatever ``default`` says."""
    skip = os.environ.get("FLASK_SKIP_DOTENV")
    if not skip:
        return default
    return skip.lower() in {"0", "false", "no"}


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Set environment variables from env files; a variable already set is left alone.

    Files read later take precedence over earlier ones: ``.flaskenv``, then ``.env``
    (each found in the working directory or the nearest parent that has one), then
    ``path``. The working directory does not change.

    Args:
        path: An extra file to read; a missing file is ignored.
        load_defaults: Also read ``.flaskenv`` and ``.env``.

    Returns:
        True when at least one variable was read from a file.
    """
    try:
        import dotenv
    except ImportError:
        if path is not None or any(os.path.isfile(name) for name in DEFAULT_ENV_FILES):
            click.secho(
                " * Tip: there are .env files present. Install python-dotenv to use them.",
                fg="yellow",
                err=True,
            )
        return False

    files: list[str | os.PathLike[str]] = []
    if load_defaults:
        found = (dotenv.find_dotenv(name, usecwd=True) for name in DEFAULT_ENV_FILES)
        files.extend(name for name in found if name)
    if path is not None and os.path.isfile(path):
        files.append(path)
    values: dict[str, str | None] = {}
    for file in files:
        values.update(dotenv.dotenv_values(file, encoding="utf-8"))
    for key, value in values.items():
        if value is not None and key not in os.environ:
            os.environ[key] = value
    return bool(values)
