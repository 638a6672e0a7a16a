"""Fixtures of the resilience tests."""

import pytest


@pytest.fixture(scope="session")
def seed_rows_restored_after_session(django_db_setup, django_db_blocker):
    """Leave the reused test database as migrations left it, after transactional tests here.

    A transactional test ends by emptying every table; Django's serialized rollback loads the
    migrated rows (groups, country, home page) back only at the start of the next such test, so a
    later run reusing the database (--reuse-db) would find them gone. At the end of the session
    the tables are emptied once more, those rows loaded back and the id sequences moved past them.
    """
    yield
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    contents = getattr(connection, "_test_serialized_contents", None)
    if not contents:
        return
    with django_db_blocker.unblock():
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(contents)
        # The rows come back with their ids: move every id sequence past them.
        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
