"""A batch's events as an EPCIS 2.0 JSON-LD document (GS1), validated in the tests against GS1's schema
(traceability/standards/epcis-2.0/EPCIS-JSON-Schema.json).

Identifiers:
- the batch is a class-level LGTIN: the GS1 Digital Link URI ``https://id.gs1.org/01/<gtin14>/10/<lot>``
  when the product has a GTIN, otherwise the batch's own trace URL on this site;
- places are this site's public base pages (no GLNs are issued to the bases);
- event IDs are the events' UUIDs (``urn:uuid:…``); the chain's hashes are carried as extensions.
A corrected event carries an ``errorDeclaration`` naming the events that correct it (EPCIS 2.0 §7.4.1).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone

from traceability import rules
from traceability.models import Batch, BatchUnit, EventType, TraceEvent

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
#: Prefix of this platform's extension fields (JSON-LD compact IRIs, e.g. ``shiyan:contentHash``).
EXTENSION_PREFIX = "shiyan"

#: UN/CEFACT Rec. 20 codes; a count of packs has no unit of measure in EPCIS.
UOM = {
    BatchUnit.KG: ("KGM", Decimal(1)),
    BatchUnit.JIN: ("KGM", Decimal("0.5")),
    BatchUnit.LITRE: ("LTR", Decimal(1)),
}


def extension_namespace() -> str:
    return rules.absolute_url("/t/ns/")


def _time(value: datetime.datetime) -> str:
    """The instant written in Shiyan's offset (e.g. ``2026-03-15T12:00:00.000+08:00``)."""
    local = timezone.localtime(value)
    return local.isoformat(timespec="milliseconds")


def epc_class(batch: Batch) -> str:
    """The batch's class-level identifier: GS1 Digital Link when the product has a GTIN."""
    gtin = batch.product.gtin
    if gtin:
        return f"https://id.gs1.org/01/{gtin.zfill(14)}/10/{quote(batch.lot_code, safe='')}"
    return rules.absolute_url(batch.get_absolute_url() or f"/t/lot/{batch.pk}/")


def _quantity(batch: Batch, quantity: Decimal | None, unit: str | None = None) -> dict:
    element = {"epcClass": epc_class(batch)}
    amount = Decimal(quantity if quantity is not None else batch.quantity)
    unit = unit or batch.unit
    if unit in UOM:
        code, factor = UOM[unit]
        element["quantity"] = float(amount * factor)
        element["uom"] = code
    else:
        element["quantity"] = float(amount)
    return element


def _location(event: TraceEvent) -> dict | None:
    if event.base_id:
        base = event.base
        return {
            "id": rules.absolute_url(
                reverse("suppliers:base", kwargs={"slug": base.supplier.slug, "pk": base.pk})
            )
        }
    return None


def event_document(event: TraceEvent, batch: Batch, *, inputs=(), corrections=()) -> dict:
    """One event as an EPCIS 2.0 JSON-LD event object."""
    ext = EXTENSION_PREFIX
    data: dict = {
        "type": event.event_type,
        "eventID": f"urn:uuid:{event.event_id}",
        "eventTime": _time(event.event_time),
        "eventTimeZoneOffset": event.event_timezone_offset,
        "recordTime": _time(event.record_time),
    }
    if event.event_type != EventType.TRANSFORMATION:
        data["action"] = event.action
    data["bizStep"] = event.biz_step
    if event.disposition:
        data["disposition"] = event.disposition
    if event.event_type == EventType.OBJECT:
        data["quantityList"] = [_quantity(batch, event.quantity)]
    elif event.event_type == EventType.AGGREGATION:
        if event.parent_id:
            data["parentID"] = event.parent_id
        data["childQuantityList"] = [_quantity(batch, event.quantity)]
    else:
        data["inputQuantityList"] = [_quantity(i.input, i.quantity, i.unit) for i in inputs] or [
            _quantity(batch, event.quantity)
        ]
        data["outputQuantityList"] = [_quantity(batch, event.quantity)]
    location = _location(event)
    if location is not None:
        data["readPoint"] = location
        data["bizLocation"] = location
    if event.event_type != EventType.AGGREGATION and event.biz_step == "commissioning":
        data["ilmd"] = {
            f"{ext}:lotNumber": batch.lot_code,
            f"{ext}:harvestDate": batch.harvest_date.isoformat(),
            f"{ext}:bestBeforeDate": batch.best_before.isoformat(),
        }
    if event.inspection_id:
        data["certificationInfo"] = rules.absolute_url(
            batch.get_absolute_url() + f"#inspection-{event.inspection_id}"
        )
    if corrections:
        first = corrections[0]
        data["errorDeclaration"] = {
            "declarationTime": _time(first.record_time),
            "reason": "incorrect_data",
            "correctiveEventIDs": [f"urn:uuid:{c.event_id}" for c in corrections],
        }
    if event.place:
        data[f"{ext}:place"] = event.place
    if event.actor:
        data[f"{ext}:actor"] = event.actor
    if event.details:
        data[f"{ext}:details"] = event.details
    data[f"{ext}:sequence"] = event.sequence
    data[f"{ext}:previousHash"] = event.previous_hash
    data[f"{ext}:contentHash"] = event.content_hash
    return data


def epcis_document(batch: Batch, events: list[TraceEvent], inputs=()) -> dict:
    """The EPCISDocument for a batch: its events in chain order."""
    corrections: dict[int, list[TraceEvent]] = {}
    for event in events:
        if event.corrects_id:
            corrections.setdefault(event.corrects_id, []).append(event)
    return {
        "@context": [EPCIS_CONTEXT, {EXTENSION_PREFIX: extension_namespace()}],
        "id": rules.absolute_url(reverse("traceability:epcis", kwargs={"code": batch.trace_code})),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _time(timezone.now()),
        "epcisBody": {
            "eventList": [
                event_document(event, batch, inputs=inputs, corrections=corrections.get(event.pk, ()))
                for event in events
            ]
        },
    }
