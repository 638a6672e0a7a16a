"""Celery tasks of the outbox: deliver one message now; sweep every message that is due."""

from celery import shared_task

from core.outbox import outbox_deliver, outbox_sweep


@shared_task(ignore_result=True)
def outbox_deliver_task(message_id: int) -> str:
    """Deliver one message right after its transaction committed (a failure waits for the sweeper)."""
    return outbox_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def outbox_sweep_task(limit: int = 500) -> dict:
    """Every minute: deliver what the broker never got, and retry what failed, when due."""
    return outbox_sweep(limit=limit)


@shared_task(ignore_result=True)
def worker_heartbeat_task() -> None:
    """Every minute (beat): whichever worker runs this writes the time (core.heartbeat)."""
    from celery import current_task

    from core.heartbeat import worker_heartbeat_record

    worker_heartbeat_record(worker=getattr(current_task.request, "hostname", "") or "")
