"""``Idempotency-Key`` for the batch API: a retried create answers with the first answer, never twice.

The key row (one per supplier and key, a unique constraint) is inserted first, in the same
transaction as the create and its stored answer. A concurrent retry's insert waits on that
uncommitted row; when the first commits, the retry's insert fails, and it reads and replays the
committed answer. If the first rolls back, the retry goes ahead as if it were first. So two
requests with one key can never both create, on PostgreSQL as on SQLite (whose writes are serial).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability.models import ApiIdempotencyKey

#: Keys are forgotten after this long (the purge job in shop/schedule.py).
KEEP_KEYS_FOR = datetime.timedelta(days=7)
KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: str
    replayed: bool


def key_problem(key: str) -> str:
    """Why a header value cannot be a key, or ""."""
    if KEY_RE.fullmatch(key):
        return ""
    return _("An Idempotency-Key has 1 to 255 printable ASCII characters, without spaces (e.g. a UUID).")


def fingerprint(method: str, path: str, payload) -> str:
    canonical = json.dumps([method, path, payload], sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent_answer(*, supplier, key: str, fingerprint: str, run: Callable[[], tuple[int, str]]) -> Answer:
    """The stored answer for (supplier, key), or ``run()``'s, stored under the key in the same
    transaction as whatever ``run`` writes."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = ApiIdempotencyKey.objects.create(supplier=supplier, key=key, fingerprint=fingerprint)
        except IntegrityError:
            return _replay(supplier=supplier, key=key, fingerprint=fingerprint)
        status_code, body = run()
        record.status_code, record.response_body = status_code, body
        record.save(update_fields=["status_code", "response_body"])
        return Answer(status_code, body, replayed=False)


def _replay(*, supplier, key: str, fingerprint: str) -> Answer:
    record = ApiIdempotencyKey.objects.filter(supplier=supplier, key=key).first()
    if record is None or not record.status_code:  # pragma: no cover - the first is not committed yet
        return _refusal(409, _("A request with this Idempotency-Key is still being answered: retry shortly."))
    if record.fingerprint != fingerprint:
        return _refusal(
            422,
            _("This Idempotency-Key was used for a different request: use a new key for a new batch."),
        )
    return Answer(record.status_code, record.response_body, replayed=True)


def _refusal(status: int, message: str) -> Answer:
    body = {"detail": message, "errors": {"Idempotency-Key": [message]}}
    return Answer(status, json.dumps(body, ensure_ascii=False), replayed=False)


def api_idempotency_keys_purge(*, now: datetime.datetime | None = None) -> int:
    """Forget keys older than KEEP_KEYS_FOR; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_KEYS_FOR
    deleted, _by_model = ApiIdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
