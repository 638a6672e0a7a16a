"""Fixtures of the channels tests."""

import os

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need PostgreSQL (its exclusion constraint): skipped on SQLite, unless
    POSTGRES_REQUIRED=1 says fail."""
    if connection.vendor == "postgresql" or os.environ.get("POSTGRES_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords and "tests/channels" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _price_books_forgotten():
    """Each test starts with no price book in this process's memory (the cache is emptied too, by
    tests/conftest.py): ids of rolled-back rows come back in the next test on SQLite."""
    from channels.terms import forget_books

    forget_books()
    yield
    forget_books()
