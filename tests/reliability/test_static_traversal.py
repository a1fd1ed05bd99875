"""Path traversal on the static route and on send_from_directory: 404, never a file outside.

``secret.txt`` sits next to the served folders (``static/`` and ``files/``); its content
must never appear in a response, whatever the spelling of the escape.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.reliability.conftest import LiveServer
from tests.reliability.target_app import SECRET_TEXT

# Spellings of "one folder up, then secret.txt" (and of absolute paths), appended to a
# served prefix. (id, suffix)
ESCAPES = [
    ("dotdot", b"../secret.txt"),
    ("dotdot-twice-via-sub", b"sub/../../secret.txt"),
    ("encoded-dots", b"%2e%2e/secret.txt"),
    ("encoded-dots-upper", b"%2E%2E/secret.txt"),
    ("encoded-slash", b"..%2fsecret.txt"),
    ("all-encoded", b"%2e%2e%2fsecret.txt"),
    ("dot-encoded-dot", b".%2e/secret.txt"),
    ("double-encoded", b"%252e%252e%252fsecret.txt"),
    ("overlong-utf8-dots", b"%c0%ae%c0%ae/secret.txt"),
    ("backslash", b"..\\secret.txt"),
    ("encoded-backslash", b"..%5csecret.txt"),
    ("four-dots", b"....//secret.txt"),
    ("absolute-encoded", b"%2fetc%2fpasswd"),
    ("absolute-double-slash", b"/etc/passwd"),
    ("absolute-secret", b"%2f{root}/secret.txt"),
    ("nul-byte", b"hello.txt%00"),
    ("nul-byte-extension", b"hello.txt%00.png"),
    ("nul-then-dotdot", b"%00/../secret.txt"),
    ("windows-drive", b"C:/Windows/win.ini"),
    ("windows-drive-backslash", b"C:%5cWindows%5cwin.ini"),
    ("folder-itself", b""),
    ("dot", b"."),
    ("home", b"~/.bashrc"),
]

PREFIXES = [("static", b"/static/"), ("send_from_directory", b"/files/")]


def fetch_following_one_redirect(
    server: LiveServer, target: bytes
) -> list[tuple[int | None, bytes]]:
    """The response, and if it is a redirect, the response at its Location too."""
    response = server.request(b"GET", target)
    chain = [(response.status, response.body)]
    location = response.header("Location")
    if response.status in {301, 302, 307, 308} and location:
        parts = urlsplit(location)
        followed = parts.path + (f"?{parts.query}" if parts.query else "")
        again = server.request(b"GET", followed.encode("latin-1"))
        chain.append((again.status, again.body))
    return chain


@pytest.mark.parametrize("prefix", [p[1] for p in PREFIXES], ids=[p[0] for p in PREFIXES])
@pytest.mark.parametrize("suffix", [e[1] for e in ESCAPES], ids=[e[0] for e in ESCAPES])
def test_escape_is_a_404_and_never_the_secret(
    server: LiveServer, prefix: bytes, suffix: bytes
) -> None:
    suffix = suffix.replace(b"{root}", str(server.folders.root).lstrip("/").encode())

    chain = fetch_following_one_redirect(server, prefix + suffix)

    assert chain[-1][0] == 404, chain
    assert all(SECRET_TEXT.encode() not in body for _, body in chain)
    assert all(b"root:" not in body for _, body in chain)  # not /etc/passwd either
    server.assert_alive()


# (id, target, expected body)
SERVED = [
    ("static-file", b"/static/hello.txt", b"hello from static"),
    ("static-dot-segment", b"/static/./hello.txt", b"hello from static"),
    ("files-file", b"/files/report.txt", b"the report"),
    ("files-nested", b"/files/sub/nested.txt", b"nested file"),
    ("files-up-and-back-inside", b"/files/sub/../report.txt", b"the report"),
]


@pytest.mark.parametrize(("target", "body"), [s[1:] for s in SERVED], ids=[s[0] for s in SERVED])
def test_files_inside_the_folder_are_served(server: LiveServer, target: bytes, body: bytes) -> None:
    """The guard is not a blanket refusal: what is inside the folder is served."""
    response = server.request(b"GET", target)

    assert (response.status, response.body) == (200, body)
