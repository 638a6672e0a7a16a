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
