"""Error handling: finding the registered handler for an exception, and the 500 of last resort."""

from __future__ import annotations

import sys
import typing as t
from types import TracebackType

from werkzeug.exceptions import BadRequest, BadRequestKeyError, HTTPException, InternalServerError
from werkzeug.routing import RoutingException

from . import signals
from .caller import PLAIN_CALLER, StepKind
from .globals import _cv_request

if t.TYPE_CHECKING:
    from .config import Config
    from .wrappers import Response

ErrorHandler = t.Callable[[t.Any], t.Any]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class ErrorHandling:
    """The App's error half: ``errorhandler`` lookups, trapping, logging, the 500."""

    if t.TYPE_CHECKING:
        config: Config
        debug: bool
        testing: bool
        error_handler_spec: dict[
            str | None, dict[int | None, dict[type[BaseException], ErrorHandler]]
        ]

        @staticmethod
        def _get_exc_class_and_code(
            exc_class_or_code: type[BaseException] | int,
        ) -> tuple[type[BaseException], int | None]: ...

        def ensure_sync(self, func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]: ...

        def finalize_request(self, rv: t.Any, from_error_handler: bool = False) -> Response: ...

        def log_exception(self, exc_info: ExcInfo) -> None: ...

    def _find_error_handler(self, e: BaseException, blueprints: list[str]) -> ErrorHandler | None:
        """The handler registered for ``e``, or None (Flask's lookup order, see
        :meth:`_find_error_handler_and_owner`)."""
        found = self._find_error_handler_and_owner(e, blueprints)
        return None if found is None else found[1]

    def _find_error_handler_and_owner(
        self, e: BaseException, blueprints: list[str]
    ) -> tuple[str | None, ErrorHandler] | None:
        """The handler for ``e`` and the blueprint it belongs to (None: the app).

        By code first, then by class along its MRO; the innermost blueprint first,
        then the app.
        """
        if not self.error_handler_spec:
            return None
        exc_class, code = self._get_exc_class_and_code(type(e))
        names = (*blueprints, None)
        for c in (code, None) if code is not None else (None,):
            for name in names:
                handler_map = self.error_handler_spec.get(name, {}).get(c)
                if not handler_map:
                    continue
                for cls in exc_class.__mro__:
                    handler = handler_map.get(cls)
                    if handler is not None:
                        return name, handler
        return None

    def _call_error_handler(
        self, found: tuple[str | None, ErrorHandler], e: BaseException
    ) -> t.Any:
        owner, handler = found
        request_ctx = _cv_request.get(None)
        caller = PLAIN_CALLER if request_ctx is None else request_ctx.caller
        return caller.call(StepKind.ERRORHANDLER, owner, handler, self.ensure_sync(handler), e)

    def trap_http_exception(self, e: Exception) -> bool:
        """Whether ``e`` should propagate like any exception instead of becoming its
        HTTP answer (``TRAP_HTTP_EXCEPTIONS``, ``TRAP_BAD_REQUEST_ERRORS``)."""
        if self.config["TRAP_HTTP_EXCEPTIONS"]:
            return True
        trap_bad_request = self.config["TRAP_BAD_REQUEST_ERRORS"]
        if trap_bad_request is None and self.debug and isinstance(e, BadRequestKeyError):
            return True
        if trap_bad_request:
            return isinstance(e, BadRequest)
        return False

    def handle_http_exception(self, e: HTTPException) -> t.Any:
        """The registered handler's answer to ``e``, or ``e`` itself (its own response)."""
        if e.code is None or isinstance(e, RoutingException):
            return e
        found = self._find_error_handler_and_owner(e, _current_blueprints())
        if found is None:
            return e
        return self._call_error_handler(found, e)

    def handle_user_exception(self, e: Exception) -> t.Any:
        """Handle an exception from a hook or view with a registered handler, or re-raise."""
        if isinstance(e, BadRequestKeyError) and (
            self.debug or self.config["TRAP_BAD_REQUEST_ERRORS"]
        ):
            e.show_exception = True
        if isinstance(e, HTTPException) and not self.trap_http_exception(e):
            return self.handle_http_exception(e)
        found = self._find_error_handler_and_owner(e, _current_blueprints())
        if found is None:
            raise
        return self._call_error_handler(found, e)

    def handle_exception(self, e: Exception) -> Response:
        """An unhandled exception: log it and answer 500 (or propagate when testing/debug)."""
        exc_info = sys.exc_info()
        if signals.got_request_exception.receivers:
            signals.got_request_exception.send(self, _async_wrapper=self.ensure_sync, exception=e)
        propagate = self.config["PROPAGATE_EXCEPTIONS"]
        if propagate is None:
            propagate = self.testing or self.debug
        if propagate:
            if exc_info[1] is e:
                raise
            raise e
        self.log_exception(exc_info)
        server_error: t.Any = InternalServerError(original_exception=e)
        found = self._find_error_handler_and_owner(server_error, _current_blueprints())
        if found is not None:
            server_error = self._call_error_handler(found, server_error)
        return self.finalize_request(server_error, from_error_handler=True)

    def should_ignore_error(self, error: BaseException | None) -> bool:
        """Whether teardown functions should see ``error`` as None (override to hide some)."""
        return False


def _current_blueprints() -> list[str]:
    request_ctx = _cv_request.get(None)
    return request_ctx.request.blueprints if request_ctx is not None else []
