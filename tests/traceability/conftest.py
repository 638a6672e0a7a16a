"""Fixtures for traceability tests: a seller of a farm product and one of a processed product."""

import os

import pytest
from django.db import connection

from tests.factories.traceability import seller


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need row locks: skipped on SQLite, unless POSTGRES_REQUIRED=1 says fail."""
    if connection.vendor == "postgresql" or os.environ.get("POSTGRES_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords and "tests/traceability" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _trace_page_memory_cleared():
    """The trace page's in-process cache layer starts empty, as the shared cache does (tests/conftest)."""
    from traceability.selectors import trace_page_cache_clear

    trace_page_cache_clear()
    yield
    trace_page_cache_clear()


def clear_trace_caches():
    """What TRACE_PAGE_MAX_STALE_SECONDS of waiting does: both cache layers forgotten."""
    from django.core.cache import cache

    from traceability.selectors import trace_page_cache_clear

    cache.clear()
    trace_page_cache_clear()


@pytest.fixture
def tea(db):
    """Packaged tea (processed food): no compliance certificate needed."""
    return seller(product_class_slug="tea", title="竹溪贡茶 明前特级 100克", stock=0, gtin="6937004000016")


@pytest.fixture
def mushrooms(db):
    """Dried shiitake (cultivated fungi, farm produce): needs a compliance certificate."""
    return seller(product_class_slug="dried-fungi", title="房县花菇 特级 250克", stock=0)
