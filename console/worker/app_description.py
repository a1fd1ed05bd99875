"""What a loaded app looks like from outside: its url_map, and the files its code came from.

Only public attributes are read (``Map.iter_rules``, ``Rule.rule``, ``Map.converters``,
``view_functions``, ``blueprints``), so a genuine Flask app is described the same way.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from werkzeug.routing import parse_converter_args

from console.ignored_paths import is_ignored
from console.protocol import ConverterInfo, RouteInfo

_CONVERTER_PART = re.compile(
    r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\((?P<arguments>.*?)\))?:)?"
    r"(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>"
)
#: hookscope's own packages: a user's app is never watched for a change in these.
HOOKSCOPE_PACKAGES = tuple(
    str(Path(__file__).resolve().parent.parent.parent / name) + os.sep
    for name in ("console", "framework")
)


def describe_routes(app: Any) -> tuple[RouteInfo, ...]:
    """The url_map as plain data, in the map's own order."""
    return tuple(_describe_rule(app, rule) for rule in app.url_map.iter_rules())


def _describe_rule(app: Any, rule: Any) -> RouteInfo:
    view = app.view_functions.get(rule.endpoint)
    view_name, file, line = _source_of(view)
    redirect_to = rule.redirect_to
    endpoint = str(rule.endpoint)
    return RouteInfo(
        rule=rule.rule,
        endpoint=endpoint,
        methods=tuple(sorted(rule.methods or ())),
        converters=tuple(_describe_converters(rule.rule, app.url_map.converters)),
        defaults={key: _json_value(value) for key, value in (rule.defaults or {}).items()} or None,
        strict_slashes=bool(rule.strict_slashes),
        redirect_to=None
        if redirect_to is None
        else redirect_to
        if isinstance(redirect_to, str)
        else repr(redirect_to),
        subdomain=rule.subdomain or None,
        host=rule.host or None,
        blueprint=endpoint.rpartition(".")[0] or None,
        view=view_name,
        file=file,
        line=line,
    )


def _describe_converters(rule: str, registry: dict[str, Any]) -> Iterable[ConverterInfo]:
    """Each ``<converter(arguments):name>`` of the rule, with the regex it matches."""
    for part in _CONVERTER_PART.finditer(rule):
        converter = part["converter"] or "default"
        arguments = part["arguments"] or ""
        yield ConverterInfo(
            name=part["name"],
            converter=converter,
            arguments=arguments,
            regex=_converter_regex(registry.get(converter), arguments),
        )


def _converter_regex(converter_class: Any, arguments: str) -> str:
    """The regex the converter matches, built as the map built it (``any(a, b)`` has its own)."""
    if converter_class is None:
        return ""
    try:
        args, kwargs = parse_converter_args(arguments) if arguments else ((), {})
        return str(converter_class(None, *args, **kwargs).regex)
    except Exception:  # a converter that needs its map: fall back to its class's regex
        return str(getattr(converter_class, "regex", ""))


def _source_of(view: Any) -> tuple[str | None, str | None, int | None]:
    if view is None:
        return None, None, None
    target = inspect.unwrap(view)
    view_class = getattr(view, "view_class", None)
    name = getattr(target, "__qualname__", None) or repr(target)
    if view_class is not None:
        target, name = view_class, view_class.__qualname__
    code = getattr(target, "__code__", None)
    if code is not None:  # a plain function: no need to read its source file
        return name, code.co_filename, code.co_firstlineno
    try:
        file = inspect.getsourcefile(target)
        _, line = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return name, None, None
    return name, file, line


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def app_homes(app: Any, import_name: str) -> list[str]:
    """The directories (and single module file) the app's own code lives in."""
    root = os.path.abspath(app.root_path)
    homes = [root + os.sep]
    top = sys.modules.get(import_name.split(".")[0])
    top_file = getattr(top, "__file__", None)
    if top_file:
        top_path = os.path.abspath(top_file)
        is_package = os.path.basename(top_path) == "__init__.py"
        homes.append(os.path.dirname(top_path) + os.sep if is_package else top_path)
    return homes


def app_files(
    app: Any, import_name: str, files_read: Iterable[str] = ()
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a change should reload the app for: its files, and its template folders.

    The files are the app's own imported modules and, of ``files_read`` (what it opened
    while loading), those in its own directories or the working directory: the config files
    ``from_pyfile`` and ``from_file`` read. A file is the app's own when it lies under the
    app's root or its top-level package, and not in hookscope itself (unless the app is
    one of hookscope's own). The instance and static folders are left out: they hold what
    the app writes and serves, not its code.

    Paths are compared as absolute paths, without resolving symlinks: it is cheap, and it
    is how the watcher will see them.
    """
    homes = app_homes(app, import_name)
    skip_hookscope = not homes[0].startswith(HOOKSCOPE_PACKAGES)
    files = set()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not isinstance(file, str):
            continue
        path = os.path.abspath(file)
        if skip_hookscope and path.startswith(HOOKSCOPE_PACKAGES):
            continue
        if _is_under(path, homes):
            files.add(path)
    files.update(config_files(files_read, [*homes, os.path.abspath(app.instance_path) + os.sep]))
    folders = []
    for scaffold in (app, *app.blueprints.values()):
        folder = getattr(scaffold, "template_folder", None)
        if folder:
            folders.append(os.path.abspath(os.path.join(scaffold.root_path, folder)))
    return tuple(sorted(files)), tuple(dict.fromkeys(folders))


def target_homes(target: str) -> list[str]:
    """Where a target's code lives before it ever loaded: its file's or package's directory
    (a module target lives in the working directory, which counts anyway)."""
    from console.targets import TargetError, parse_target

    try:
        spec = parse_target(target)
    except TargetError:
        return []
    if spec.kind != "path":
        return []
    path = os.path.abspath(spec.location)
    return [(path if os.path.isdir(path) else os.path.dirname(path)) + os.sep]


def config_files(files_read: Iterable[str], homes: Iterable[str]) -> list[str]:
    """Of the files an app read while loading, those that are its own configuration: in
    its ``homes`` or the working directory (the project), not modules, not in a virtualenv
    or cache. (A library's data read from site-packages or /usr is nobody's edit.)"""
    places = [*homes, os.getcwd() + os.sep]
    return [
        path
        for path in files_read
        if _is_under(path, places) and not is_ignored(path) and not path.endswith(".pyc")
    ]


def _is_under(path: str, homes: Iterable[str]) -> bool:
    return any(path == home or path.startswith(home) for home in homes)


__all__ = [
    "HOOKSCOPE_PACKAGES",
    "app_files",
    "app_homes",
    "config_files",
    "describe_routes",
    "target_homes",
]
