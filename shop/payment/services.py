"""Card payment services: the only code that writes StripePayment, StripeEvent and StripeRefund.

Rules every function here keeps:
* No network call happens inside a transaction that holds a lock: Stripe is asked first, then
  the answer is applied under ``select_for_update`` on the payment row.
* A payment's state changes only through ``stripe_payment_transition``, which refuses any move
  not in ``StripePayment.TRANSITIONS`` and any "awaiting" move older than the last one applied.
* Side effects outside the database (e-mail, queueing) run on commit.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model
from oscar.templatetags.currency_filters import currency

from core.outbox import outbox_add
from core.queue import queue_now
from shop.phone.services import payment_receipt_sms_record

from . import orders
from . import stripe_gateway as gateway
from .models import StripeEvent, StripePayment, StripeRefund

logger = logging.getLogger(__name__)

Source = get_model("payment", "Source")
PaymentEventType = get_model("order", "PaymentEventType")
EventHandler = get_class("order.processing", "EventHandler")

State = StripePayment.State
PAYMENT_CURRENCY = "CNY"
PAID_EVENT_NAME = "Paid"
REFUNDED_EVENT_NAME = "Refunded"


class PaymentNotPossible(Exception):
    """The order cannot be paid by card (wrong status, nothing to pay); the message is for people."""


class RefundNotAllowed(ValidationError):
    """A refund that must not be sent; the message says why, in the user's language."""


def intent_idempotency_key(order_number: str, attempt: int = 1) -> str:
    """Derived from the order number, so every retry of the same creation sends the same key."""
    return f"order-{order_number}-pi-v{attempt}"


# --- Opening a payment and its PaymentIntent ---------------------------------------------------


@transaction.atomic
def stripe_payment_open(*, order, method: str = StripePayment.Method.CARD) -> StripePayment:
    """The order's Stripe payment record for ``method``, created on the first call (no Stripe call here).

    Cheap enough to run inside the checkout's placement transaction, so every card order has a
    record from the start and the unpaid-order job can find it even if the buyer never reached
    the payment page.
    """
    existing = StripePayment.objects.filter(order=order).first()
    if existing is not None:
        return existing
    if not orders.order_is_pending_payment(order):
        raise PaymentNotPossible(_("This order is not waiting for payment."))
    if order.total_incl_tax is None or order.total_incl_tax <= 0:
        raise PaymentNotPossible(_("This order has nothing to pay."))
    if order.currency != PAYMENT_CURRENCY:
        # Stripe would take it, but the shop's prices, refunds and reports are all in yuan.
        raise PaymentNotPossible(_("Card payments are taken in Chinese yuan only."))
    payment = StripePayment(
        order=order,
        method=StripePayment.Method(method),
        amount=order.total_incl_tax,
        currency=order.currency,
        idempotency_key=intent_idempotency_key(order.number),
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # opened at the same moment by another request
        return StripePayment.objects.get(order=order)
    return payment


def stripe_payment_intent_ensure(*, payment: StripePayment) -> gateway.Intent:
    """The payment's PaymentIntent with its client secret: created once, fetched afterwards.

    The creation carries the order's idempotency key, so a retry after a timeout or a 5xx (or two
    browser tabs at once) gets the same intent back from Stripe instead of a second one. Raises
    ``StripeUnavailable`` for "try again"; the order stays pending either way.
    """
    if payment.payment_intent_id:
        intent = gateway.payment_intent_retrieve(payment.payment_intent_id)
    else:
        try:
            intent = gateway.payment_intent_create(
                amount=payment.amount,
                currency=payment.currency,
                order_number=payment.order.number,
                idempotency_key=payment.idempotency_key,
                description=f"Shiyan Select order {payment.order.number}",
                method=payment.method,
            )
        except gateway.StripeUnavailable as exc:
            if exc.replayed:
                _intent_key_rotate(payment=payment)
            raise
        StripePayment.objects.filter(pk=payment.pk, payment_intent_id="").update(
            payment_intent_id=intent.id, updated_at=timezone.now()
        )
        payment.refresh_from_db()
    if payment.payment_intent_id != intent.id or intent.amount != payment.amount:
        logger.error(
            "stripe: order %s has intent %s but Stripe returned %s for %s",
            payment.order.number,
            payment.payment_intent_id,
            intent.id,
            intent.amount,
        )
        raise gateway.StripeRejected("the PaymentIntent does not match the order", code="intent_mismatch")
    return intent


def confirm_idempotency_key(order_number: str, attempt: int) -> str:
    return f"order-{order_number}-pi-confirm-{attempt}"


# Intent statuses in which Alipay or WeChat Pay must be confirmed (again) before the buyer can pay.
NEEDS_CONFIRMATION = ("requires_payment_method", "requires_confirmation")


def stripe_payment_wallet_start(*, payment: StripePayment, return_url: str) -> gateway.Intent:
    """The Alipay or WeChat Pay intent, confirmed, with what the buyer must do (``next_action``).

    The intent is created once (``stripe_payment_intent_ensure``). It is confirmed on the server
    when it waits for a payment method: the first time, and again after an attempt failed (the
    buyer cancelled in Alipay, the QR code expired). Each confirmation takes the next number under
    a conditional update, so two tabs at once send the same key and get the same answer, and a
    reload while the buyer is paying reuses the pending action instead of starting another.
    Raises ``StripeUnavailable`` (try again) or ``StripeRejected``.
    """
    intent = stripe_payment_intent_ensure(payment=payment)
    if intent.status not in NEEDS_CONFIRMATION:
        return intent
    attempt = payment.confirm_attempt + 1
    StripePayment.objects.filter(pk=payment.pk, confirm_attempt=payment.confirm_attempt).update(
        confirm_attempt=attempt, updated_at=timezone.now()
    )
    payment.refresh_from_db()
    return gateway.payment_intent_confirm(
        intent.id,
        method=payment.method,
        return_url=return_url,
        idempotency_key=confirm_idempotency_key(payment.order.number, payment.confirm_attempt),
    )


def _intent_key_rotate(*, payment: StripePayment) -> None:
    """Stripe keeps answering the saved 500 of this key: the next try uses the next version.

    Safe because a replayed failure means Stripe created nothing under the old key. Conditional
    on the attempt we saw, so two requests hitting the replay at once rotate only once.
    """
    attempt = payment.intent_attempt + 1
    rotated = StripePayment.objects.filter(
        pk=payment.pk, intent_attempt=payment.intent_attempt, payment_intent_id=""
    ).update(
        intent_attempt=attempt,
        idempotency_key=intent_idempotency_key(payment.order.number, attempt),
        updated_at=timezone.now(),
    )
    if rotated:
        logger.warning("stripe: order %s moves to intent key v%s", payment.order.number, attempt)
    payment.refresh_from_db()


# --- The state machine -------------------------------------------------------------------------


def stripe_payment_transition(
    *, payment: StripePayment, to: str, event_at: datetime | None = None, **changes
) -> bool:
    """Move the (locked) payment to ``to`` and save it with ``changes``; False if refused.

    Refused: a move not in ``StripePayment.TRANSITIONS`` (so paid never goes back to awaiting,
    and a duplicate is a no-op), and a move between awaiting states older than the newest event
    already applied (a late "payment_failed" cannot undo a later "processing").
    """
    to = State(to)
    if not payment.can_move_to(to):
        return False
    if (
        to in StripePayment.AWAITING
        and event_at is not None
        and payment.last_event_at is not None
        and event_at < payment.last_event_at
    ):
        return False
    payment.state = to
    if event_at is not None and (payment.last_event_at is None or event_at > payment.last_event_at):
        payment.last_event_at = event_at
    for name, value in changes.items():
        setattr(payment, name, value)
    payment.save()
    return True


def _payment_flag(*, payment: StripePayment, reason: str) -> None:
    """Set the payment aside for staff with a reason, once per distinct reason."""
    if payment.needs_review and reason in payment.review_reason:
        return
    payment.needs_review = True
    payment.review_reason = (payment.review_reason + "\n" + reason).strip()
    payment.save(update_fields=["needs_review", "review_reason", "updated_at"])
    orders.order_flag(order=payment.order, message=reason)
    logger.warning("stripe: order %s flagged: %s", payment.order.number, reason)


def _lock(payment_id: int) -> StripePayment:
    return StripePayment.objects.select_for_update().select_related("order").get(pk=payment_id)


def _source_for(payment: StripePayment):
    """The payment's Oscar source: the one the checkout wrote at placement, or a new one."""
    from .methods import BY_STRIPE_TYPE

    order = payment.order
    method = BY_STRIPE_TYPE[payment.method]()
    source = Source.objects.filter(order=order, source_type__code=method.code).order_by("pk").first()
    if source is None:
        source = Source(
            order=order, source_type=method.source_type(), currency=order.currency, amount_allocated=0
        )
    return source


def _payment_event_type(name: str):
    event_type, _created = PaymentEventType.objects.get_or_create(name=name)
    return event_type


def _mismatch(*, payment: StripePayment, intent: gateway.Intent) -> str:
    order = payment.order
    if intent.currency != payment.currency.upper() or intent.currency != order.currency.upper():
        return _("Stripe reports a payment in %(got)s, but the order is in %(want)s; not marked paid.") % {
            "got": intent.currency,
            "want": order.currency,
        }
    if intent.amount_received != payment.amount or payment.amount != order.total_incl_tax:
        return _("Stripe received %(got)s, but the order total is %(want)s; not marked paid.") % {
            "got": _yuan(intent.amount_received),
            "want": _yuan(order.total_incl_tax),
        }
    return ""


def _apply_succeeded(
    *, payment: StripePayment, intent: gateway.Intent, event_at, refunded: Decimal = Decimal("0")
) -> str:
    """Record money received on a locked payment; returns the event outcome.

    ``refunded``: what Stripe has already refunded of it; refunded in full, the buyer gets no
    "payment received" e-mail (the refund's own notice tells them).
    """
    if payment.is_paid:
        return StripeEvent.Outcome.IGNORED
    if payment.state == State.CANCELED:
        _payment_flag(
            payment=payment,
            reason=_("Stripe reports a payment for this cancelled order (%(intent)s): refund it at Stripe.")
            % {"intent": intent.id},
        )
        return StripeEvent.Outcome.FLAGGED
    mismatch = _mismatch(payment=payment, intent=intent)
    if mismatch:
        _payment_flag(payment=payment, reason=mismatch)
        return StripeEvent.Outcome.FLAGGED

    now = timezone.now()
    stripe_payment_transition(
        payment=payment,
        to=State.SUCCEEDED,
        event_at=event_at,
        amount_received=intent.amount_received,
        paid_at=now,
        method_label=intent.method_label or payment.method_label,
        last_error="",
    )
    order = payment.order
    # Oscar's payment history: a source debited with the whole amount, and a "Paid" event.
    source = _source_for(payment)
    source.amount_allocated = payment.amount
    source.reference = intent.id
    with translation.override(settings.LANGUAGE_CODE):  # kept in the order's history, in the shop's language
        source.label = payment.paid_with[:128]
    source.save()
    source.debit(payment.amount, reference=intent.latest_charge or intent.id, status="succeeded")
    lines = list(order.lines.order_by("pk"))
    EventHandler().create_payment_event(
        order,
        _payment_event_type(PAID_EVENT_NAME),
        payment.amount,
        lines=lines,
        line_quantities=[line.quantity for line in lines],
        reference=intent.id,
    )
    if orders.order_is_cancelled(order):
        _payment_flag(
            payment=payment,
            reason=_("Payment %(intent)s arrived after the order was cancelled: refund it.")
            % {"intent": intent.id},
        )
        return StripeEvent.Outcome.FLAGGED
    orders.order_mark_paid(
        order=order,
        note=_("Payment received through Stripe: %(method)s (%(intent)s).")
        % {"method": payment.get_method_display(), "intent": intent.id},
    )
    if refunded < intent.amount_received:
        payment_receipt_record(payment=payment)
    return StripeEvent.Outcome.APPLIED


def _apply_failed(*, payment: StripePayment, intent: gateway.Intent, event_at) -> str:
    moved = stripe_payment_transition(
        payment=payment, to=State.FAILED, event_at=event_at, last_error=intent.last_error
    )
    return StripeEvent.Outcome.APPLIED if moved else StripeEvent.Outcome.IGNORED


def _apply_processing(*, payment: StripePayment, event_at) -> str:
    moved = stripe_payment_transition(payment=payment, to=State.PROCESSING, event_at=event_at)
    return StripeEvent.Outcome.APPLIED if moved else StripeEvent.Outcome.IGNORED


def _apply_canceled(*, payment: StripePayment, reason: str) -> str:
    if payment.state not in StripePayment.AWAITING:
        return StripeEvent.Outcome.IGNORED
    stripe_payment_transition(payment=payment, to=State.CANCELED, canceled_at=timezone.now())
    if not orders.order_is_cancelled(payment.order):
        orders.order_cancel_unpaid(order=payment.order, reason=reason)
    return StripeEvent.Outcome.APPLIED


def _apply_intent(
    *, payment: StripePayment, intent: gateway.Intent, event_at, refunded: Decimal = Decimal("0")
) -> str:
    """Bring a locked payment up to what Stripe says of its intent right now."""
    if intent.status == "succeeded":
        return _apply_succeeded(payment=payment, intent=intent, event_at=event_at, refunded=refunded)
    if intent.status == "processing":
        return _apply_processing(payment=payment, event_at=event_at)
    if intent.status == "requires_payment_method" and intent.last_error:
        return _apply_failed(payment=payment, intent=intent, event_at=event_at)
    if intent.status == "canceled":
        return _apply_canceled(
            payment=payment, reason=_("The payment was cancelled at Stripe; the order is cancelled.")
        )
    return StripeEvent.Outcome.IGNORED


# --- Webhook events ----------------------------------------------------------------------------


def stripe_event_record(*, event: dict) -> tuple[StripeEvent | None, bool]:
    """Store a verified event by its id and queue its processing after commit.

    Returns ``(event, True)`` for a new event and ``(None, False)`` for one already stored: a
    second delivery does nothing. Queueing failures (Redis down) are logged, never raised; the
    sweeper picks the event up later.
    """
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"],
                type=str(event["type"])[:100],
                livemode=bool(event.get("livemode")),
                payload=event,
                stripe_created_at=datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC),
            )
            event_id = record.event_id
            transaction.on_commit(lambda: stripe_event_enqueue(event_id=event_id), robust=True)
    except IntegrityError:
        return None, False
    return record, True


def stripe_event_enqueue(*, event_id: str) -> bool:
    """Hand the event to a worker; False (logged) when the broker cannot take it."""
    from .tasks import stripe_event_process_task

    try:
        queue_now(stripe_event_process_task, event_id)
    except Exception:  # broker down (or, when eager, the processing failed): the sweeper retries
        logger.exception("stripe: event %s not queued or not processed; the sweeper will take it", event_id)
        return False
    return True


def _event_intent_id(event: StripeEvent) -> str:
    """The PaymentIntent an event is about: the object itself, or the charge's or refund's intent."""
    obj = event.data_object
    if event.type in INTENT_EVENTS:
        return str(obj.get("id") or "") if obj.get("object") == "payment_intent" else ""
    if event.type in REFUND_EVENTS:
        intent_id = obj.get("payment_intent") or ""
        return intent_id if isinstance(intent_id, str) else str(intent_id.get("id") or "")
    return ""


def _payment_id_for(*, intent_id: str, order_number: str = "") -> int | None:
    found = StripePayment.objects.filter(payment_intent_id=intent_id).values_list("pk", flat=True).first()
    if found is None and order_number:
        # The webhook beat us to saving the intent id: the metadata names the order.
        found = (
            StripePayment.objects.filter(order__number=order_number, payment_intent_id="")
            .values_list("pk", flat=True)
            .first()
        )
    return found


UNKNOWN_INTENT = object()


def _prepare(event: StripeEvent, fetched: dict | None = None):
    """Stripe's own PaymentIntent and its refunds, fetched before any lock is taken.

    An event only says *that* something happened to an intent; what the payment is now comes from
    Stripe's objects, so events applied in any order (a refund before the success, a failure after
    it, one delivered twice or days late) all end in the same state.
    """
    intent_id = _event_intent_id(event)
    if not intent_id:
        return None
    order_number = str((event.data_object.get("metadata") or {}).get("order_number") or "")
    if _payment_id_for(intent_id=intent_id, order_number=order_number) is None:
        return UNKNOWN_INTENT  # not one of ours (another shop on the account): Stripe is not asked
    if fetched is not None and intent_id in fetched:
        return fetched[intent_id]  # fetched during this sweep, after this event was received
    intent = gateway.payment_intent_retrieve(intent_id)
    refunds = gateway.refunds_list(payment_intent_id=intent_id) if intent.amount_received else []
    prepared = (intent, refunds, timezone.now())
    if fetched is not None:
        fetched[intent_id] = prepared
    return prepared


def stripe_event_process(*, event_id: str, fetched: dict | None = None) -> StripeEvent | None:
    """Apply one stored event, once. Safe to run twice or concurrently for the same event.

    Raises ``StripeUnavailable`` when a Stripe call it needs fails: the event stays unprocessed
    and the task (or the sweeper) tries again. ``fetched`` (the sweeper's): Stripe's objects
    already fetched for events received before the sweep began, by intent id, reused here.
    """
    event = StripeEvent.objects.filter(event_id=event_id).first()
    if event is None or event.processed_at is not None:
        return event
    StripeEvent.objects.filter(pk=event.pk).update(attempts=event.attempts + 1)
    prepared = _prepare(event, fetched)
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if event.processed_at is not None:
            return event
        outcome, detail, payment_id = _dispatch(event, prepared)
        event.outcome = outcome
        event.detail = detail
        event.payment_id = payment_id
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "detail", "payment", "processed_at"])
    return event


def _dispatch(event: StripeEvent, prepared) -> tuple[str, str, int | None]:
    if event.type not in INTENT_EVENTS and event.type not in REFUND_EVENTS:
        return StripeEvent.Outcome.IGNORED, "event type not handled", None
    if prepared is None:
        return StripeEvent.Outcome.IGNORED, "no PaymentIntent in the event", None
    if prepared is UNKNOWN_INTENT:
        return StripeEvent.Outcome.IGNORED, "no card payment for this PaymentIntent", None
    intent, refunds, fetched_at = prepared
    payment_id = _payment_id_for(intent_id=intent.id, order_number=intent.metadata.get("order_number", ""))
    if payment_id is None:
        return StripeEvent.Outcome.IGNORED, "no card payment for this PaymentIntent", None
    payment = _lock(payment_id)
    if not payment.payment_intent_id:
        payment.payment_intent_id = intent.id
        payment.save(update_fields=["payment_intent_id", "updated_at"])
    outcome = stripe_payment_resolve(payment=payment, intent=intent, refunds=refunds, fetched_at=fetched_at)
    return outcome, f"payment {payment.get_state_display()}", payment.pk


def stripe_payment_resolve(
    *, payment: StripePayment, intent: gateway.Intent, refunds: list[gateway.Refund], fetched_at
) -> str:
    """Bring a locked payment up to Stripe's intent and refunds as fetched at ``fetched_at``.

    Money received is recorded first, then every succeeded refund; a payment already refunded in
    full when its success is first seen gets no "payment received" e-mail.
    """
    refunded = sum((r.amount for r in refunds if r.status == "succeeded"), Decimal("0"))
    outcome = _apply_intent(payment=payment, intent=intent, event_at=fetched_at, refunded=refunded)
    if payment.is_paid and refunds and stripe_refunds_sync(payment=payment, refunds=refunds):
        outcome = StripeEvent.Outcome.APPLIED
    return outcome


def stripe_events_sweep(*, batch_size: int = 100, seconds: float = 45.0, now=None) -> dict:
    """Process stored events no task took (Redis was down, a worker died), oldest first, in batches.

    Runs until nothing is left or ``seconds`` have passed (the job runs every minute; a backlog
    left over is taken by the next run). Stripe's objects are fetched once per PaymentIntent per
    sweep, so a payment's several events cost one round trip; an event that fails is left for the
    next run (up to its attempt limit) and not tried again in this one.
    """
    from . import selectors

    started = time.monotonic()
    now = now or timezone.now()
    fetched: dict = {}
    skipped: set[str] = set()
    processed = failed = 0
    while time.monotonic() - started < seconds:
        batch = list(
            selectors.events_unprocessed(now=now)
            .exclude(event_id__in=skipped)
            .values_list("event_id", flat=True)[:batch_size]
        )
        if not batch:
            break
        for event_id in batch:
            try:
                stripe_event_process(event_id=event_id, fetched=fetched)
                processed += 1
            except gateway.StripeError:
                logger.warning("stripe sweep: event %s still cannot be processed", event_id)
                skipped.add(event_id)
                failed += 1
            except Exception:  # one bad event must not stop the others; retried up to its limit
                logger.exception("stripe sweep: event %s failed", event_id)
                skipped.add(event_id)
                failed += 1
            if time.monotonic() - started >= seconds:
                break
    return {"processed": processed, "failed": failed, "stripe_fetches": len(fetched)}


INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.canceled",
}
REFUND_EVENTS = {"charge.refunded", "refund.updated", "refund.failed", "charge.refund.updated"}


# --- Reconciliation and unpaid orders ----------------------------------------------------------


def stripe_payment_reconcile(*, payment: StripePayment) -> str:
    """Ask Stripe about an awaiting payment and apply the answer, so a missed webhook does no harm."""
    if not payment.payment_intent_id or not payment.is_awaiting:
        return StripeEvent.Outcome.IGNORED
    intent = gateway.payment_intent_retrieve(payment.payment_intent_id)
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.needs_review:
            return StripeEvent.Outcome.IGNORED
        return _apply_intent(payment=locked, intent=intent, event_at=timezone.now())


def stripe_payment_expire(*, payment: StripePayment) -> bool:
    """Cancel an order left unpaid and give its stock back; True if it was cancelled.

    Stripe is asked first: an intent that succeeded (or is processing) is applied instead, and
    the intent is cancelled at Stripe before the order, so it can never be paid afterwards.
    """
    intent_id = payment.payment_intent_id
    if intent_id:
        intent = gateway.payment_intent_retrieve(intent_id)
        if intent.status not in ("succeeded", "processing", "canceled"):
            try:
                intent = gateway.payment_intent_cancel(
                    intent_id, idempotency_key=f"order-{payment.order.number}-pi-cancel-v1"
                )
            except gateway.StripeRejected:
                # Most likely paid in the meantime; whatever it is, apply what Stripe now says.
                intent = gateway.payment_intent_retrieve(intent_id)
        if intent.status != "canceled":
            with transaction.atomic():
                _apply_intent(payment=_lock(payment.pk), intent=intent, event_at=timezone.now())
            return False
    with transaction.atomic():
        locked = _lock(payment.pk)
        if locked.state not in StripePayment.AWAITING or locked.needs_review:
            return False
        if locked.payment_intent_id != intent_id:  # an intent appeared meanwhile: next run decides
            return False
        stripe_payment_transition(payment=locked, to=State.CANCELED, canceled_at=timezone.now())
        return orders.order_cancel_unpaid(
            order=locked.order,
            reason=_("Cancelled: not paid within the time allowed; the stock has been given back."),
        )


def stripe_payment_cancel_at_stripe(*, payment: StripePayment) -> str:
    """The order was cancelled elsewhere: cancel its intent so the buyer can no longer pay it."""
    if payment.state not in StripePayment.AWAITING:
        return StripeEvent.Outcome.IGNORED
    if payment.payment_intent_id:
        try:
            intent = gateway.payment_intent_cancel(
                payment.payment_intent_id, idempotency_key=f"order-{payment.order.number}-pi-cancel-v1"
            )
        except gateway.StripeRejected:
            intent = gateway.payment_intent_retrieve(payment.payment_intent_id)
        with transaction.atomic():
            locked = _lock(payment.pk)
            if intent.status != "canceled":
                return _apply_intent(payment=locked, intent=intent, event_at=timezone.now())
            return _apply_canceled(payment=locked, reason="")
    with transaction.atomic():
        return _apply_canceled(payment=_lock(payment.pk), reason="")


def payment_on_order_cancelled(*, order) -> None:
    """Called (inside the cancelling transaction) whenever an order becomes "Cancelled"."""
    payment = StripePayment.objects.filter(order=order).first()
    if payment is None or payment.state not in StripePayment.AWAITING:
        return
    if not payment.payment_intent_id:
        stripe_payment_transition(payment=_lock(payment.pk), to=State.CANCELED, canceled_at=timezone.now())
        return
    from .tasks import stripe_payment_cancel_task

    payment_id = payment.pk
    transaction.on_commit(lambda: _safe_delay(stripe_payment_cancel_task, payment_id), robust=True)


def payment_on_order_total_lowered(*, order) -> None:
    """Inside the transaction that took lines off an unpaid order: the card payment follows its total.

    The payment row gets the new amount at once (so the pay page and the "paid" check expect it);
    an intent already created at Stripe is updated after the commit, through the outbox
    (``payment.intent_amount``), with an idempotency key made of the order number and the amount.
    """
    payment = StripePayment.objects.filter(order=order).first()
    if payment is None or payment.state not in StripePayment.AWAITING:
        return
    locked = _lock(payment.pk)
    if locked.amount == order.total_incl_tax or order.total_incl_tax <= 0:
        return
    locked.amount = order.total_incl_tax
    locked.save(update_fields=["amount", "updated_at"])
    if locked.payment_intent_id:
        fen = gateway.to_fen(locked.amount)
        outbox_add(
            kind="payment.intent_amount",
            payload={"payment_id": locked.pk, "amount": str(locked.amount)},
            key=f"payment:{locked.pk}:intent-amount:{fen}",
        )


def stripe_payment_intent_amount_sync(*, payment_id: int, amount: Decimal) -> str:
    """Ask Stripe to charge ``amount`` for the payment's intent (the outbox handler's service).

    Does nothing when the payment has moved on (paid, cancelled, or a later change of amount). If
    Stripe refuses because the buyer has paid or is paying meanwhile, what Stripe says is applied:
    a payment of the old amount is then flagged for staff by the usual amount check, never marked
    paid. ``StripeUnavailable`` is raised for the outbox to try again.
    """
    payment = StripePayment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None or payment.state not in StripePayment.AWAITING or payment.amount != amount:
        return StripeEvent.Outcome.IGNORED
    try:
        gateway.payment_intent_amount_update(
            payment.payment_intent_id,
            amount=amount,
            idempotency_key=f"order-{payment.order.number}-pi-amount-{gateway.to_fen(amount)}",
        )
    except gateway.StripeRejected:
        intent = gateway.payment_intent_retrieve(payment.payment_intent_id)
        with transaction.atomic():
            return _apply_intent(payment=_lock(payment.pk), intent=intent, event_at=timezone.now())
    return StripeEvent.Outcome.APPLIED


# --- Refunds -----------------------------------------------------------------------------------

_REFUND_STATES = {
    "pending": StripeRefund.State.PENDING,
    "requires_action": StripeRefund.State.PENDING,
    "succeeded": StripeRefund.State.SUCCEEDED,
    "failed": StripeRefund.State.FAILED,
    "canceled": StripeRefund.State.CANCELED,
}


def refund_idempotency_key(*, order_number: str, token: str) -> str:
    return f"order-{order_number}-refund-{token}"


def new_refund_token() -> str:
    """A fresh token for a refund form: the same form posted twice is one refund."""
    return uuid.uuid4().hex


def stripe_refund_request(
    *, payment: StripePayment, amount, token: str, user=None, reason: str = ""
) -> StripeRefund:
    """Save a refund request after checking the amount; nothing is sent to Stripe here.

    Raises ``RefundNotAllowed`` (with a message for staff) for an amount that is not positive,
    not whole fen, or more than can still be refunded. The same ``token`` twice returns the
    request already saved.
    """
    try:
        token = uuid.UUID(str(token)).hex
    except ValueError:
        raise RefundNotAllowed(_("This refund form has expired; open it again."))
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise RefundNotAllowed(_("Enter the amount to refund, in yuan."))
    if not amount.is_finite() or amount <= 0:
        raise RefundNotAllowed(_("Enter an amount above zero."))
    if amount != amount.quantize(gateway.CENT):
        raise RefundNotAllowed(_("Amounts have at most two decimal places."))
    key = refund_idempotency_key(order_number=payment.order.number, token=token)
    with transaction.atomic():
        locked = _lock(payment.pk)
        existing = StripeRefund.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        if not locked.is_paid:
            raise RefundNotAllowed(_("Only a paid card payment can be refunded."))
        refundable = locked.amount_refundable
        if amount > refundable:
            raise RefundNotAllowed(
                _("At most %(amount)s can still be refunded.") % {"amount": _yuan(refundable)}
            )
        return StripeRefund.objects.create(
            payment=locked, amount=amount, reason=reason[:255], requested_by=user, idempotency_key=key
        )


def stripe_refund_submit(*, refund: StripeRefund) -> StripeRefund:
    """Send a saved refund request to Stripe (again, with the same key) and record the answer.

    Raises ``StripeUnavailable`` (the request stays "requested"; send it again later) or
    ``StripeRejected`` (the request is marked failed with Stripe's message).
    """
    if refund.state != StripeRefund.State.REQUESTED:
        return refund
    payment = refund.payment
    try:
        answer = gateway.refund_create(
            payment_intent_id=payment.payment_intent_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            metadata={"order_number": payment.order.number, "refund_request": str(refund.pk)},
        )
    except gateway.StripeRejected as exc:
        StripeRefund.objects.filter(pk=refund.pk, state=StripeRefund.State.REQUESTED).update(
            state=StripeRefund.State.FAILED, failure_message=str(exc)[:500], updated_at=timezone.now()
        )
        raise
    with transaction.atomic():
        stripe_refunds_sync(payment=_lock(payment.pk), refunds=[answer])
    refund.refresh_from_db()
    return refund


def stripe_refunds_sync(*, payment: StripePayment, refunds: list[gateway.Refund]) -> int:
    """Bring a locked payment's refunds up to Stripe's list; returns how many were newly recorded.

    Each Stripe refund is matched by its id, or by the request id we put in its metadata, so a
    webhook that arrives before our own API call returns records it once, not twice. A refund
    made in Stripe's dashboard is added as a row of its own. Succeeded refunds are written into
    Oscar's history (source refund, transaction, "Refunded" payment event) exactly once.
    """
    recorded = 0
    for found in refunds:
        row = StripeRefund.objects.filter(stripe_refund_id=found.id).first()
        if row is None and found.metadata.get("refund_request", "").isdigit():
            row = StripeRefund.objects.filter(
                pk=int(found.metadata["refund_request"]), payment=payment, stripe_refund_id=""
            ).first()
        if row is None:
            row = StripeRefund(
                payment=payment,
                amount=found.amount,
                reason=_("Refunded at Stripe"),
                stripe_refund_id=found.id,
            )
        row.stripe_refund_id = found.id
        row.state = _REFUND_STATES.get(found.status, row.state)
        if row.state == StripeRefund.State.FAILED:
            row.failure_message = found.failure_reason[:500]
        row.save()
        if row.state == StripeRefund.State.SUCCEEDED and row.recorded_at is None:
            _record_refund(payment=payment, refund=row)
            recorded += 1
    return recorded


def _record_refund(*, payment: StripePayment, refund: StripeRefund) -> None:
    order = payment.order
    source = _source_for(payment)
    if source.pk is not None:
        source.refund(refund.amount, reference=refund.stripe_refund_id, status="succeeded")
    EventHandler().create_payment_event(
        order, _payment_event_type(REFUNDED_EVENT_NAME), refund.amount, reference=refund.stripe_refund_id
    )
    refund.recorded_at = timezone.now()
    refund.save(update_fields=["recorded_at", "updated_at"])
    total = payment.amount_refunded + refund.amount
    target = State.REFUNDED if total >= payment.amount_received else State.PARTIALLY_REFUNDED
    if target != payment.state:
        stripe_payment_transition(payment=payment, to=target, amount_refunded=total)
    else:
        payment.amount_refunded = total
        payment.save(update_fields=["amount_refunded", "updated_at"])
    orders.order_note(
        order=order,
        message=_("Refunded %(amount)s through Stripe: %(method)s (%(refund)s).")
        % {
            "amount": _yuan(refund.amount),
            "method": payment.get_method_display(),
            "refund": refund.stripe_refund_id,
        },
        user=refund.requested_by,
    )


def _yuan(amount: Decimal) -> str:
    return currency(amount, "CNY")


# --- Review and receipts -----------------------------------------------------------------------


@transaction.atomic
def stripe_payment_review_clear(*, payment: StripePayment, user, note: str) -> StripePayment:
    """Staff have looked at a flagged payment: clear the flag and keep their note on the order."""
    locked = _lock(payment.pk)
    if not locked.needs_review:
        return locked
    locked.needs_review = False
    locked.review_reason = ""
    locked.save(update_fields=["needs_review", "review_reason", "updated_at"])
    orders.order_note(
        order=locked.order, message=_("Card payment review closed: %(note)s") % {"note": note}, user=user
    )
    return locked


def stripe_payment_receipt_send(*, payment_id: int) -> bool:
    """E-mail the buyer that their payment arrived, once; True if this call sent it."""
    # Refunded in full before the e-mail went out: "payment received" would mislead; not sent.
    claimed = (
        StripePayment.objects.filter(pk=payment_id, receipt_sent_at__isnull=True)
        .exclude(state=State.REFUNDED)
        .update(receipt_sent_at=timezone.now())
    )
    if not claimed:
        return False
    payment = StripePayment.objects.select_related("order", "order__user").get(pk=payment_id)
    order = payment.order
    OrderDispatcher = get_class("order.utils", "OrderDispatcher")
    dispatcher = OrderDispatcher()
    try:
        messages = dispatcher.dispatcher.get_messages(
            RECEIPT_EVENT_CODE, {"order": order, "payment": payment, "lines": order.lines.all()}
        )
        dispatcher.dispatch_order_messages(order, messages, RECEIPT_EVENT_CODE)
    except Exception:
        # Give the claim back so a retry sends it; the caller's task retries with backoff.
        StripePayment.objects.filter(pk=payment_id).update(receipt_sent_at=None)
        raise
    return True


RECEIPT_EVENT_CODE = "PAYMENT_RECEIVED"


def payment_receipt_record(*, payment: StripePayment) -> None:
    """Inside the transaction marking the order paid: the receipt goes in the outbox, by e-mail, or
    by SMS when the order has no e-mail address but a verified mobile number (never both)."""
    if payment_receipt_sms_record(order=payment.order):
        return
    outbox_add(
        kind="payment.receipt", payload={"payment_id": payment.pk}, key=f"payment:{payment.pk}:receipt"
    )


def _safe_delay(task, *args) -> None:
    try:
        queue_now(task, *args)
    except Exception:  # broker down: the periodic jobs catch up (see tasks)
        logger.exception("could not queue %s%r", task.name, args)
