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
