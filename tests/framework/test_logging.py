"""``app.logger``: named after the app, one default handler, DEBUG level in debug mode.

The default handler is only added when no handler up the logger hierarchy would
print the record; pytest installs such handlers, so what a user sees on the
terminal is checked in a fresh interpreter.
"""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import textwrap
import uuid

import pytest

from framework import App
from framework.logging import wsgi_errors_stream


def unique_name() -> str:
    """Loggers are process-wide; a fresh name keeps each test's logger its own."""
    return f"logging_app_{uuid.uuid4().hex[:8]}"


def run_script(source: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(source)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


FAILING_APP = """
    import logging
    from framework import App

    app = App("shop")

    @app.route("/")
    def index():
        raise ValueError("kaboom")
"""


# --- in-process ------------------------------------------------------------------------


def test_logger_is_named_after_the_app() -> None:
    name = unique_name()
    app = App(name)

    assert app.name == name
    assert app.logger.name == name
    assert app.logger is logging.getLogger(name)


def test_logger_is_created_once_per_app() -> None:
    app = App(unique_name())

    assert app.logger is app.logger


def test_debug_app_logs_at_debug_level() -> None:
    app = App(unique_name())
    app.debug = True

    assert app.logger.level == logging.DEBUG
    assert app.logger.isEnabledFor(logging.DEBUG)


def test_non_debug_app_leaves_the_level_unset() -> None:
    app = App(unique_name())

    assert app.logger.level == logging.NOTSET


def test_an_explicit_level_is_kept_in_debug() -> None:
    name = unique_name()
    logging.getLogger(name).setLevel(logging.WARNING)
    app = App(name)
    app.debug = True

    assert app.logger.level == logging.WARNING


def test_log_records_reach_standard_logging(caplog: pytest.LogCaptureFixture) -> None:
    app = App(unique_name())

    with caplog.at_level(logging.INFO, logger=app.name):
        app.logger.info("started %s", "ok")

    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        (app.name, "INFO", "started ok")
    ]


# --- a fresh interpreter, as a user runs an app ---------------------------------------


def test_unhandled_error_is_printed_once_with_the_default_format() -> None:
    result = run_script(
        FAILING_APP
        + """
    response = app.test_client().get("/")
    print(response.status_code)
    """
    )

    assert result.stdout.strip() == "500"
    assert result.stderr.count("Exception on / [GET]") == 1
    assert result.stderr.count("Traceback (most recent call last)") == 1
    assert "ValueError: kaboom" in result.stderr
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("[")
    assert "] ERROR in app: Exception on / [GET]" in first_line


def test_default_handler_is_skipped_when_logging_is_configured() -> None:
    result = run_script(
        """
    import logging
    logging.basicConfig(format="root-handler %(name)s %(message)s")
    """
        + FAILING_APP
        + """
    app.test_client().get("/")
    """
    )

    assert result.stderr.count("Exception on / [GET]") == 1
    assert "root-handler shop Exception on / [GET]" in result.stderr


def test_two_apps_with_one_name_do_not_double_log() -> None:
    result = run_script(
        FAILING_APP
        + """
    again = App("shop")
    again.logger.error("from the second app")
    print(len(logging.getLogger("shop").handlers))
    """
    )

    assert result.stdout.strip() == "1"
    assert result.stderr.count("from the second app") == 1


def test_logger_does_not_duplicate_through_the_root_logger() -> None:
    result = run_script(
        """
    from framework import App
    app = App("shop")
    app.logger.warning("careful")
    """
    )

    assert result.stderr.count("careful") == 1


def test_info_is_shown_only_in_debug() -> None:
    result = run_script(
        """
    from framework import App
    quiet = App("quiet")
    quiet.logger.info("quiet info")
    loud = App("loud")
    loud.debug = True
    loud.logger.info("loud info")
    loud.logger.debug("loud debug")
    """
    )

    assert "quiet info" not in result.stderr
    assert "INFO in <string>: loud info" in result.stderr
    assert "DEBUG in <string>: loud debug" in result.stderr


def test_during_a_request_the_default_handler_writes_to_wsgi_errors() -> None:
    result = run_script(
        FAILING_APP
        + """
    import io
    errors = io.StringIO()
    app.test_client().get("/", errors_stream=errors)
    print("captured:", errors.getvalue().count("Exception on / [GET]"))
    """
    )

    assert "captured: 1" in result.stdout
    assert "Exception on / [GET]" not in result.stderr


# --- the names Flask's logging docs use ----------------------------------------------------


def test_default_handler_can_be_removed_as_flasks_docs_show() -> None:
    result = run_script(
        """
    from framework import App
    from framework.logging import default_handler

    app = App("shop")
    print(default_handler in app.logger.handlers)
    app.logger.removeHandler(default_handler)
    print(default_handler in app.logger.handlers)
    """
    )

    assert result.stdout.split() == ["True", "False"], result.stderr


def test_dict_config_with_the_wsgi_errors_stream_as_flasks_docs_show() -> None:
    result = run_script(
        """
    import io
    from logging.config import dictConfig

    dictConfig({
        "version": 1,
        "formatters": {"default": {"format": "configured %(levelname)s %(message)s"}},
        "handlers": {"wsgi": {
            "class": "logging.StreamHandler",
            "stream": "ext://framework.logging.wsgi_errors_stream",
            "formatter": "default",
        }},
        "root": {"level": "INFO", "handlers": ["wsgi"]},
    })

    from framework import App, current_app

    app = App("shop")

    @app.route("/")
    def index():
        current_app.logger.info("inside a request")
        return "ok"

    errors = io.StringIO()
    app.test_client().get("/", errors_stream=errors)
    app.logger.info("outside a request")
    print("captured:", errors.getvalue().strip())
    """
    )

    assert "captured: configured INFO inside a request" in result.stdout, result.stderr
    assert "configured INFO outside a request" in result.stderr


def test_wsgi_errors_stream_is_a_proxy_for_the_requests_stream_or_stderr() -> None:
    app = App("shop")
    assert wsgi_errors_stream._get_current_object() is sys.stderr  # type: ignore[attr-defined]
    errors = io.StringIO()
    with app.test_request_context(errors_stream=errors):
        assert wsgi_errors_stream._get_current_object() is errors  # type: ignore[attr-defined]
        handler = logging.StreamHandler(wsgi_errors_stream)
        handler.emit(logging.makeLogRecord({"msg": "written through the proxy"}))
    assert errors.getvalue() == "written through the proxy\n"
    assert type(wsgi_errors_stream).__name__ == "WSGIErrorsStreamProxy"
