"""The outbox: every side effect is recorded in the transaction that causes it, and delivered after it.

An e-mail, an SMS or a call to an outside service must happen if and only if the change behind it
committed, even when Redis (the Celery broker) is down at that moment. So the change does not queue
a task; it writes an ``OutboxMessage`` row in its own transaction (``outbox_add``). After the commit
a Celery task is asked to deliver it at once; if the broker cannot take the task, that is only
logged, and the minute sweeper (``outbox_sweep``, ``shop/schedule.py``) delivers every message that
is due. A failed delivery is tried again with backoff (30 s, doubling, at most 30 minutes apart);
after ``OUTBOX_MAX_ATTEMPTS`` the message is given up and stays visible to staff, with its last
error, in the Django admin (Core → Outbox messages), where "Try again" puts it back in the queue.

Adding a kind of side effect (the contract)
-------------------------------------------
1. In ``<room>/outbox_handlers.py`` (found at start-up in every installed app, so core never
   imports a higher room) register a handler under a dotted name::

       from core.outbox import outbox_handler

       @outbox_handler("traceability.recall_email")
       def recall_email(payload: dict) -> None:
           recall_notice_send(recall_id=payload["recall_id"], email=payload["email"])

   * It gets the JSON payload it was recorded with (ids and short texts, not model instances), and
     looks the rows up again: they may have changed since.
   * It runs inside a transaction that holds the message's row lock: its own writes commit with the
     "sent" mark, or roll back if it raises. No two workers run it for the same message at once.
   * Raising means "not delivered": the error is recorded and the message tried again later. A
     handler that finds nothing to do (the order is gone) returns normally.
   * Delivery is at least once per key: a worker that dies after sending and before committing
     sends again. Where that matters, the handler checks a record of its own first (Oscar's
     communication event, a ``sent_at`` stamp) so the buyer still gets one message.
2. Inside the transaction making the change, call
   ``outbox_add(kind="traceability.recall_email", payload={...}, key="recall:12:email:a@b.cn")``.
   ``key`` names this one notice: recording the same key again does nothing, so a retried or
   repeated business call never sends the same notice twice.

``outbox_sms`` records the common case of a text message (handler ``core.sms``, ``core.sms.send_sms``).
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import OutboxMessage
from core.queue import queue_now

logger = logging.getLogger(__name__)

Handler = Callable[[dict], None]
_handlers: dict[str, Handler] = {}

State = OutboxMessage.State

#: Errors of the outside world (mail server, network, an outside API): retried quietly. Anything
#: else is most likely a bug; it is retried as well, and test settings (``OUTBOX_RAISE_ERRORS``)
#: raise it so a failing handler fails its test.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)

BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 30 * 60


# --- Handlers ----------------------------------------------------------------------------------
def outbox_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``kind`` (see the module's contract)."""

    def register(func: Handler) -> Handler:
        existing = _handlers.get(kind)
        same = existing is not None and (existing.__module__, existing.__qualname__) == (
            func.__module__,
            func.__qualname__,
        )
        if existing is not None and not same:
            raise ValueError(f"outbox kind {kind!r} already has a handler ({existing.__module__})")
        _handlers[kind] = func
        return func

    return register


def outbox_kinds() -> list[str]:
    return sorted(_handlers)


# --- Recording ---------------------------------------------------------------------------------
def outbox_add(*, kind: str, payload: dict, key: str) -> OutboxMessage:
    """Record a side effect in the current transaction; deliver it after the commit.

    Returns the message, or the one recorded earlier under the same ``key`` (then nothing new is
    queued). Raises ``ValueError`` for a kind no handler is registered for (a typo must fail where
    it is made, not in a worker). Outside a transaction the message is committed and queued at once.
    """
    if kind not in _handlers:
        raise ValueError(f"no outbox handler is registered for {kind!r}")
    if not key or len(key) > 255:
        raise ValueError("an outbox key is 1 to 255 characters")
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(kind=kind, key=key, payload=payload)
    except IntegrityError:
        existing = OutboxMessage.objects.filter(key=key).first()
        if existing is None:  # not a duplicate key after all
            raise
        return existing
    message_id = message.pk
    transaction.on_commit(lambda: _enqueue(message_id))
    return message


def outbox_add_many(messages) -> int:
    """``outbox_add`` for many ``(kind, payload, key)`` at once (a recall's thousands of notices):
    inserted in batches, keys already recorded skipped; returns how many were given."""
    rows = []
    for kind, payload, key in messages:
        if kind not in _handlers:
            raise ValueError(f"no outbox handler is registered for {kind!r}")
        if not key or len(key) > 255:
            raise ValueError("an outbox key is 1 to 255 characters")
        rows.append(OutboxMessage(kind=kind, key=key, payload=payload))
    if not rows:
        return 0
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    keys = [row.key for row in rows]
    ids = []
    for start in range(0, len(keys), 500):
        ids += OutboxMessage.objects.filter(
            key__in=keys[start : start + 500], state=State.PENDING
        ).values_list("pk", flat=True)
    transaction.on_commit(lambda: [_enqueue(message_id) for message_id in sorted(ids)])
    return len(rows)


def outbox_key(*parts) -> str:
    """A dedupe key from its parts (``recall:12:email:a@b.cn``); one too long is shortened by a hash."""
    key = ":".join(str(part) for part in parts)
    if len(key) <= 255:
        return key
    return key[:180] + ":" + hashlib.sha256(key.encode()).hexdigest()


def outbox_sms(*, to: str, text: str, key: str) -> OutboxMessage:
    """Record a text message to ``to`` (a mobile number) for delivery through ``SMS_BACKEND``."""
    return outbox_add(**sms_message(to=to, text=text, key=key))


def sms_message(*, to: str, text: str, key: str) -> dict:
    """The ``outbox_add`` arguments of a text message (for ``outbox_add_many`` too)."""
    return {"kind": "core.sms", "payload": {"to": str(to), "text": text}, "key": key}


# --- Queueing after commit ---------------------------------------------------------------------
#: After the broker refused one message, the next ones in this process do not wait on it again for
#: this long: a recall of 500 buyers with Redis down costs one connection timeout, not 500.
BROKER_DOWN_SECONDS = 10
_broker = threading.local()


def _enqueue(message_id: int) -> None:
    """After commit: ask a worker to deliver the message now. A broker failure is only logged."""
    from core.tasks import outbox_deliver_task

    if outbox_deliver_task.app.conf.task_always_eager:
        # No broker (local development, tests): delivered here and now.
        outbox_deliver_task.apply_async(args=(message_id,))
        return
    if getattr(_broker, "down_until", 0) > time.monotonic():
        return
    try:
        queue_now(outbox_deliver_task, message_id)
    except Exception:
        _broker.down_until = time.monotonic() + BROKER_DOWN_SECONDS
        logger.warning("outbox: message %s not queued (broker down?); the sweeper delivers it", message_id)


# --- Delivering --------------------------------------------------------------------------------
def backoff(attempts: int) -> timedelta:
    """How long after its ``attempts``-th failed try a message is tried again."""
    seconds = BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def outbox_deliver(*, message_id: int, due_only: bool = False, now: datetime | None = None) -> str:
    """Deliver one pending message once; returns "sent", "retry", "failed" or "skipped".

    The row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's write
    transaction serialises instead): a message another worker is delivering, or one already sent, is
    skipped. ``due_only`` (the sweeper) also skips a message whose next attempt is still to come.
    """
    now = now or timezone.now()
    error: Exception | None = None
    with transaction.atomic():
        candidates = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            pk=message_id, state=State.PENDING
        )
        if due_only:
            candidates = candidates.filter(next_attempt_at__lte=now)
        message = candidates.first()
        if message is None:
            return "skipped"
        message.attempts += 1
        handler = _handlers.get(message.kind)
        try:
            if handler is None:
                raise LookupError(f"no outbox handler is registered for {message.kind!r}")
            with transaction.atomic():
                handler(message.payload)
        except Exception as exc:
            error = exc
            outcome = _failed(message, exc, now)
        else:
            message.state = State.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
            outcome = "sent"
        message.save(update_fields=["state", "attempts", "next_attempt_at", "last_error", "sent_at"])
    if error is not None and getattr(settings, "OUTBOX_RAISE_ERRORS", False):
        if not isinstance(error, TRANSIENT_ERRORS):
            raise error
    return outcome


def _failed(message: OutboxMessage, exc: Exception, now: datetime) -> str:
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.state = State.FAILED
        logger.error(
            "outbox: %s %s given up after %s attempts: %s",
            message.kind,
            message.key,
            message.attempts,
            message.last_error,
        )
        return "failed"
    message.next_attempt_at = now + backoff(message.attempts)
    log = logger.warning if isinstance(exc, TRANSIENT_ERRORS) else logger.exception
    log("outbox: %s %s not delivered (attempt %s): %s", message.kind, message.key, message.attempts, exc)
    return "retry"


def outbox_due(*, now: datetime | None = None):
    """Pending messages whose (next) attempt is due, oldest first."""
    now = now or timezone.now()
    return OutboxMessage.objects.filter(state=State.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )


def outbox_sweep(*, limit: int = 500, now: datetime | None = None) -> dict[str, int]:
    """Deliver every message that is due (the minute job); returns how many ended each way."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for message_id in list(outbox_due(now=now).values_list("pk", flat=True)[:limit]):
        outcome = outbox_deliver(message_id=message_id, due_only=True, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@transaction.atomic
def outbox_retry(*, message_ids) -> int:
    """Staff: put given-up (or waiting) messages back in the queue with a fresh set of attempts."""
    ids = list(
        OutboxMessage.objects.filter(pk__in=list(message_ids), state__in=[State.FAILED, State.PENDING])
        .select_for_update()
        .values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=ids).update(
        state=State.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for message_id in ids:
        transaction.on_commit(lambda message_id=message_id: _enqueue(message_id))
    return len(ids)
