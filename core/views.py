"""Project-wide views: health and readiness checks, private files for staff (errors: core/errors.py)."""

import logging
import time

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_cache():
    key = "healthz:probe"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return the value just written")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _check_broker():
    from shop.celery_app import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager", "detail": "no REDIS_URL: tasks run in-process"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"mode": "broker", "transport": app.conf.broker_url.split("://", 1)[0]}


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


def _check_workers():
    from core.heartbeat import worker_heartbeat_check

    return worker_heartbeat_check()


READY_CHECKS = {**CHECKS, "workers": _check_workers}


@never_cache
def healthz(request):
    """JSON status of the database, cache and broker: 200 when all answer, 503 otherwise."""
    return _report(CHECKS)


@never_cache
def readyz(request):
    """As /healthz, and the workers: 503 when none has written its heartbeat lately (core.heartbeat).

    For the load balancer or monitoring that should page a person when tasks would wait unseen;
    the web container's own healthcheck stays /healthz, so a dead worker does not take the shop off.
    """
    return _report(READY_CHECKS)


def _report(checks) -> JsonResponse:
    report = {}
    healthy = True
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            detail = check()
            report[name] = {"ok": True, **detail}
        except Exception as exc:  # any failure is a failed check, reported, never raised
            logger.warning("healthz: %s check failed: %s", name, exc)
            healthy = False
            report[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503
    )


@staff_member_required(login_url="customer:login")
def private_file(request, name: str):
    """Any file of the private storage, for staff (what ``PrivateUploadStorage.url`` points at: the
    Django admin links files through it). Everyone else reads papers through the views that check
    which supplier, batch or public page they belong to."""
    from core.uploads import file_response, private_storage

    storage = private_storage()
    try:
        if not storage.exists(name):
            raise Http404
    except SuspiciousFileOperation:
        raise Http404 from None
    return file_response(_Stored(storage, name), download_name=name.rsplit("/", 1)[-1].split(".")[0])


class _Stored:
    """A stored name and its storage, shaped like the ``FieldFile`` that ``file_response`` takes."""

    def __init__(self, storage, name):
        self.storage, self.name = storage, name

    def __bool__(self):
        return bool(self.name)
