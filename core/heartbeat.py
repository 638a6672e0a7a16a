"""Workers' heartbeat: a beat job has a worker write the time; readiness reads how old it is.

Celery beat queues ``core.tasks.worker_heartbeat_task`` every minute; whichever worker takes it
writes the time in the database (a ``SiteFlag``, so no Redis is needed to read it back). If no
worker has written for ``WORKER_HEARTBEAT_STALE_SECONDS`` (3 minutes), every worker is dead, stuck
or cut off from the broker, and ``/readyz`` answers 503 saying so, instead of tasks waiting unseen.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

HEARTBEAT_KEY = "celery-worker-heartbeat"


def worker_heartbeat_record(*, worker: str = "") -> None:
    from core.models import SiteFlag

    SiteFlag.objects.update_or_create(key=HEARTBEAT_KEY, defaults={"value": worker[:255]})


def worker_heartbeat_last() -> datetime | None:
    from core.models import SiteFlag

    return SiteFlag.objects.filter(key=HEARTBEAT_KEY).values_list("updated_at", flat=True).first()


def worker_heartbeat_check(*, now=None) -> dict:
    """Readiness detail of the workers; raises RuntimeError when their heartbeat is stale or missing."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager", "detail": "no REDIS_URL: tasks run in-process"}
    last = worker_heartbeat_last()
    if last is None:
        raise RuntimeError("no worker has ever written a heartbeat (is beat running?)")
    age = ((now or timezone.now()) - last).total_seconds()
    limit = settings.WORKER_HEARTBEAT_STALE_SECONDS
    if age > limit:
        raise RuntimeError(f"the last worker heartbeat is {age:.0f} s old (stale after {limit} s)")
    return {"heartbeat_age_s": round(age, 1)}
