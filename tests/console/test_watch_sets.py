"""Which paths concern an app, from what its worker reported."""

from __future__ import annotations

from pathlib import Path

from console.protocol import LoadError, Ready
from console.supervisor.watch_sets import (
    WatchSet,
    after_load_error,
    initial_watch_set,
    ready_watch_set,
)

SHOP = WatchSet(
    roots=("/srv/app",),
    files=frozenset({"/srv/app/shop.py", "/srv/app/instance/config.py"}),
    folders=("/srv/app/templates",),
    any_source=False,
)


def test_an_app_depends_on_its_modules_the_config_it_read_and_its_templates() -> None:
    assert SHOP.matches("/srv/app/shop.py")
    assert SHOP.matches("/srv/app/instance/config.py"), "read by from_pyfile"
    assert SHOP.matches("/srv/app/templates/cart/index.html")


def test_what_an_app_writes_or_never_read_does_not_concern_it() -> None:
    assert not SHOP.matches("/srv/app/instance/shop.sqlite")
    assert not SHOP.matches("/srv/app/instance/notes.txt")
    assert not SHOP.matches("/srv/app/settings.cfg"), "a config file it never read"
    assert not SHOP.matches("/srv/app/static/uploads/avatar.png")
    assert not SHOP.matches("/srv/app/other_app.py"), "another app's module"
    assert not SHOP.matches("/srv/elsewhere/shop.py")


def test_a_directory_concerns_an_app_when_what_it_uses_is_below() -> None:
    assert SHOP.holds("/srv/app/templates")
    assert SHOP.holds("/srv/app/instance"), "its config file is in there"
    assert not SHOP.holds("/srv/app/static")
    assert not SHOP.holds("/srv/app/.git")


def test_after_a_load_error_any_module_counts_and_so_does_what_the_load_read() -> None:
    error = LoadError(
        "shop", "KeyError", "'DATABASE'", watch_files=("/srv/app/settings.toml", "/etc/shop.ini")
    )
    broken = after_load_error(SHOP, error)
    assert broken.matches("/srv/app/new_module.py"), "a fix may be a module never imported"
    assert broken.matches("/srv/app/settings.toml")
    assert broken.matches("/etc/shop.ini") and "/etc" in broken.roots
    assert after_load_error(SHOP).matches("/srv/app/new_module.py")


def test_a_loaded_app_is_watched_where_its_files_are() -> None:
    ready = Ready(
        app="shop",
        pid=1,
        host="127.0.0.1",
        port=5000,
        app_name="shop",
        import_name="shop",
        root_path="/srv/app",
        routes=(),
        watch_files=("/srv/app/shop.py", "/srv/lib/helpers.py"),
        watch_dirs=("/srv/app/templates",),
    )
    watch_set = ready_watch_set(ready)
    assert watch_set.roots == ("/srv/app", "/srv/lib")
    assert watch_set.matches("/srv/lib/helpers.py") and not watch_set.any_source


def test_before_it_ever_loaded_an_app_is_watched_in_its_directory(tmp_path: Path) -> None:
    (tmp_path / "shop.py").write_text("")
    first = initial_watch_set("shop.py", str(tmp_path))
    assert first.roots == (str(tmp_path),) and first.any_source
    assert first.matches(str(tmp_path / "helpers.py"))
    assert initial_watch_set("shop.py:", str(tmp_path)).roots == (), "a bad target string"
