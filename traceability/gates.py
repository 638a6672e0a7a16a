"""Food-safety gates: what keeps a batch off sale, checked on every path to sale (issue 11).

``batch_gate_findings(batch)`` lists why a batch may not be sold now ([] when it may):

* a pesticide (farm input) whose pre-harvest interval covers the harvest day;
* a failed inspection;
* a missing compliance certificate where the product class needs one, or one past ``valid_until``;
* a best-before date that has passed;
* a recall;
* and, for a batch made from other batches, the same gates on every input at any depth: an input with
  an interval violation, a failed inspection, on hold or recalled makes the batch fail too.

It is called when a batch would go on sale (``batch_publish``, ``batch_release``), and
``batch_gates_enforce`` is called whenever a record arrives late for a batch that may be on sale (a
farm input, a failed inspection, a certificate, a staff edit in the admin): the batch *and every batch
made from it* that fails a gate goes on hold at once (``hold_kind = gate``), with the reason, and the
cooperative and the food-safety staff are told through the outbox (``traceability.gate_hold``).

Lock order is the shop's: stock records first (primary-key order), then batches (primary-key order).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability import rules
from traceability.models import Batch, BatchInput, ComplianceCertificate, Inspection, Recall

Status = Batch.Status

#: Batches a late record can concern: on sale, or sold out (a cancelled order gives units back to them).
ON_SALE = (Status.PUBLISHED, Status.SOLD_OUT)


@dataclass(frozen=True)
class GateFinding:
    """One reason a batch may not be sold. ``batch_id`` is the batch it was found on (maybe an input)."""

    code: str  # interval, inspection, certificate_missing, certificate_expired, expired, hold, recall
    message: str
    batch_id: int

    def __str__(self) -> str:
        return self.message


def _today() -> datetime.date:
    return timezone.localdate()


def _interval(batch: Batch) -> str:
    from traceability.selectors import farm_inputs_applying

    return rules.interval_violation(
        batch.harvest_date,
        farm_inputs_applying(base_id=batch.base_id, product_id=batch.product_id, until=batch.harvest_date),
    )


def _failed_inspections(batch: Batch) -> list[str]:
    found = []
    for inspection in Inspection.objects.filter(batch_id=batch.pk, passed=False).prefetch_related("items"):
        analytes = "、".join(item.analyte for item in inspection.items.all() if not item.passed)
        found.append(
            _("Inspection %(number)s failed (%(analytes)s): the batch cannot be sold.")
            % {"number": inspection.report_number, "analytes": analytes}
        )
    return found


def _recalled(batch: Batch) -> bool:
    return batch.status == Status.RECALLED or Recall.objects.filter(batches=batch).exists()


def _own_findings(batch: Batch, today: datetime.date) -> list[GateFinding]:
    findings = []
    reason = _interval(batch)
    if reason:
        findings.append(GateFinding("interval", reason, batch.pk))
    for message in _failed_inspections(batch):
        findings.append(GateFinding("inspection", message, batch.pk))
    if rules.product_needs_certificate(batch.product):
        certificate = ComplianceCertificate.objects.filter(batch_id=batch.pk).first()
        if certificate is None:
            findings.append(
                GateFinding(
                    "certificate_missing",
                    _("%(product)s is farm produce: issue its compliance certificate (承诺达标合格证) first.")
                    % {"product": batch.product.get_title()},
                    batch.pk,
                )
            )
        elif certificate.valid_until and certificate.valid_until < today:
            findings.append(
                GateFinding(
                    "certificate_expired",
                    _("The compliance certificate %(number)s expired on %(date)s.")
                    % {"number": certificate.number, "date": certificate.valid_until.isoformat()},
                    batch.pk,
                )
            )
    if batch.best_before < today:
        findings.append(
            GateFinding(
                "expired",
                _("The best-before date %(date)s has passed.") % {"date": batch.best_before},
                batch.pk,
            )
        )
    if _recalled(batch):
        findings.append(GateFinding("recall", _("The batch is recalled."), batch.pk))
    return findings


def _input_findings(source: Batch) -> list[GateFinding]:
    """The gates an input batch must pass (whatever its own sale: it may be consumed, never sold)."""
    prefix = _("Input batch %(lot)s: ") % {"lot": source.lot_code}
    findings = []
    reason = _interval(source)
    if reason:
        findings.append(GateFinding("interval", prefix + reason, source.pk))
    for message in _failed_inspections(source):
        findings.append(GateFinding("inspection", prefix + message, source.pk))
    if source.status == Status.ON_HOLD:
        findings.append(
            GateFinding(
                "hold",
                prefix + _("it is on hold (%(reason)s).") % {"reason": source.status_reason or "-"},
                source.pk,
            )
        )
    if _recalled(source):
        findings.append(GateFinding("recall", prefix + _("it is recalled."), source.pk))
    return findings


def batch_gate_findings(batch: Batch, *, today: datetime.date | None = None) -> list[GateFinding]:
    """Why ``batch`` may not be sold now, its inputs checked recursively ([] when it may be sold)."""
    today = today or _today()
    findings = _own_findings(batch, today)
    seen = {batch.pk}
    frontier = [batch.pk]
    while frontier:
        links = (
            BatchInput.objects.filter(output_id__in=frontier)
            .select_related("input__product", "input__base")
            .order_by("input_id")
        )
        frontier = []
        for link in links:
            if link.input_id in seen:
                continue
            seen.add(link.input_id)
            frontier.append(link.input_id)
            findings.extend(_input_findings(link.input))
    return findings


def batch_descendants(batch: Batch) -> list[int]:
    """Primary keys of every batch made from ``batch``, at any depth (not the batch itself)."""
    seen = {batch.pk}
    frontier = [batch.pk]
    found = []
    while frontier:
        outputs = list(
            BatchInput.objects.filter(input_id__in=frontier).values_list("output_id", flat=True).distinct()
        )
        frontier = [pk for pk in outputs if pk not in seen]
        seen.update(frontier)
        found.extend(frontier)
    return sorted(found)


def gate_reason(findings: list[GateFinding]) -> str:
    return " ".join(str(finding) for finding in findings)


@transaction.atomic
def batch_gates_enforce(batch: Batch, *, by=None) -> list[Batch]:
    """Hold at once ``batch`` and every batch made from it that is on sale and fails a gate.

    Returns the batches put on hold (each with ``hold_kind = gate`` and the reason), after recording
    in the outbox a notice to the cooperative and one to the food-safety staff for each.
    """
    from traceability import services

    candidates = Batch.objects.filter(pk__in=[batch.pk, *batch_descendants(batch)], status__in=ON_SALE)
    failing = {}
    for candidate in candidates.select_related("product__product_class", "product__parent__product_class"):
        findings = batch_gate_findings(candidate)
        if findings:
            failing[candidate.pk] = (candidate, findings)
    if not failing:
        return []
    # Stock records first (primary-key order), then the batches (primary-key order).
    records = {}
    for pk, (candidate, _findings) in failing.items():
        records[pk] = (
            services.batch_stockrecords(candidate).order_by("pk").values_list("pk", flat=True).first()
        )
    locked_records = {
        record.pk: record
        for record in services.StockRecord.objects.filter(pk__in=[r for r in records.values() if r])
        .select_for_update()
        .order_by("pk")
    }
    held = []
    locked = Batch.objects.filter(pk__in=sorted(failing)).select_for_update(of=("self",)).order_by("pk")
    for locked_batch in locked.select_related("base__supplier", "product"):
        if locked_batch.status not in ON_SALE:
            continue  # held, recalled meanwhile
        findings = failing[locked_batch.pk][1]
        reason = gate_reason(findings)
        services._hold(
            locked_batch,
            record=locked_records.get(records[locked_batch.pk]),
            by=by,
            reason=reason,
            kind=Batch.HoldKind.GATE,
            details={
                "gates": [{"code": f.code, "batch": f.batch_id, "message": f.message} for f in findings]
            },
        )
        gate_hold_notify(locked_batch, reason=reason)
        services._forget(locked_batch)
        held.append(locked_batch)
    return held


def gate_hold_notify(batch: Batch, *, reason: str) -> None:
    """Record the notices of a gate hold in the outbox: the cooperative (supplier) and the staff."""
    from core.outbox import outbox_add

    stamp = hashlib.sha256(f"{batch.status_changed_at.isoformat()}|{reason}".encode()).hexdigest()[:16]
    for audience in ("supplier", "staff"):
        outbox_add(
            kind="traceability.gate_hold",
            payload={"batch_id": batch.pk, "reason": reason, "audience": audience},
            key=f"traceability:gate-hold:{batch.pk}:{stamp}:{audience}",
        )


def staff_recipients() -> list[str]:
    """E-mail addresses of the active food-safety staff (staff allowed to recall batches)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    User = get_user_model()
    users = User.objects.filter(is_active=True, is_staff=True).exclude(email="")
    users = users.filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename="add_recall", user_permissions__content_type__app_label="traceability")
        | Q(
            groups__permissions__codename="add_recall",
            groups__permissions__content_type__app_label="traceability",
        )
    )
    return sorted(set(users.values_list("email", flat=True)))


def gate_hold_send(*, batch_id: int, reason: str, audience: str) -> int:
    """E-mail one gate-hold notice; returns the number of recipients (0: nobody to tell)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.utils import translation

    batch = Batch.objects.select_related("product", "base__supplier").filter(pk=batch_id).first()
    if batch is None:
        return 0
    to = [batch.base.supplier.email] if audience == "supplier" else staff_recipients()
    to = [address for address in to if address]
    if not to:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Batch %(lot)s of %(product)s is on hold: a food-safety check failed") % {
            "lot": batch.lot_code,
            "product": batch.product.get_title(),
        }
        body = _(
            "Batch %(lot)s of %(product)s (%(supplier)s) was taken off sale at once.\n\n"
            "Reason: %(reason)s\n\n"
            "It stays off sale until the cause is cleared and the batch is released in the portal."
        ) % {
            "lot": batch.lot_code,
            "product": batch.product.get_title(),
            "supplier": batch.base.supplier.legal_name,
            "reason": reason,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return len(to)
