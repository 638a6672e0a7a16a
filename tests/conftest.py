"""Fixtures shared by the whole suite."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Uploaded and generated files land in a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


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
