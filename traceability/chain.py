"""The per-batch hash chain of trace events: what is hashed, and how a chain is verified.

Each event's ``content_hash`` is SHA-256 over its canonical content (sorted-key, compact UTF-8 JSON
of every stored field that means something, see ``event_content``) which includes ``previous_hash``,
the hash of the event before it in the same batch ("" for the first). Editing any stored field of
any event, deleting an event or reordering them changes a hash that a later event or the stored hash
itself still remembers: ``chain_verify`` names the first event where that happens.

Changing ``event_content`` changes every hash: bump ``HASH_VERSION`` and keep the old function for
events stored before, never edit it in place.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

HASH_VERSION = 1


def _time(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.3f}"


def event_content(event) -> dict:
    """The fields of a ``TraceEvent`` that its hash covers, as JSON-ready values."""
    return {
        "v": HASH_VERSION,
        "event_id": str(event.event_id),
        "batch": event.batch_id,
        "sequence": event.sequence,
        "type": event.event_type,
        "action": event.action,
        "biz_step": event.biz_step,
        "disposition": event.disposition,
        "event_time": _time(event.event_time),
        "offset": event.event_timezone_offset,
        "date_only": bool(event.date_only),
        "record_time": _time(event.record_time),
        "base": event.base_id,
        "place": event.place,
        "actor": event.actor,
        "recorded_by": event.recorded_by_id,
        "quantity": _decimal(event.quantity),
        "parent_id": event.parent_id,
        "details": event.details,
        "inspection": event.inspection_id,
        "corrects": event.corrects_id,
        "previous_hash": event.previous_hash,
    }


def canonical_bytes(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(event) -> str:
    """SHA-256 (hex) of the event's canonical content, previous hash included."""
    return hashlib.sha256(canonical_bytes(event_content(event))).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying one batch's chain. ``ok`` is False from the first broken link on."""

    ok: bool
    count: int
    broken_sequence: int | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


def chain_verify(events: Iterable) -> ChainReport:
    """Check a batch's events, given in sequence order: numbering, links and every content hash.

    Returns at the first problem found: a gap in the numbering (an event deleted), a link that does
    not point at the previous event's hash (an event inserted or replaced), or a stored hash that no
    longer matches the content (an event edited in the database).
    """
    previous = ""
    count = 0
    for expected_sequence, event in enumerate(events, start=1):
        count += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                False,
                count,
                event.sequence,
                str(_("Event %(expected)s is missing from the chain.") % {"expected": expected_sequence}),
            )
        if event.previous_hash != previous:
            return ChainReport(
                False,
                count,
                event.sequence,
                str(_("Event %(n)s does not link to the event before it.") % {"n": event.sequence}),
            )
        if event_hash(event) != event.content_hash:
            return ChainReport(
                False,
                count,
                event.sequence,
                str(_("Event %(n)s was changed after it was recorded.") % {"n": event.sequence}),
            )
        previous = event.content_hash
    return ChainReport(True, count)


# --- Anchors (issue 11): what a batch's anchor covers beside its event chain -------------------------
RECORD_HASH_VERSION = 1
#: ``record_hash`` of the last anchor of a draft batch that was deleted (through ``batch_delete``).
DELETED = "deleted"


def _date(value) -> str | None:
    return None if value is None else value.isoformat()


def record_content(batch, *, inputs: Iterable, inspections: Iterable, certificate) -> dict:
    """The batch's own fields, its lineage, its inspections (with their items) and its certificate.

    ``inspections`` are ``(inspection, items)`` pairs; plain attribute reads only, so a migration's
    historical models work too. Status and ``quantity_remaining`` are left out: they change with every
    sale, and every change of status through the services is an event in the chain.
    """
    return {
        "v": RECORD_HASH_VERSION,
        "batch": {
            "id": batch.pk,
            "product": batch.product_id,
            "base": batch.base_id,
            "lot_code": batch.lot_code,
            "harvest_date": _date(batch.harvest_date),
            "packing_date": _date(batch.packing_date),
            "best_before": _date(batch.best_before),
            "quantity": batch.quantity,
            "unit": batch.unit,
            "trace_code": batch.trace_code or "",
        },
        "inputs": sorted([link.input_id, _decimal(link.quantity), link.unit] for link in inputs),
        "inspections": [
            {
                "id": inspection.pk,
                "laboratory": inspection.laboratory,
                "report_number": inspection.report_number,
                "sampling_date": _date(inspection.sampling_date),
                "report_date": _date(inspection.report_date),
                "passed": bool(inspection.passed),
                "conclusion": inspection.conclusion,
                "report_sha256": inspection.report_sha256,
                "items": [
                    [
                        item.analyte,
                        None if item.result is None else f"{Decimal(item.result):.4f}",
                        None if item.limit is None else f"{Decimal(item.limit):.4f}",
                        item.unit,
                        item.method,
                        bool(item.passed),
                    ]
                    for item in sorted(items, key=lambda item: item.pk)
                ],
            }
            for inspection, items in sorted(inspections, key=lambda pair: pair[0].pk)
        ],
        "certificate": None
        if certificate is None
        else {
            "number": certificate.number,
            "product_name": certificate.product_name,
            "quantity": _decimal(certificate.quantity),
            "unit": certificate.unit,
            "origin": certificate.origin,
            "issued_at": _time(certificate.issued_at),
            "issuer": certificate.issuer,
            "contact": certificate.contact,
            "promise": certificate.promise,
            "basis": certificate.basis,
            "inspection": certificate.inspection_id,
            "valid_until": _date(getattr(certificate, "valid_until", None)),
        },
    }


def record_hash(content: dict) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def anchor_hash(
    *, batch_id: int, event_count: int, head_hash: str, record_hash: str, previous_hash: str, on_trust: bool
) -> str:
    """SHA-256 of an anchor's content, the batch's anchor before it included."""
    content = {
        "batch": batch_id,
        "events": event_count,
        "head": head_hash,
        "record": record_hash,
        "previous": previous_hash,
        "on_trust": bool(on_trust),
    }
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def root_hash(*, previous_hash: str, heads: Iterable[tuple[int, str]]) -> str:
    """SHA-256 over the root before and every batch's newest anchor hash, by batch."""
    lines = [previous_hash] + [f"{batch_id}:{anchor}" for batch_id, anchor in sorted(heads)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
