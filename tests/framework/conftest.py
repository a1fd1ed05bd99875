"""Shared fixtures for the framework's tests: a fresh app and its test client."""

from __future__ import annotations

import pytest

from framework import App


@pytest.fixture
def app() -> App:
    """An app with a secret key, in testing mode, rooted at this test folder."""
    application = App("framework_tests")
    application.config.update(TESTING=True, SECRET_KEY="test secret")
    return application


@pytest.fixture
def client(app: App):  # type: ignore[no-untyped-def]
    return app.test_client()
