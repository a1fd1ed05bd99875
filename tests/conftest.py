"""Fixtures for tests in more than one package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.server_process import ServerProcess


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """The server processes a test appends here are killed after it, whatever it did."""
    started: list[ServerProcess] = []
    yield started
    for server in started:
        server.close()
