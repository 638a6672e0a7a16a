"""Chain anchors: every silent change to a batch's records shows (issue 11).

The event chain (``traceability.chain``) catches an event edited in place, but not one who deletes the
newest event, deletes them all, or re-hashes the whole chain consistently, nor a change to the batch's
own fields, its inspections or its certificate. So after every change the services make, the batch's
chain head (number of events, newest event's hash) and a hash of its records (``chain.record_content``)
are *anchored*: appended to ``ChainAnchor``, a table kept apart from the events, that nothing updates
or deletes (a PostgreSQL trigger refuses it). Each anchor links to the batch's anchor before it, and
once a day ``chain_root_record`` hashes the newest anchor of every batch into a ``ChainRoot`` linked
to the day before.

``batch_chain_check`` compares the stored records with the newest anchor: the trace page, the portal
and the admin show its report, and ``chains_verify`` (nightly, Celery beat) checks every batch and every
root and alerts the food-safety staff through the outbox.

Drafts are anchored as well, but a draft without anchors (a sheet import creates drafts in bulk) is
not a finding: drafts have no public page and change freely. Batches that existed when anchors came in
were anchored by the migration, on trust (``on_trust``): the records as they then stood.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability import chain
from traceability.chain import ChainReport, chain_verify
from traceability.models import (
    Batch,
    BatchInput,
    ChainAnchor,
    ChainRoot,
    ComplianceCertificate,
    Inspection,
    InspectionItem,
    TraceEvent,
)

logger = logging.getLogger(__name__)


# --- Writing ----------------------------------------------------------------------------------------
def _records_of(batch: Batch, *, inspections=None, certificate=..., inputs=None) -> dict:
    if inputs is None:
        inputs = list(BatchInput.objects.filter(output_id=batch.pk))
    if inspections is None:
        inspections = list(
            Inspection.objects.filter(batch_id=batch.pk).prefetch_related(
                Prefetch("items", queryset=InspectionItem.objects.order_by("pk"))
            )
        )
    if certificate is ...:
        certificate = ComplianceCertificate.objects.filter(batch_id=batch.pk).first()
    return chain.record_content(
        batch,
        inputs=inputs,
        inspections=[(inspection, list(inspection.items.all())) for inspection in inspections],
        certificate=certificate,
    )


def batch_record_hash(batch: Batch, **loaded) -> str:
    """SHA-256 of the batch's own fields, lineage, inspections and certificate as stored now."""
    return chain.record_hash(_records_of(batch, **loaded))


def _append(*, batch_id: int, event_count: int, head_hash: str, record_hash: str, on_trust=False):
    last = ChainAnchor.objects.filter(batch_id=batch_id).order_by("-pk").first()
    if last is not None and (last.event_count, last.head_hash, last.record_hash) == (
        event_count,
        head_hash,
        record_hash,
    ):
        return last  # nothing changed since
    previous = last.anchor_hash if last is not None else ""
    return ChainAnchor.objects.create(
        batch_id=batch_id,
        event_count=event_count,
        head_hash=head_hash,
        record_hash=record_hash,
        previous_hash=previous,
        on_trust=on_trust,
        anchor_hash=chain.anchor_hash(
            batch_id=batch_id,
            event_count=event_count,
            head_hash=head_hash,
            record_hash=record_hash,
            previous_hash=previous,
            on_trust=on_trust,
        ),
    )


@transaction.atomic
def chain_anchor(batch: Batch) -> ChainAnchor:
    """Anchor the batch's chain head and records as they are now (called by the services after every
    change they make; the caller holds the batch's row lock, so a batch's anchors never fork)."""
    batch = Batch.objects.get(pk=batch.pk)
    last = TraceEvent.objects.filter(batch_id=batch.pk).order_by("-sequence").only("sequence", "content_hash")
    last = last.first()
    return _append(
        batch_id=batch.pk,
        event_count=TraceEvent.objects.filter(batch_id=batch.pk).count(),
        head_hash=last.content_hash if last else "",
        record_hash=batch_record_hash(batch),
    )


def chain_anchor_deleted(batch_id: int) -> ChainAnchor:
    """The last anchor of a draft deleted through ``batch_delete``: its absence is then expected."""
    return _append(batch_id=batch_id, event_count=0, head_hash="", record_hash=chain.DELETED)


# --- Checking ---------------------------------------------------------------------------------------
def _anchors_report(anchors: list[ChainAnchor]) -> str:
    """ "" when the batch's anchors link up and each hash matches its content, else the reason."""
    previous = ""
    for anchor in anchors:
        expected = chain.anchor_hash(
            batch_id=anchor.batch_id,
            event_count=anchor.event_count,
            head_hash=anchor.head_hash,
            record_hash=anchor.record_hash,
            previous_hash=anchor.previous_hash,
            on_trust=anchor.on_trust,
        )
        if anchor.previous_hash != previous or anchor.anchor_hash != expected:
            return str(_("The anchor record of this batch was altered."))
        previous = anchor.anchor_hash
    return ""


def batch_chain_check(
    batch: Batch,
    *,
    events: list[TraceEvent] | None = None,
    anchors: list[ChainAnchor] | None = None,
    **loaded,
) -> ChainReport:
    """The events' own chain, then the newest anchor against the events and the batch's records.

    ``loaded`` may pass the batch's ``inspections`` (items prefetched), ``certificate`` and ``inputs``
    already read (the trace page), so no query is repeated.
    """
    if events is None:
        events = list(TraceEvent.objects.filter(batch_id=batch.pk).order_by("sequence"))
    report = chain_verify(events)
    if not report.ok:
        return report
    count = report.count
    if anchors is None:
        anchors = list(ChainAnchor.objects.filter(batch_id=batch.pk).order_by("pk"))
    if not anchors:
        if batch.status == Batch.Status.DRAFT:
            return report
        return ChainReport(False, count, None, str(_("This batch's records were never anchored.")))
    problem = _anchors_report(anchors)
    if problem:
        return ChainReport(False, count, None, problem)
    anchor = anchors[-1]
    head = events[-1].content_hash if events else ""
    if count < anchor.event_count:
        if count == 0:
            reason = _("All %(n)s events of this batch were deleted.") % {"n": anchor.event_count}
        else:
            reason = _("The newest %(missing)s of %(n)s events were deleted.") % {
                "missing": anchor.event_count - count,
                "n": anchor.event_count,
            }
        return ChainReport(False, count, count + 1, str(reason))
    if count > anchor.event_count:
        return ChainReport(
            False,
            count,
            anchor.event_count + 1,
            str(
                _("Events were added outside the shop's records after event %(n)s.")
                % {"n": anchor.event_count}
            ),
        )
    if head != anchor.head_hash:
        return ChainReport(
            False,
            count,
            1,
            str(_("The chain of events was rewritten: its newest hash is not the one anchored.")),
        )
    if batch_record_hash(batch, **loaded) != anchor.record_hash:
        return ChainReport(
            False,
            count,
            None,
            str(
                _(
                    "The batch's own details, its inspections or its certificate were changed after they "
                    "were recorded."
                )
            ),
        )
    return report


# --- Daily roots and the nightly check --------------------------------------------------------------
def _newest_anchors(until_pk: int | None = None) -> dict[int, ChainAnchor]:
    anchors = ChainAnchor.objects.all()
    if until_pk is not None:
        anchors = anchors.filter(pk__lte=until_pk)
    newest = anchors.values("batch_id").annotate(pk=Max("pk")).values_list("pk", flat=True)
    return {anchor.batch_id: anchor for anchor in ChainAnchor.objects.filter(pk__in=newest)}


@transaction.atomic
def chain_root_record(*, day: datetime.date | None = None) -> ChainRoot:
    """The day's root over the newest anchor of every batch (once a day; a second call returns it)."""
    day = day or timezone.localdate()
    existing = ChainRoot.objects.filter(day=day).first()
    if existing is not None:
        return existing
    previous = ChainRoot.objects.filter(day__lt=day).order_by("-day").first()
    last_pk = ChainAnchor.objects.aggregate(pk=Max("pk"))["pk"] or 0
    heads = _newest_anchors(last_pk)
    previous_hash = previous.root_hash if previous else ""
    return ChainRoot.objects.create(
        day=day,
        batch_count=len(heads),
        last_anchor_id=last_pk,
        previous_hash=previous_hash,
        root_hash=chain.root_hash(
            previous_hash=previous_hash, heads=[(pk, anchor.anchor_hash) for pk, anchor in heads.items()]
        ),
    )


def roots_problems() -> list[str]:
    """Reasons the daily roots do not verify (a root altered, removed, or the anchors under it changed)."""
    problems = []
    previous = ""
    for root in ChainRoot.objects.order_by("day"):
        heads = _newest_anchors(root.last_anchor_id)
        expected = chain.root_hash(
            previous_hash=previous, heads=[(pk, anchor.anchor_hash) for pk, anchor in heads.items()]
        )
        if root.previous_hash != previous or root.root_hash != expected:
            problems.append(
                str(
                    _("The daily root of %(day)s does not match the anchors.") % {"day": root.day.isoformat()}
                )
            )
        previous = root.root_hash
    return problems


def chains_verify(*, day: datetime.date | None = None) -> dict:
    """The nightly check: every batch's chain against its anchors, every daily root; then the day's root.

    A finding alerts the food-safety staff through the outbox (once per day and set of findings).
    Returns ``{"checked": n, "broken": [{"batch_id", "lot_code", "reason"}], "roots": [...]}``.
    """
    day = day or timezone.localdate()
    broken = []
    checked = 0
    anchored_ids = set(ChainAnchor.objects.values_list("batch_id", flat=True).distinct())
    batches = Batch.objects.exclude(status=Batch.Status.DRAFT) | Batch.objects.filter(pk__in=anchored_ids)
    seen = set()
    for batch in batches.order_by("pk").iterator(chunk_size=500):
        seen.add(batch.pk)
        checked += 1
        report = batch_chain_check(batch)
        if not report.ok:
            broken.append({"batch_id": batch.pk, "lot_code": batch.lot_code, "reason": report.reason})
    for batch_id in sorted(anchored_ids - seen):
        newest = ChainAnchor.objects.filter(batch_id=batch_id).order_by("-pk").first()
        if newest.record_hash != chain.DELETED:
            checked += 1
            broken.append(
                {"batch_id": batch_id, "lot_code": "", "reason": str(_("The batch itself was deleted."))}
            )
    roots = roots_problems()
    result = {"checked": checked, "broken": broken, "roots": roots}
    with transaction.atomic():
        if broken or roots:
            chain_alert_record(day=day, broken=broken, roots=roots)
        chain_root_record(day=day)
    if broken or roots:
        logger.warning("chains_verify: %s broken, %s root problems", len(broken), len(roots))
    return result


def chain_alert_record(*, day: datetime.date, broken: list[dict], roots: list[str]) -> None:
    from core.outbox import outbox_add

    digest = hashlib.sha256(repr((broken, roots)).encode()).hexdigest()[:16]
    outbox_add(
        kind="traceability.chain_alert",
        payload={"day": day.isoformat(), "broken": broken[:200], "count": len(broken), "roots": roots},
        key=f"traceability:chain-alert:{day.isoformat()}:{digest}",
    )


def chain_alert_send(*, day: str, broken: list[dict], count: int, roots: list[str]) -> int:
    """E-mail the food-safety staff what the nightly check found; returns the number of recipients."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation

    from traceability.gates import staff_recipients

    to = staff_recipients()
    if not to:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Trace records changed behind the shop's back: %(count)s batch(es) (%(day)s)") % {
            "count": count,
            "day": day,
        }
        lines = [f"{item['lot_code'] or item['batch_id']}: {item['reason']}" for item in broken]
        body = "\n".join(
            [
                str(
                    _(
                        "The nightly check of the trace records found changes made outside the shop. "
                        "Find out who changed what before trusting these batches' pages."
                    )
                ),
                "",
                *lines,
                *roots,
            ]
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return len(to)


def anchors_for(batch_ids: Iterable[int]) -> dict[int, list[ChainAnchor]]:
    found: dict[int, list[ChainAnchor]] = {}
    for anchor in ChainAnchor.objects.filter(batch_id__in=list(batch_ids)).order_by("pk"):
        found.setdefault(anchor.batch_id, []).append(anchor)
    return found
