"""Fixtures shared by the whole suite."""

import os

import pytest

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(config, items):
    """Every transactional test rolls back by re-loading the migrated data; ``postgres`` tests need
    row locks, so they are skipped on SQLite unless POSTGRES_REQUIRED=1 says fail.

    A transactional test ends with a flush. Were some of them serialized and some not, a flush
    without ``serialized_rollback`` re-creates content types under new ids and the next serialized
    test could not load the saved rows back (duplicate keys), leaving groups and the home page gone.
    So all of them are serialized, here, whatever their own marks say (see _migrated_rows_kept).
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
            TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if transactional:
            kwargs = dict(marker.kwargs) if marker else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)

    from django.db import connection

    if connection.vendor == "postgresql" or os.environ.get("POSTGRES_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


_MIGRATED_ROWS: dict[str, str] = {}


def _restore_migrated_rows(django_db_blocker):
    """Load the saved migrated rows back into any database a flush left without them.

    Groups exist only through data migrations, so none means flushed. A flush may have re-created
    content types and permissions under new ids (post_migrate): they go first, or the saved rows
    would clash with them.
    """
    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connections

    with django_db_blocker.unblock():
        for alias, contents in _MIGRATED_ROWS.items():
            connection = connections[alias]
            connection._test_serialized_contents = contents
            if not Group.objects.using(alias).exists():
                call_command(
                    "flush",
                    database=alias,
                    interactive=False,
                    inhibit_post_migrate=True,
                    reset_sequences=False,
                    verbosity=0,
                )
                connection.creation.deserialize_db_from_string(contents)
                # The rows come back with their ids: keep every id sequence past them.
                statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
                with connection.cursor() as cursor:
                    for statement in statements:
                        cursor.execute(statement)


@pytest.fixture(scope="session", autouse=True)
def _migrated_rows_kept(django_db_setup, django_db_blocker):
    """Keep the rows data migrations create (groups, the Wagtail root and home page, the country,
    the Site) whatever transactional tests do, and leave the database so ``--reuse-db`` works run
    after run.

    Django saves a copy of them on the connection object when it sets the test database up, and a
    serialized transactional test loads that copy back after the previous one's flush. But Django's
    connection objects are per context, and Playwright's sync API runs the browser tests in
    another one: there the copy is missing and nothing comes back. So the copy is kept here, put
    back before each transactional test that finds the tables empty, and once more at the end.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            _MIGRATED_ROWS[connection.alias] = contents
    yield
    _restore_migrated_rows(django_db_blocker)


@pytest.fixture(autouse=True)
def _migrated_rows_before_transactional_tests(request, django_db_blocker):
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("_django_db_helper")
        # Also hands this context's connection the saved copy, so the test's own flush keeps
        # post_migrate quiet and the next serialized test can load it back as Django intends.
        _restore_migrated_rows(django_db_blocker)


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
