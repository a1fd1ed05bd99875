"""What a command line knows about the app its commands run against.

A :class:`ScriptInfo` travels in click's context object (``ctx.obj``) from the group that
read ``--app`` down to the commands that need the app, which call :meth:`ScriptInfo.load_app`.
Loading is lazy, so ``--help`` and commands that need no app never import it, and an app
that fails to import does not break them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..app import App
from ..helpers import get_debug_flag
from .discovery import NoAppException, locate_app, prepare_import
from .envfiles import get_load_dotenv

#: The files looked for in the working directory when no app is named.
DEFAULT_APP_FILES = ("wsgi.py", "app.py")

#: The colon that starts ``:name``, but not a Windows drive's (``C:\\app.py``).
_APP_NAME_SEPARATOR = re.compile(r":(?![\\/])")


class ScriptInfo:
    """Knows how to get the app a command runs against, and loads it only when asked.

    Args:
        app_import_path: What ``--app`` said: a module, file or package, optionally
            followed by ``:name`` or ``:factory(args)``.
        create_app: A function returning the app; takes precedence over
            ``app_import_path``.
        set_debug_flag: Set the app's debug mode from ``FLASK_DEBUG`` once loaded.
        load_dotenv_defaults: Whether ``.flaskenv`` and ``.env`` are read (unless
            ``FLASK_SKIP_DOTENV`` says not to).

    Attributes:
        data: Free space for a command line to share data with its commands.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: Callable[..., App] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = get_load_dotenv(load_dotenv_defaults)
        self.data: dict[Any, Any] = {}
        self._loaded_app: App | None = None

    def load_app(self) -> App:
        """Return the app, loading it on the first call.

        Without ``create_app`` or ``app_import_path``, ``wsgi.py`` and then ``app.py`` in
        the working directory are tried.

        Raises:
            NoAppException: No app could be found from what was given.
        """
        if self._loaded_app is not None:
            return self._loaded_app
        app = self._find_app()
        if app is None and self.create_app is not None:
            raise NoAppException(f"{_name_of(self.create_app)}() returned None, not an app")
        if app is None:
            raise NoAppException(
                "could not locate an app: name it with the --app option or the FLASK_APP "
                "environment variable, or put it in a wsgi.py or app.py file in the "
                "current directory"
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app

    def _find_app(self) -> App | None:
        if self.create_app is not None:
            return self.create_app()
        if self.app_import_path:
            path, *name = _APP_NAME_SEPARATOR.split(self.app_import_path, maxsplit=1)
            return locate_app(prepare_import(path), name[0] if name else None)
        for filename in DEFAULT_APP_FILES:
            app = locate_app(prepare_import(filename), None, raise_if_not_found=False)
            if app is not None:
                return app
        return None


def _name_of(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
