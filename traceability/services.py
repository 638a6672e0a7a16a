"""Writes: batches and their lineage, trace events, farm inputs, inspections, certificates, publishing,
holds, and API tokens. Keyword-only, validated, atomic.

Stock invariant (the allocation of order lines to batches relies on it): for a product sold through
batches, the net stock of the product's stock record at the batch supplier's partner
(``num_in_stock - num_allocated``) equals the sum of ``quantity_remaining`` over that product's
*published* batches from that supplier's bases. Publishing adds a batch's quantity to the stock record,
holding subtracts what remains of it, releasing adds it back; placing an order allocates units in the
stock record and takes them off batches in the same transaction, cancelling gives both back.

Lock order, everywhere: the ``StockRecord`` row first, then ``Batch`` rows in primary-key order. Oscar's
order placement locks stock records and then the allocation locks batches; following the same order
here means a publish, hold or release running beside a checkout waits, and never deadlocks.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from suppliers.models import ProductionBase, Supplier
from suppliers.validators import validate_pdf_upload
from traceability import anchors, gates, rules
from traceability.chain import event_hash
from traceability.models import (
    ApiToken,
    Batch,
    BatchInput,
    BatchUnit,
    BizStep,
    ComplianceCertificate,
    Disposition,
    EventAction,
    EventType,
    FarmInput,
    Inspection,
    InspectionItem,
    TraceEvent,
)
from traceability.selectors import farm_inputs_applying, trace_page_forget

logger = logging.getLogger(__name__)

StockRecord = get_model("partner", "StockRecord")

Status = Batch.Status

#: A clock a few minutes ahead on a phone should not make an event "in the future".
CLOCK_SKEW = datetime.timedelta(minutes=10)

#: For each business step: the EPCIS event type, action and disposition it is recorded with unless told.
EVENT_DEFAULTS: dict[str, tuple[str, str, str]] = {
    BizStep.COMMISSIONING: (EventType.OBJECT, EventAction.ADD, Disposition.ACTIVE),
    BizStep.PACKING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_PROGRESS),
    BizStep.STORING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.SELLABLE_NOT_ACCESSIBLE),
    BizStep.SHIPPING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_TRANSIT),
    BizStep.TRANSPORTING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_TRANSIT),
    BizStep.RECEIVING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_PROGRESS),
    BizStep.SAMPLING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_PROGRESS),
    BizStep.INSPECTING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.CONFORMANT),
    BizStep.HOLDING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.SELLABLE_NOT_ACCESSIBLE),
    BizStep.STOCKING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.SELLABLE_ACCESSIBLE),
    BizStep.REPACKAGING: (EventType.OBJECT, EventAction.OBSERVE, Disposition.IN_PROGRESS),
    BizStep.DESTROYING: (EventType.OBJECT, EventAction.DELETE, Disposition.DESTROYED),
    BizStep.OTHER: (EventType.OBJECT, EventAction.OBSERVE, ""),
}


# --- Helpers ------------------------------------------------------------------------------------------
def _today() -> datetime.date:
    return timezone.localdate()


def _forget(batch: Batch) -> None:
    """Drop the batch's cached trace page now and again after commit (a reader may refill it before)."""
    trace_page_forget(batch)
    transaction.on_commit(lambda: trace_page_forget(batch))


def _json_safe(details: dict | None) -> dict:
    """Details as they come back from the database (dates as strings, decimals as strings), so an event
    hashes the same before and after it is stored."""
    return json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def _is_draft(batch: Batch) -> bool:
    return batch.status == Status.DRAFT


def _lock_batch(batch_id: int, *related: str) -> Batch:
    """The batch row locked for the transaction; rows joined by ``related`` are read, not locked."""
    return Batch.objects.select_for_update(of=("self",)).select_related(*related).get(pk=batch_id)


def _require_draft(batch: Batch, message: str) -> None:
    if not _is_draft(batch):
        raise ValidationError(message, code="not_draft")


def _local_datetime(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon (or ``hour``) of ``day`` in Shiyan, the time given to events known only by their date;
    never later than now (a batch harvested this morning is published before noon)."""
    return min(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), timezone.now())


# --- Batches ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputSpec:
    """``quantity`` ``unit`` of ``batch`` went into a new batch."""

    batch: Batch
    quantity: Decimal
    unit: str


def batch_dates_errors(
    *,
    harvest_date: datetime.date | None,
    packing_date: datetime.date | None,
    best_before: datetime.date | None,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Field → message for dates that cannot be right (shared by the form, the API and the import)."""
    today = today or _today()
    errors = {}
    if harvest_date and harvest_date > today:
        errors["harvest_date"] = _("The harvest date %(date)s is in the future.") % {"date": harvest_date}
    if packing_date and packing_date > today:
        errors["packing_date"] = _("The packing date %(date)s is in the future.") % {"date": packing_date}
    if harvest_date and packing_date and packing_date < harvest_date:
        errors["packing_date"] = _("The packing date cannot be before the harvest date.")
    if harvest_date and best_before and best_before < harvest_date:
        errors["best_before"] = _("The best-before date cannot be before the harvest date.")
    return errors


def event_facts_errors(
    *, batch: Batch, event_time: datetime.datetime | None = None, quantity: Decimal | None = None
) -> dict[str, str]:
    """Field → message for an event that cannot be right for ``batch`` (shared by the form and the
    services): nothing happens to a batch before it was harvested or made, and no event counts more
    than the batch holds."""
    errors = {}
    if event_time is not None and batch.harvest_date:
        when = timezone.make_aware(event_time) if timezone.is_naive(event_time) else event_time
        if timezone.localdate(when) < batch.harvest_date:
            errors["event_time"] = _(
                "The event on %(date)s is before the batch was harvested or made (%(harvest)s)."
            ) % {"date": timezone.localdate(when).isoformat(), "harvest": batch.harvest_date.isoformat()}
    if quantity is not None:
        if Decimal(quantity) <= 0:
            errors["quantity"] = _("The quantity must be more than zero.")
        elif batch.quantity and Decimal(quantity) > batch.quantity:
            errors["quantity"] = _(
                "The quantity %(quantity)s is more than the batch holds (%(batch)s %(unit)s)."
            ) % {
                "quantity": quantity,
                "batch": batch.quantity,
                "unit": batch.get_unit_display(),
            }
    return errors


def sampling_date_errors(*, batch: Batch, sampling_date: datetime.date | None) -> dict[str, str]:
    """A sample cannot be taken from a batch before it was harvested or made."""
    if sampling_date and batch.harvest_date and sampling_date < batch.harvest_date:
        return {
            "sampling_date": _(
                "The sample cannot be taken before the batch was harvested or made (%(date)s)."
            )
            % {"date": batch.harvest_date.isoformat()}
        }
    return {}


def _check_interval(*, base: ProductionBase, product, harvest_date: datetime.date, field="harvest_date"):
    reason = rules.interval_violation(
        harvest_date, farm_inputs_applying(base_id=base.pk, product_id=product.pk, until=harvest_date)
    )
    if reason:
        raise ValidationError({field: reason}, code="pre_harvest_interval")


def _check_inputs(*, supplier: Supplier, inputs: Iterable[InputSpec], output: Batch | None = None) -> list:
    inputs = list(inputs)
    errors = []
    seen = set()
    for spec in inputs:
        source = spec.batch
        if source.base.supplier_id != supplier.pk:
            errors.append(_("Batch %(lot)s is not one of yours.") % {"lot": source.lot_code})
        elif source.status == Status.RECALLED:
            errors.append(_("Batch %(lot)s is recalled and cannot be used.") % {"lot": source.lot_code})
        if output is not None and source.pk == output.pk:
            errors.append(_("A batch cannot be made from itself."))
        if source.pk in seen:
            errors.append(_("Batch %(lot)s is listed twice.") % {"lot": source.lot_code})
        seen.add(source.pk)
        if spec.quantity is None or Decimal(spec.quantity) <= 0:
            errors.append(
                _("The quantity used of batch %(lot)s must be more than zero.") % {"lot": source.lot_code}
            )
        elif spec.unit == source.unit and Decimal(spec.quantity) > source.quantity:
            errors.append(
                _("Batch %(lot)s holds only %(quantity)s %(unit)s: more cannot have been used.")
                % {"lot": source.lot_code, "quantity": source.quantity, "unit": source.get_unit_display()}
            )
        if spec.unit not in BatchUnit.values:
            errors.append(_("Unknown unit “%(unit)s”.") % {"unit": spec.unit})
    if errors:
        raise ValidationError({"inputs": errors})
    return inputs


@transaction.atomic
def batch_create(
    *,
    product,
    base: ProductionBase,
    harvest_date: datetime.date,
    best_before: datetime.date,
    quantity: int,
    unit: str = BatchUnit.PIECE,
    lot_code: str = "",
    packing_date: datetime.date | None = None,
    notes: str = "",
    inputs: Iterable[InputSpec] = (),
    created_by=None,
) -> Batch:
    """Record a draft batch of ``product`` from ``base``, made from ``inputs`` when given.

    A lot code is generated from the harvest day when none is given (``260315-01``). Refused: dates in
    the future or out of order, a quantity of zero, a lot code already used for the product, and a
    harvest inside the pre-harvest interval of a pesticide applied on the base.
    """
    errors = batch_dates_errors(harvest_date=harvest_date, packing_date=packing_date, best_before=best_before)
    if quantity is None or quantity <= 0:
        errors["quantity"] = _("The quantity must be more than zero.")
    lot_code = (lot_code or "").strip()
    if lot_code and Batch.objects.filter(product=product, lot_code=lot_code).exists():
        errors["lot_code"] = _("Lot code %(lot)s is already used for this product.") % {"lot": lot_code}
    if errors:
        raise ValidationError(errors)
    _check_interval(base=base, product=product, harvest_date=harvest_date)
    inputs = _check_inputs(supplier=base.supplier, inputs=inputs)

    generated = not lot_code
    for _attempt in range(5):
        if generated:
            stem = harvest_date.strftime("%y%m%d")
            taken = Batch.objects.filter(product=product, lot_code__startswith=stem).values_list(
                "lot_code", flat=True
            )
            lot_code = rules.lot_code_for(harvest_date, taken)
        batch = Batch(
            product=product,
            base=base,
            lot_code=lot_code,
            harvest_date=harvest_date,
            packing_date=packing_date,
            best_before=best_before,
            quantity=quantity,
            unit=unit,
            quantity_remaining=quantity,
            notes=notes,
            created_by=created_by,
            status=Status.DRAFT,
        )
        batch.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                batch.save()
            break
        except IntegrityError:
            if not generated:  # someone took this very lot code a moment ago
                raise ValidationError(
                    {"lot_code": _("Lot code %(lot)s is already used for this product.") % {"lot": lot_code}}
                )
    else:  # pragma: no cover - five concurrent creations for one product and day
        raise ValidationError({"lot_code": _("No free lot code was found: please enter one.")})
    for spec in inputs:
        BatchInput.objects.create(output=batch, input=spec.batch, quantity=spec.quantity, unit=spec.unit)
    anchors.chain_anchor(batch)
    return batch


BATCH_EDITABLE_FIELDS = (
    "base",
    "lot_code",
    "harvest_date",
    "packing_date",
    "best_before",
    "quantity",
    "unit",
    "notes",
)


@transaction.atomic
def batch_update(*, batch: Batch, **fields) -> Batch:
    """Change a draft batch (a published one is corrected by events, not edited)."""
    unknown = set(fields) - set(BATCH_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    batch = _lock_batch(batch.pk, "base__supplier")
    _require_draft(batch, _("Only a draft batch can be edited; record an event to correct a published one."))
    for name, value in fields.items():
        setattr(batch, name, value)
    errors = batch_dates_errors(
        harvest_date=batch.harvest_date, packing_date=batch.packing_date, best_before=batch.best_before
    )
    if not batch.quantity or batch.quantity <= 0:
        errors["quantity"] = _("The quantity must be more than zero.")
    if (
        batch.lot_code
        and Batch.objects.filter(product_id=batch.product_id, lot_code=batch.lot_code)
        .exclude(pk=batch.pk)
        .exists()
    ):
        errors["lot_code"] = _("Lot code %(lot)s is already used for this product.") % {"lot": batch.lot_code}
    if errors:
        raise ValidationError(errors)
    if "base" in fields and batch.base.supplier_id != Batch.objects.get(pk=batch.pk).base.supplier_id:
        raise ValidationError({"base": _("The base belongs to another supplier.")})
    _check_interval(base=batch.base, product=batch.product, harvest_date=batch.harvest_date)
    batch.quantity_remaining = batch.quantity
    batch.full_clean(validate_unique=False)
    batch.save()
    anchors.chain_anchor(batch)
    _forget(batch)
    return batch


@transaction.atomic
def batch_delete(*, batch: Batch) -> None:
    """Delete a draft batch with its events, inspections and certificate (nothing was ever sold)."""
    batch = _lock_batch(batch.pk)
    _require_draft(batch, _("Only a draft batch can be deleted."))
    if batch.outputs.exists():
        raise ValidationError(_("Other batches were made from this one: it cannot be deleted."))
    ComplianceCertificate.objects.filter(batch=batch).delete()
    TraceEvent.objects.filter(batch=batch).delete()
    for inspection in batch.inspections.all():
        if inspection.report_file:
            inspection.report_file.delete(save=False)
    InspectionItem.objects.filter(inspection__batch=batch).delete()
    Inspection.objects.filter(batch=batch).delete()
    batch_id = batch.pk
    batch.delete()
    anchors.chain_anchor_deleted(batch_id)  # its anchors stay: the deletion is expected, not silent


# --- Trace events -------------------------------------------------------------------------------------
def _event_where(batch: Batch, base: ProductionBase | None, place: str) -> None:
    if base is not None and base.supplier_id != batch.base.supplier_id:
        raise ValidationError({"base": _("The base belongs to another supplier.")})
    if base is None and not (place or "").strip():
        raise ValidationError({"place": _("Say where it happened: a base or a place.")})


@transaction.atomic
def trace_event_record(
    *,
    batch: Batch,
    biz_step: str,
    event_time: datetime.datetime,
    event_type: str = "",
    action: str | None = None,
    disposition: str | None = None,
    base: ProductionBase | None = None,
    place: str = "",
    actor: str = "",
    recorded_by=None,
    quantity: Decimal | None = None,
    parent_id: str = "",
    details: dict | None = None,
    inspection: Inspection | None = None,
    corrects: TraceEvent | None = None,
    date_only: bool = False,
) -> TraceEvent:
    """Append an EPCIS event to the batch's hash chain (the batch row is locked while it is linked).

    Type, action and disposition default from the business step (``EVENT_DEFAULTS``). A harvest
    (``commissioning``) inside a pesticide's pre-harvest interval is refused with the reason.
    """
    if biz_step not in BizStep.values:
        raise ValidationError({"biz_step": _("Unknown business step “%(step)s”.") % {"step": biz_step}})
    default_type, default_action, default_disposition = EVENT_DEFAULTS[biz_step]
    event_type = event_type or (EventType.AGGREGATION if parent_id else default_type)
    if action is None:
        action = (
            ""
            if event_type == EventType.TRANSFORMATION
            else (EventAction.ADD if event_type == EventType.AGGREGATION else default_action)
        )
    disposition = default_disposition if disposition is None else disposition
    if event_time is None:
        raise ValidationError({"event_time": _("Say when it happened.")})
    if timezone.is_naive(event_time):
        event_time = timezone.make_aware(event_time)
    if event_time > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"event_time": _("The event time is in the future.")})

    batch = _lock_batch(batch.pk, "base__supplier")
    _event_where(batch, base, place)
    errors = event_facts_errors(batch=batch, event_time=event_time, quantity=quantity)
    if errors:
        raise ValidationError(errors)
    if biz_step == BizStep.COMMISSIONING:
        _check_interval(
            base=base or batch.base,
            product=batch.product,
            harvest_date=timezone.localdate(event_time),
            field="event_time",
        )
    if inspection is not None and inspection.batch_id != batch.pk:
        raise ValidationError({"inspection": _("The inspection is of another batch.")})
    if corrects is not None and corrects.batch_id != batch.pk:
        raise ValidationError({"corrects": _("The corrected event is of another batch.")})

    last = (
        TraceEvent.objects.filter(batch=batch).order_by("-sequence").only("sequence", "content_hash").first()
    )
    event = TraceEvent(
        batch=batch,
        sequence=(last.sequence + 1) if last else 1,
        previous_hash=last.content_hash if last else "",
        event_type=event_type,
        action=action,
        biz_step=biz_step,
        disposition=disposition,
        event_time=event_time,
        date_only=date_only,
        record_time=timezone.now(),
        base=base,
        place=(place or "").strip(),
        actor=(actor or "").strip(),
        recorded_by=recorded_by,
        quantity=quantity,
        parent_id=parent_id,
        details=_json_safe(details),
        inspection=inspection,
        corrects=corrects,
    )
    event.content_hash = event_hash(event)
    event.full_clean(validate_unique=False, validate_constraints=False)
    event.save()
    anchors.chain_anchor(batch)
    _forget(batch)
    return event


@transaction.atomic
def trace_event_correct(*, event: TraceEvent, reason: str, recorded_by=None, **changes) -> TraceEvent:
    """Correct a recorded event with a new one: same facts except ``changes``, pointing back at it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what was wrong with the event.")})
    allowed = {"event_time", "disposition", "base", "place", "actor", "quantity", "details", "biz_step"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"cannot correct: {sorted(unknown)}")
    fields = {
        "biz_step": event.biz_step,
        "event_type": event.event_type,
        "action": event.action,
        "disposition": event.disposition,
        "event_time": event.event_time,
        "date_only": event.date_only,
        "base": event.base,
        "place": event.place,
        "actor": event.actor,
        "quantity": event.quantity,
        "parent_id": event.parent_id,
        "details": dict(event.details),
        "inspection": event.inspection,
    }
    fields.update(changes)
    fields["details"] = {**(fields["details"] or {}), "correction_reason": reason.strip()}
    return trace_event_record(batch=event.batch, corrects=event, recorded_by=recorded_by, **fields)


def _rechain(batch: Batch, start: int = 1) -> None:
    """Renumber and rehash a draft batch's events from ``start`` on (after an edit or a deletion)."""
    events = list(TraceEvent.objects.filter(batch=batch).order_by("sequence"))
    previous = ""
    for number, event in enumerate(events, start=1):
        if number >= start or event.sequence != number:
            event.sequence = number
            event.previous_hash = previous
            event.content_hash = event_hash(event)
            TraceEvent.objects.filter(pk=event.pk).update(
                sequence=event.sequence, previous_hash=event.previous_hash, content_hash=event.content_hash
            )
        previous = event.content_hash
    anchors.chain_anchor(batch)


@transaction.atomic
def trace_event_update(*, event: TraceEvent, **fields) -> TraceEvent:
    """Change an event of a *draft* batch (the chain is rehashed); published events never change."""
    batch = _lock_batch(event.batch_id, "base__supplier")
    _require_draft(batch, _("Events of a published batch cannot be changed: record a correction instead."))
    allowed = {"event_time", "disposition", "base", "place", "actor", "quantity", "details", "date_only"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    event = TraceEvent.objects.get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, _json_safe(value) if name == "details" else value)
    _event_where(batch, event.base, event.place)
    event.full_clean(validate_unique=False, validate_constraints=False)
    event.save()
    _rechain(batch, event.sequence)
    _forget(batch)
    return TraceEvent.objects.get(pk=event.pk)


@transaction.atomic
def trace_event_delete(*, event: TraceEvent) -> None:
    batch = _lock_batch(event.batch_id)
    _require_draft(batch, _("Events of a published batch cannot be deleted: record a correction instead."))
    sequence = event.sequence
    TraceEvent.objects.filter(pk=event.pk).delete()
    _rechain(batch, sequence)
    _forget(batch)


# --- Farm inputs -------------------------------------------------------------------------------------
@transaction.atomic
def farm_input_record(
    *,
    base: ProductionBase,
    kind: str,
    name: str,
    dose: str,
    applied_on: datetime.date,
    pre_harvest_interval_days: int = 0,
    product=None,
    plot: str = "",
    recorded_by=None,
) -> FarmInput:
    """Record a fertiliser or pesticide application on a base; later harvests are checked against it."""
    errors = {}
    if applied_on and applied_on > _today():
        errors["applied_on"] = _("The date %(date)s is in the future.") % {"date": applied_on}
    if kind == FarmInput.Kind.PESTICIDE and pre_harvest_interval_days is None:
        errors["pre_harvest_interval_days"] = _("Enter the pesticide's pre-harvest interval (on its label).")
    if errors:
        raise ValidationError(errors)
    farm_input = FarmInput(
        base=base,
        product=product,
        kind=kind,
        name=(name or "").strip(),
        dose=(dose or "").strip(),
        applied_on=applied_on,
        pre_harvest_interval_days=pre_harvest_interval_days or 0,
        plot=(plot or "").strip(),
        recorded_by=recorded_by,
    )
    farm_input.full_clean()
    farm_input.save()
    farm_input_gates_enforce(farm_input=farm_input, by=recorded_by)
    return farm_input


def farm_input_batches(farm_input: FarmInput):
    """Batches of the base (and the crop, when one is named) harvested inside the input's interval."""
    batches = Batch.objects.filter(
        base_id=farm_input.base_id,
        harvest_date__gte=farm_input.applied_on,
        harvest_date__lt=farm_input.harvest_allowed_from,
    ).exclude(status=Status.DRAFT)
    if farm_input.product_id:
        batches = batches.filter(product_id=farm_input.product_id)
    return batches.order_by("pk")


@transaction.atomic
def farm_input_gates_enforce(*, farm_input: FarmInput, by=None) -> list[Batch]:
    """A farm input recorded (or corrected) late: every batch on sale whose harvest its pre-harvest
    interval covers, and every batch made from one, goes on hold at once (``gates.batch_gates_enforce``).
    """
    held = []
    if not farm_input.pre_harvest_interval_days:
        return held
    for batch in farm_input_batches(farm_input):
        held.extend(gates.batch_gates_enforce(batch, by=by))
    return held


# --- Inspections --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemSpec:
    analyte: str
    result: Decimal | None
    limit: Decimal | None
    unit: str = "mg/kg"
    method: str = ""
    passed: bool | None = None  # needed only when there is no numeric limit to compare with


def _item(spec: ItemSpec, number: int) -> InspectionItem:
    label = spec.analyte or _("item %(n)s") % {"n": number}
    if not (spec.analyte or "").strip():
        raise ValidationError({"items": _("Item %(n)s: name the analyte.") % {"n": number}})
    if spec.result is not None and spec.result < 0:
        raise ValidationError({"items": _("%(analyte)s: a result cannot be negative.") % {"analyte": label}})
    if spec.result is None:
        computed = True  # not detected
    elif spec.limit is not None:
        computed = spec.result <= spec.limit
    else:
        if spec.passed is None:
            raise ValidationError(
                {"items": _("%(analyte)s: without a limit, say whether it passed.") % {"analyte": label}}
            )
        computed = spec.passed
    if spec.passed is not None and spec.passed != computed:
        raise ValidationError(
            {
                "items": _("%(analyte)s: %(result)s against a limit of %(limit)s cannot be “%(verdict)s”.")
                % {
                    "analyte": label,
                    "result": spec.result if spec.result is not None else _("not detected"),
                    "limit": spec.limit,
                    "verdict": _("passed") if spec.passed else _("failed"),
                }
            }
        )
    return InspectionItem(
        analyte=spec.analyte.strip(),
        result=spec.result,
        limit=spec.limit,
        unit=(spec.unit or "mg/kg").strip(),
        method=(spec.method or "").strip(),
        passed=computed,
    )


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    if hasattr(upload, "seek"):
        upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return digest.hexdigest()


def batch_has_failed_inspection(batch: Batch) -> bool:
    return Inspection.objects.filter(batch=batch, passed=False).exists()


@transaction.atomic
def inspection_record(
    *,
    batch: Batch,
    laboratory: str,
    report_number: str,
    sampling_date: datetime.date,
    items: Iterable[ItemSpec],
    report_date: datetime.date | None = None,
    conclusion: str = "",
    report_file=None,
    created_by=None,
) -> Inspection:
    """Record a lab report with its items, and an ``inspecting`` event in the chain.

    Pass or fail follows from the items (a result above its limit fails). A failed inspection keeps
    the batch off sale: a draft cannot be published, and a published batch goes on hold at once.
    """
    items = list(items)
    errors = {}
    if not items:
        errors["items"] = _("Enter at least one tested item.")
    if sampling_date and sampling_date > _today():
        errors["sampling_date"] = _("The sampling date %(date)s is in the future.") % {"date": sampling_date}
    if report_date and sampling_date and report_date < sampling_date:
        errors["report_date"] = _("The report date cannot be before the sampling date.")
    if report_date and report_date > _today():
        errors["report_date"] = _("The report date %(date)s is in the future.") % {"date": report_date}
    errors.update(sampling_date_errors(batch=batch, sampling_date=sampling_date))
    laboratory, report_number = (laboratory or "").strip(), (report_number or "").strip()
    if Inspection.objects.filter(laboratory=laboratory, report_number=report_number).exists():
        errors["report_number"] = _("Report %(number)s of %(lab)s is already recorded.") % {
            "number": report_number,
            "lab": laboratory,
        }
    if report_file:
        try:
            validate_pdf_upload(report_file)
        except ValidationError as error:
            errors["report_file"] = error.messages
    if errors:
        raise ValidationError(errors)
    built = [_item(spec, number) for number, spec in enumerate(items, start=1)]
    passed = all(item.passed for item in built)

    # A failure may put the batch on hold, which changes stock: lock in the stock-first order.
    if not passed:
        _lock_stockrecord(batch)
    batch = _lock_batch(batch.pk, "base__supplier")
    inspection = Inspection(
        batch=batch,
        laboratory=laboratory,
        report_number=report_number,
        sampling_date=sampling_date,
        report_date=report_date,
        passed=passed,
        conclusion=(conclusion or "").strip(),
        created_by=created_by,
    )
    if report_file:
        inspection.report_sha256 = file_sha256(report_file)
        inspection.report_file = report_file
    inspection.full_clean(validate_unique=False, validate_constraints=False)
    inspection.save()
    for item in built:
        item.inspection = inspection
    InspectionItem.objects.bulk_create(built)
    failed = [item.analyte for item in built if not item.passed]
    trace_event_record(
        batch=batch,
        biz_step=BizStep.INSPECTING,
        disposition=Disposition.CONFORMANT if passed else Disposition.NON_CONFORMANT,
        event_time=_local_datetime(report_date or sampling_date),
        date_only=True,
        place=laboratory,
        actor=laboratory,
        recorded_by=created_by,
        inspection=inspection,
        details={"report_number": report_number, "failed": failed},
    )
    if not passed:
        # A late failure holds the batch (if on sale) and every batch made from it, and tells people.
        gates.batch_gates_enforce(batch, by=created_by)
    _forget(batch)
    return inspection


# --- Compliance certificates ------------------------------------------------------------------------
def _origin_of(base: ProductionBase) -> str:
    return f"湖北省十堰市{base.get_county_display()}{base.township}"


@transaction.atomic
def certificate_issue(
    *,
    batch: Batch,
    issuer: str,
    contact: str,
    basis: str,
    inspection: Inspection | None = None,
    origin: str = "",
    product_name: str = "",
    quantity: Decimal | None = None,
    unit: str = "",
    issued_at: datetime.datetime | None = None,
    promise: str = "",
    valid_until: datetime.date | None = None,
    created_by=None,
) -> ComplianceCertificate:
    """Issue (or, while the batch is a draft, re-issue) the batch's 承诺达标合格证.

    A laboratory-test basis must point at a passed inspection of this batch. Defaults come from the
    batch: product title, quantity and unit, and the base's county and township as the origin.
    """
    batch = _lock_batch(batch.pk, "product", "base__supplier")
    existing = ComplianceCertificate.objects.filter(batch=batch).first()
    if existing is not None and not _is_draft(batch):
        raise ValidationError(_("The certificate of a published batch cannot be replaced."))
    if batch.status == Status.RECALLED:
        raise ValidationError(_("A recalled batch gets no certificate."))
    errors = {}
    if basis not in ComplianceCertificate.Basis.values:
        errors["basis"] = _("Choose the basis of the promise.")
    if basis == ComplianceCertificate.Basis.LAB_TEST and inspection is None:
        errors["inspection"] = _("A laboratory-test basis needs the inspection report it rests on.")
    if inspection is not None:
        if inspection.batch_id != batch.pk:
            errors["inspection"] = _("The inspection is of another batch.")
        elif not inspection.passed:
            errors["inspection"] = _("A failed inspection cannot support the promise.")
    issued_at = issued_at or timezone.now()
    if valid_until and valid_until < timezone.localdate(issued_at):
        errors["valid_until"] = _("The certificate cannot expire before it is issued.")
    if errors:
        raise ValidationError(errors)
    certificate = existing or ComplianceCertificate(batch=batch)
    certificate.number = certificate.number or f"HGZ{timezone.localtime(issued_at):%Y%m%d}{batch.pk:07d}"
    certificate.product_name = (product_name or batch.product.get_title()).strip()
    certificate.quantity = quantity if quantity is not None else Decimal(batch.quantity)
    certificate.unit = unit or batch.unit
    certificate.origin = (origin or _origin_of(batch.base)).strip()
    certificate.issued_at = issued_at
    certificate.issuer = (issuer or "").strip()
    certificate.contact = (contact or "").strip()
    certificate.promise = (promise or rules.CERTIFICATE_PROMISE).strip()
    certificate.basis = basis
    certificate.inspection = inspection
    certificate.valid_until = valid_until
    certificate.created_by = created_by
    certificate.full_clean(validate_unique=False, validate_constraints=False)
    certificate.save()
    anchors.chain_anchor(batch)
    gates.batch_gates_enforce(batch, by=created_by)
    _forget(batch)
    return certificate


# --- Publishing and stock ------------------------------------------------------------------------
def batch_stockrecords(batch: Batch):
    """The stock record(s) a batch sells through: its product at its supplier's partner."""
    return StockRecord.objects.filter(partner__supplier__bases=batch.base_id, product_id=batch.product_id)


def _lock_stockrecord(batch: Batch):
    """Lock the stock record a batch sells through (the first lock in the lock order), or None."""
    pk = batch_stockrecords(batch).order_by("pk").values_list("pk", flat=True).first()
    if pk is None:
        return None
    return StockRecord.objects.select_for_update().get(pk=pk)


def _stockrecord_create(*, partner, product, price: Decimal):
    """The product's first stock record at the partner, locked; one created by a racing publish is reused."""
    sku = f"{partner.code[:40]}-{product.pk}"
    try:
        with transaction.atomic():
            StockRecord.objects.create(
                partner=partner,
                product=product,
                partner_sku=sku,
                price=price,
                price_currency="CNY",
                num_in_stock=0,
                num_allocated=0,
            )
    except IntegrityError:
        pass  # created a moment ago by another publish of this product: lock that one
    return StockRecord.objects.select_for_update().get(partner=partner, partner_sku=sku)


def publish_problems(batch: Batch) -> list[str]:
    """Why this batch cannot go on sale now ([] when it can). Also shown in the portal before publishing."""
    problems = []
    supplier = batch.base.supplier
    if supplier.status != Supplier.Status.APPROVED or supplier.partner_id is None:
        problems.append(_("Your supplier account is not approved for selling."))
    if batch.status != Status.DRAFT:
        problems.append(_("The batch is already %(status)s.") % {"status": batch.get_status_display()})
    # The food-safety gates (traceability.gates): interval, inspections, certificate, best-before,
    # recall, and the same on every input batch at any depth.
    problems.extend(str(finding) for finding in gates.batch_gate_findings(batch))
    return problems


def _mint_trace_code() -> str:
    for _attempt in range(10):
        code = rules.trace_code_new()
        if not Batch.objects.filter(trace_code=code).exists():
            return code
    raise RuntimeError("could not mint a unique trace code")  # pragma: no cover - 2**-96 odds


def _ensure_origin_events(batch: Batch, by) -> None:
    """The harvest (or, for a batch made from others, the transformation) and packing events, once."""
    steps = set(TraceEvent.objects.filter(batch=batch).values_list("biz_step", flat=True))
    if BizStep.COMMISSIONING not in steps:
        inputs = list(batch.inputs.select_related("input"))
        trace_event_record(
            batch=batch,
            biz_step=BizStep.COMMISSIONING,
            event_type=EventType.TRANSFORMATION if inputs else EventType.OBJECT,
            event_time=_local_datetime(batch.harvest_date),
            date_only=True,
            base=batch.base,
            actor=batch.base.supplier.legal_name,
            recorded_by=by,
            quantity=Decimal(batch.quantity),
            details={"inputs": [i.input.lot_code for i in inputs]} if inputs else {},
        )
    if batch.packing_date and BizStep.PACKING not in steps:
        trace_event_record(
            batch=batch,
            biz_step=BizStep.PACKING,
            event_time=_local_datetime(batch.packing_date, 15),
            date_only=True,
            base=batch.base,
            actor=batch.base.supplier.legal_name,
            recorded_by=by,
            quantity=Decimal(batch.quantity),
        )


@transaction.atomic
def batch_publish(*, batch: Batch, by=None, price: Decimal | None = None, add_stock: bool = True) -> Batch:
    """Put a draft batch on sale: its quantity becomes sellable and it gets its trace code.

    Under row locks (stock record, then batch): adds ``quantity`` to the stock record of the batch's
    product at its supplier's partner (created when missing, which needs ``price``; a given price
    replaces the record's), sets ``quantity_remaining = quantity``, mints a random trace code, and
    records the harvest/transformation and packing events if missing, then a ``stocking`` event.

    ``add_stock=False`` is for backfill only: batches recorded for units already counted in the stock
    record (products sold before they were tracked by batch, the demo). They are published without
    adding their quantity a second time; the invariant then holds by construction of the backfill.
    """
    supplier = Supplier.objects.select_related("partner").get(bases=batch.base_id)
    record = _lock_stockrecord(batch)
    batch = _lock_batch(
        batch.pk, "product__product_class", "product__parent__product_class", "base__supplier"
    )
    problems = publish_problems(batch)
    if record is None and price is None and not problems:
        problems.append(
            _("%(product)s has no price in the shop yet: enter the price to sell it at.")
            % {"product": batch.product.get_title()}
        )
    if price is not None and price <= 0:
        problems.append(_("The price must be more than zero."))
    if problems:
        raise ValidationError(problems, code="cannot_publish")

    if record is None:
        record = _stockrecord_create(partner=supplier.partner, product=batch.product, price=price)
    updates = {}
    if price is not None:
        updates["price"] = price
    if add_stock:
        updates["num_in_stock"] = (record.num_in_stock or 0) + batch.quantity
    if updates:
        for name, value in updates.items():
            setattr(record, name, value)
        record.save(update_fields=[*updates, "date_updated"])

    now = timezone.now()
    batch.quantity_remaining = batch.quantity
    batch.trace_code = _mint_trace_code()
    batch.status = Status.PUBLISHED
    batch.published_at = now
    batch.status_changed_at = now
    batch.status_reason = ""
    batch.save(
        update_fields=[
            "quantity_remaining",
            "trace_code",
            "status",
            "published_at",
            "status_changed_at",
            "status_reason",
        ]
    )
    _ensure_origin_events(batch, by)
    trace_event_record(
        batch=batch,
        biz_step=BizStep.STOCKING,
        event_time=now,
        base=batch.base,
        actor=supplier.legal_name,
        recorded_by=by,
        quantity=Decimal(batch.quantity),
    )
    _forget(batch)
    return batch


def _hold(
    batch: Batch, *, record, by, reason: str, kind: str = Batch.HoldKind.MANUAL, details: dict | None = None
) -> Batch:
    """On hold, inside a transaction that already locked ``record`` and ``batch``."""
    remaining = batch.quantity_remaining
    if record is not None and remaining:
        allocated = record.num_allocated or 0
        target = (record.num_in_stock or 0) - remaining
        if target < allocated:
            # The invariant was broken (e.g. stock edited by hand): leave sale anyway, never fail a hold.
            logger.warning(
                "batch %s: stock record %s holds %s, %s allocated, cannot take %s off; setting it to %s",
                batch.pk,
                record.pk,
                record.num_in_stock,
                allocated,
                remaining,
                allocated,
            )
            target = allocated
        record.num_in_stock = target
        record.save(update_fields=["num_in_stock", "date_updated"])
    now = timezone.now()
    batch.status = Status.ON_HOLD
    batch.status_changed_at = now
    batch.status_reason = reason[:255]
    batch.hold_kind = kind
    batch.save(update_fields=["status", "status_changed_at", "status_reason", "hold_kind"])
    trace_event_record(
        batch=batch,
        biz_step=BizStep.HOLDING,
        disposition=Disposition.SELLABLE_NOT_ACCESSIBLE,
        event_time=now,
        base=batch.base,
        actor=batch.base.supplier.legal_name,
        recorded_by=by,
        details={"reason": reason, "hold_kind": kind, **(details or {})},
    )
    return batch


@transaction.atomic
def batch_hold(*, batch: Batch, reason: str, by=None) -> Batch:
    """Take a published batch off sale for a while: what remains of it leaves the stock record."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the batch goes on hold.")})
    record = _lock_stockrecord(batch)
    batch = _lock_batch(batch.pk, "base__supplier")
    if batch.status != Status.PUBLISHED:
        raise ValidationError(
            _("Only a batch on sale can be put on hold; this one is %(status)s.")
            % {"status": batch.get_status_display()}
        )
    _hold(batch, record=record, by=by, reason=reason.strip())
    _forget(batch)
    return batch


@transaction.atomic
def batch_release(*, batch: Batch, reason: str = "", by=None) -> Batch:
    """Put a batch on hold back on sale, unless a food-safety gate keeps it off (``traceability.gates``:
    a failed inspection, best-before, certificate, interval, recall, or any of these on an input)."""
    record = _lock_stockrecord(batch)
    batch = _lock_batch(
        batch.pk, "base__supplier", "product__product_class", "product__parent__product_class"
    )
    if batch.status != Status.ON_HOLD:
        raise ValidationError(_("Only a batch on hold can be released."))
    problems = [str(finding) for finding in gates.batch_gate_findings(batch)]
    if record is None:
        problems.append(_("The product has no stock record to sell it through."))
    if problems:
        raise ValidationError(problems)
    if batch.quantity_remaining:
        record.num_in_stock = (record.num_in_stock or 0) + batch.quantity_remaining
        record.save(update_fields=["num_in_stock", "date_updated"])
    now = timezone.now()
    batch.status = Status.PUBLISHED
    batch.status_changed_at = now
    batch.status_reason = (reason or "").strip()[:255]
    batch.hold_kind = ""
    batch.save(update_fields=["status", "status_changed_at", "status_reason", "hold_kind"])
    trace_event_record(
        batch=batch,
        biz_step=BizStep.STOCKING,
        event_time=now,
        base=batch.base,
        actor=batch.base.supplier.legal_name,
        recorded_by=by,
        details={"released": True, "reason": (reason or "").strip()},
    )
    _forget(batch)
    return batch


# --- Expiry (issue 11) ----------------------------------------------------------------------------
def batches_expiry_hold(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: hold every batch on sale (or sold out) past its best-before date
    (``hold_kind = expired``), and run the gates on every batch whose certificate expired (held with
    ``hold_kind = gate``, cooperative and staff told). One transaction per batch; safe to run twice.
    """
    today = today or _today()
    counts = {"expired": 0, "certificate": 0}
    on_sale = (Status.PUBLISHED, Status.SOLD_OUT)
    for pk in Batch.objects.filter(status__in=on_sale, best_before__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            batch = Batch.objects.get(pk=pk)
            record = _lock_stockrecord(batch)
            batch = _lock_batch(pk, "base__supplier")
            if batch.status not in on_sale or batch.best_before >= today:
                continue
            _hold(
                batch,
                record=record,
                by=None,
                reason=_("The best-before date %(date)s has passed.") % {"date": batch.best_before},
                kind=Batch.HoldKind.EXPIRED,
            )
            _forget(batch)
            counts["expired"] += 1
    expired_certificates = Batch.objects.filter(
        status__in=on_sale, certificate__valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in expired_certificates:
        counts["certificate"] += len(gates.batch_gates_enforce(Batch.objects.get(pk=pk)))
    if any(counts.values()):
        logger.info("expiry: %s", counts)
    return counts


# --- API tokens -------------------------------------------------------------------------------------
API_TOKEN_PREFIX = "shy_"  # noqa: S105 (a visible prefix, not a secret)


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, supplier: Supplier, name: str, created_by=None) -> tuple[ApiToken, str]:
    """A new API key for the supplier; returns the token and the key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the token after what will use it.")})
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(
        supplier=supplier, name=name, prefix=key[:10], key_hash=api_token_hash(key), created_by=created_by
    )
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Remember when a token was last used, at most once a minute (no write on every call)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


__all__ = [
    "BATCH_EDITABLE_FIELDS",
    "EVENT_DEFAULTS",
    "InputSpec",
    "ItemSpec",
    "api_token_create",
    "api_token_revoke",
    "batch_create",
    "batch_delete",
    "batch_hold",
    "batch_publish",
    "batch_release",
    "batch_update",
    "certificate_issue",
    "farm_input_gates_enforce",
    "farm_input_record",
    "inspection_record",
    "publish_problems",
    "trace_event_correct",
    "trace_event_delete",
    "trace_event_record",
    "trace_event_update",
]
