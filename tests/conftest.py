"""Fixtures shared by the whole suite."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need row locks: skipped on SQLite, unless POSTGRES_REQUIRED=1 says fail.

    Here as well as in some rooms' conftest files, so a run of any one folder skips them too
    (a transactional test run on SQLite would also flush the reused test database's seed rows).
    """
    from django.db import connection

    if connection.vendor == "postgresql" or os.environ.get("POSTGRES_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploaded and generated files land in a per-test folder (private papers in one of their own)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (it may be a shared Redis in CI)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _sms_outbox_emptied():
    """Text messages sent by the locmem SMS backend (core.sms) start empty in every test, like mail.outbox."""
    from core import sms

    sms.outbox.clear()
    yield
    sms.outbox.clear()
