"""Celery tasks of traceability: thin, take ids, call a service; safe to run twice.

Recall notices are not tasks: they are recorded in the outbox with the recall (core.outbox,
``traceability/outbox_handlers.py``), so Redis being down when a recall commits loses nothing.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from traceability import anchors, idempotency, import_jobs, services


# The parse itself is bounded by its child process (SHEET_PARSE_SECONDS, default 60 s); checking
# 10,000 rows takes seconds. Past the soft limit the job is failed with a message; the hard limit
# kills the worker process, and the sweeper then marks the job failed.
@shared_task(soft_time_limit=240, time_limit=270, acks_late=True)
def batch_import_run_task(import_id: int) -> None:
    """Read, check and import one uploaded batch sheet (a ``BatchImport``), all or nothing."""
    try:
        import_jobs.batch_import_run(import_id=import_id)
    except SoftTimeLimitExceeded:
        import_jobs.batch_import_fail(import_id=import_id, timed_out=True)
    except Exception:
        import_jobs.batch_import_fail(import_id=import_id)
        raise


@shared_task
def batch_imports_sweep_task() -> dict:
    """Fail imports whose worker died, queue again the ones the broker lost, delete old uploads."""
    return import_jobs.batch_imports_sweep()


@shared_task
def api_idempotency_keys_purge_task() -> int:
    """Forget API idempotency keys older than a week."""
    return idempotency.api_idempotency_keys_purge()


@shared_task
def batches_expiry_hold_task() -> dict:
    """Hold batches past best-before and run the gates on those whose certificate expired."""
    return services.batches_expiry_hold()


@shared_task(soft_time_limit=1800, time_limit=1900)
def chains_verify_task() -> dict:
    """Check every batch's event chain against its anchors and every daily root; alert staff."""
    result = anchors.chains_verify()
    return {"checked": result["checked"], "broken": len(result["broken"]), "roots": len(result["roots"])}
