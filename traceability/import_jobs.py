"""Batch sheet imports as jobs: stored on upload, read and checked by a worker, all or nothing.

The request only stores the upload (private storage, never served) and a ``BatchImport`` row, and
queues ``batch_import_run_task`` after commit; the page then follows the job's progress. The worker
takes the job with a conditional update (a duplicate delivery does nothing), reads the sheet in a
child process bounded in memory and time (``traceability.imports.read_sheet``), checks every row,
writing its progress as it goes, and creates the batches in the same transaction that marks the job
``imported``: a job is imported with every batch, or refused or failed with none.

Without REDIS_URL the task runs in-process when queued and gives the same answers. A job whose
worker died is marked failed by ``batch_imports_sweep`` (shop/schedule.py), which also queues again
jobs the broker lost and deletes uploads that are no longer needed.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.queue import queue_now
from traceability import imports
from traceability.models import BatchImport

logger = logging.getLogger(__name__)

#: A running job with no progress for this long lost its worker (the task's hard limit is 4.5 min).
STALE_AFTER = datetime.timedelta(minutes=10)
#: An upload is kept this long after its job ended (long enough to pick a sheet), then deleted.
KEEP_FILES_FOR = datetime.timedelta(days=1)


@transaction.atomic
def batch_import_start(*, supplier, upload, created_by, language: str) -> BatchImport:
    """Store an uploaded sheet privately and queue it for a worker; the job is returned at once."""
    job = BatchImport(
        supplier=supplier,
        created_by=created_by,
        file_name=(upload.name or "sheet")[:255],
        file_size=upload.size,
        language=language,
        heartbeat_at=timezone.now(),
    )
    job.file.save(upload.name or "sheet", upload, save=False)
    job.save()
    transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


@transaction.atomic
def batch_import_choose_sheet(*, job: BatchImport, sheet: str) -> BatchImport:
    """Read the same upload again, this time the sheet the user picked among ``sheet_choices``."""
    job = BatchImport.objects.select_for_update().get(pk=job.pk)
    if job.status != BatchImport.Status.REFUSED or sheet not in job.sheet_choices:
        raise ValidationError(_("Choose one of the sheets listed."))
    if not job.file:
        raise ValidationError(_("The uploaded file is no longer kept: upload it again."))
    job.sheet_name = sheet
    job.sheet_choices = []
    job.status = BatchImport.Status.QUEUED
    job.stage = ""
    job.errors = []
    job.error_count = job.rows_total = job.rows_checked = 0
    job.finished_at = None
    job.heartbeat_at = timezone.now()
    job.save()
    transaction.on_commit(lambda: _queue(job.pk), robust=True)
    return job


def _queue(job_id: int) -> None:
    from traceability.tasks import batch_import_run_task

    try:
        queue_now(batch_import_run_task, job_id)
    except Exception:  # broker down (or, eager, the run itself failed): the sweeper queues it again
        logger.exception("batch import %s not queued or not run; the sweeper will take it", job_id)


def batch_import_run(*, import_id: int) -> BatchImport | None:
    """Read, check and (when every row is right) import one queued job. Safe to call twice: only a
    queued job is taken, and only by one caller."""
    now = timezone.now()
    taken = BatchImport.objects.filter(pk=import_id, status=BatchImport.Status.QUEUED).update(
        status=BatchImport.Status.RUNNING,
        stage=BatchImport.Stage.READING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not taken:
        return None
    job = BatchImport.objects.select_related("supplier", "created_by").get(pk=import_id)
    with translation.override(job.language or None):
        try:
            data = _stored_bytes(job)
        except OSError:
            logger.exception("batch import %s: the stored upload cannot be read", job.pk)
            _end(job, BatchImport.Status.FAILED, [_lost_upload_error()])
            return job
        result, rows = imports.batch_sheet_check(
            supplier=job.supplier, data=data, sheet=job.sheet_name or None, progress=_progress(job)
        )
        if not result.ok:
            _end(job, BatchImport.Status.REFUSED, result.errors, sheet_choices=result.sheet_choices)
            return job
        _progress(job)(result.rows, result.rows, stage=BatchImport.Stage.SAVING)
        try:
            with transaction.atomic():
                created = imports.batches_create(rows=rows, created_by=job.created_by)
                if not _end(job, BatchImport.Status.IMPORTED, [], created=created, rows=result.rows):
                    raise _TakenAway
        except IntegrityError:
            _end(job, BatchImport.Status.REFUSED, [imports.lot_codes_taken_error()])
        except _TakenAway:  # the sweeper gave up on it meanwhile: nothing was created
            pass
    return job


class _TakenAway(Exception):
    pass


def batch_import_fail(*, import_id: int, timed_out: bool = False) -> None:
    """End a job that could not finish (the task hit its time limit or an unexpected error)."""
    job = BatchImport.objects.filter(pk=import_id).first()
    if job is None or job.finished:
        return
    with translation.override(job.language or None):
        if timed_out:
            message = _("Checking the sheet took too long, so it was stopped. Nothing was imported.")
        else:
            message = _(
                "The import failed unexpectedly. Nothing was imported: please upload the sheet again."
            )
        _end(job, BatchImport.Status.FAILED, [imports.RowError(0, "", message)])


def _stored_bytes(job: BatchImport) -> bytes:
    with job.file.open("rb") as stored:
        return stored.read(imports.MAX_BYTES + 1)


def _lost_upload_error() -> imports.RowError:
    return imports.RowError(0, "", _("The uploaded file is no longer kept: upload it again."))


def _progress(job: BatchImport):
    def report(done: int, total: int, stage: str = BatchImport.Stage.CHECKING) -> None:
        BatchImport.objects.filter(pk=job.pk, status=BatchImport.Status.RUNNING).update(
            stage=stage, rows_checked=min(done, total), rows_total=total, heartbeat_at=timezone.now()
        )

    return report


def _end(job: BatchImport, status: str, errors, *, sheet_choices=(), created: int = 0, rows=None) -> bool:
    """Record a job's outcome, only if it is still running; the upload is deleted unless a sheet
    is still to be chosen. False when the job was no longer running (the sweeper ended it)."""
    fields = {
        "status": status,
        "stage": "",
        "errors": [
            {"row": e.row, "column": e.column, "message": e.message}
            for e in errors[: BatchImport.MAX_STORED_ERRORS]
        ],
        "error_count": len(errors),
        "sheet_choices": list(sheet_choices),
        "created_count": created,
        "finished_at": timezone.now(),
        "heartbeat_at": timezone.now(),
    }
    if rows is not None:
        fields.update(rows_total=rows, rows_checked=rows)
    ended = BatchImport.objects.filter(pk=job.pk, status=BatchImport.Status.RUNNING).update(**fields)
    if ended and not sheet_choices:
        _delete_upload_on_commit(job)
    return bool(ended)


def _delete_upload_on_commit(job: BatchImport) -> None:
    name = job.file.name
    if not name:
        return

    def delete():
        job.file.storage.delete(name)
        BatchImport.objects.filter(pk=job.pk, file=name).update(file="")

    transaction.on_commit(delete, robust=True)


def batch_imports_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail jobs whose worker died, queue again jobs the broker lost, delete uploads no longer needed.

    Running with no progress for STALE_AFTER: failed, with a message (never run again: a file that
    kills its worker must not do so forever). Queued for STALE_AFTER: queued again (taking a job is
    conditional, so a duplicate does nothing). Ended KEEP_FILES_FOR ago with the upload still kept:
    the upload is deleted; the job stays as a record.
    """
    now = now or timezone.now()
    stale = now - STALE_AFTER
    counts = {"failed": 0, "queued": 0, "files_deleted": 0}
    for job in BatchImport.objects.filter(status=BatchImport.Status.RUNNING, heartbeat_at__lt=stale):
        with translation.override(job.language or None):
            message = _(
                "The import was interrupted (the worker stopped). Nothing was imported: "
                "upload the sheet again."
            )
            if _end(job, BatchImport.Status.FAILED, [imports.RowError(0, "", message)]):
                counts["failed"] += 1
                logger.warning("batch import %s: worker lost, marked failed", job.pk)
    lost = BatchImport.objects.filter(status=BatchImport.Status.QUEUED).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    )
    for job_id in lost.values_list("pk", flat=True):
        BatchImport.objects.filter(pk=job_id).update(heartbeat_at=now)
        _queue(job_id)
        counts["queued"] += 1
    finished = BatchImport.objects.filter(
        status__in=BatchImport.FINISHED, finished_at__lt=now - KEEP_FILES_FOR
    ).exclude(file="")
    for job in finished:
        job.file.storage.delete(job.file.name)
        BatchImport.objects.filter(pk=job.pk).update(file="")
        counts["files_deleted"] += 1
    return counts
