"""Tests: fast hashing, in-memory mail, tasks inline unless a test points Celery at Redis."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "core.sms.LocmemBackend"
# A handler that fails with anything but a mail or network error raises in the test (after its
# failure is recorded), so a bug in a handler fails its test instead of waiting for a retry.
OUTBOX_RAISE_ERRORS = True
# Tasks run inline and re-raise, so a failing task fails its test; REDIS_URL (in CI) still
# backs the cache, so cache behaviour is tested against real Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default="/tmp/shop-test-media")
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default="/tmp/shop-test-private-media")
STORAGES = {
    **UPLOAD_STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Tests see every change at once; tests/core/test_page_cache.py turns the page cache on.
ANONYMOUS_PAGE_CACHE_SECONDS = 0
VIEW_COUNT_FLUSH_SECONDS = 0  # tests/catalogue/test_view_counts.py turns batching on
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so --reuse-db keeps the migrated schema between runs.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test_db.sqlite3")}  # noqa: F405

# pytest-xdist workers each get their own Redis database (CI's REDIS_URL database + 1 + worker
# number): a test's cache.clear() flushes the whole database, and must not empty another worker's.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):  # noqa: F405
    _parts = urlsplit(REDIS_URL)  # noqa: F405
    _database = int(_parts.path.strip("/") or 0) + 1 + int(_xdist_worker[2:])
    REDIS_URL = urlunsplit(_parts._replace(path=f"/{_database}"))
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL
