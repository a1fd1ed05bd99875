"""Hiding header secrets (cookies, ``Authorization``) in text an app prints or logs."""

from __future__ import annotations

import re

SECRET_MASK = "••••••"
_SECRET_IN_TEXT = re.compile(
    r"(?i)((?<![a-z])(?:proxy-)?authorization|(?<![a-z])(?:set-)?cookie)"
    r"(\s*[:=]\s*['\"]?|['\"]\s*[:,]\s*['\"])"
    r"([^'\"\r\n]+)"
)


def mask_secrets_in_text(text: str) -> str:
    """Hide what follows ``Authorization:`` or ``Cookie:`` (and their ``repr`` forms) in text.

    The framework masks the headers of a trace itself; this covers the app's own output and
    log lines, where a header may show up printed (``print(request.headers)``) or in a repr
    (``{'Authorization': '...'}``, ``('Cookie', '...')``, ``HTTP_COOKIE='...'``).
    """
    return _SECRET_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + SECRET_MASK, text)


__all__ = ["SECRET_MASK", "mask_secrets_in_text"]
