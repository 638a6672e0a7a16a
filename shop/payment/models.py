"""Oscar's payment app, forked to take card payments through Stripe after the order is placed.

Oscar's ``Source``/``SourceType``/``Transaction`` stay the order's payment history (what the
dashboard shows). Three models of our own carry what Oscar has no place for:

* ``StripePayment``: one per order paid through Stripe (``method``: card, Alipay, WeChat Pay);
  its ``state`` only moves forward (see ``StripePayment.TRANSITIONS``; the one writer is
  ``services.stripe_payment_transition``).
* ``StripeEvent``: every verified webhook event, stored by its Stripe id before anything else
  happens, so a second delivery is a no-op and nothing is lost when the queue is down.
* ``StripeRefund``: one row per refund, with its own idempotency key.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# pgettext "card payment": short words Oscar and Django translate in another sense ("State" as a US state).


class StripePayment(models.Model):
    """The Stripe payment of one order (card, Alipay or WeChat Pay): its PaymentIntent and how far it has got.

    State machine (a state never moves back; "awaiting" states may alternate while the buyer
    retries, always in the order Stripe reported them)::

        requires_payment ─┬─> processing ─┬─> succeeded ─> partially_refunded ─> refunded
                          │      ↑ ↓      │        └─────────────────────────────> refunded
                          ├─> failed ─────┤
                          └───────────────┴─> canceled   (order cancelled unpaid)

    ``requires_payment``: the order waits for the buyer; ``failed``: the last attempt was
    declined and the buyer may try again on the same PaymentIntent; ``processing``: Stripe is
    waiting for the bank; ``succeeded``: money received and the order is "Paid";
    ``canceled``: the PaymentIntent was cancelled at Stripe (or never existed) and the order
    cancelled with its stock given back. ``needs_review`` is a flag beside the state: staff must
    look (an amount or currency that does not match, money for a cancelled order).
    """

    class State(models.TextChoices):
        REQUIRES_PAYMENT = "requires_payment", _("Awaiting payment")
        FAILED = "failed", _("Payment failed")
        PROCESSING = "processing", _("Processing")
        SUCCEEDED = "succeeded", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        CANCELED = "canceled", pgettext_lazy("card payment", "Cancelled")

    class Method(models.TextChoices):
        """The Stripe payment method type the buyer chose at checkout (``payment_method_types``)."""

        CARD = "card", _("Bank card")
        ALIPAY = "alipay", _("Alipay")
        WECHAT_PAY = "wechat_pay", _("WeChat Pay")

    AWAITING = (State.REQUIRES_PAYMENT, State.FAILED, State.PROCESSING)
    PAID = (State.SUCCEEDED, State.PARTIALLY_REFUNDED, State.REFUNDED)
    TRANSITIONS = {
        State.REQUIRES_PAYMENT: {State.FAILED, State.PROCESSING, State.SUCCEEDED, State.CANCELED},
        State.FAILED: {State.PROCESSING, State.SUCCEEDED, State.CANCELED},
        State.PROCESSING: {State.FAILED, State.SUCCEEDED, State.CANCELED},
        State.SUCCEEDED: {State.PARTIALLY_REFUNDED, State.REFUNDED},
        State.PARTIALLY_REFUNDED: {State.REFUNDED},
        State.REFUNDED: set(),
        State.CANCELED: set(),
    }

    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        related_name="stripe_payment",
        verbose_name=pgettext_lazy("card payment", "Order"),
    )
    state = models.CharField(
        pgettext_lazy("card payment", "State"),
        max_length=32,
        choices=State.choices,
        default=State.REQUIRES_PAYMENT,
        db_index=True,
    )
    method = models.CharField(
        _("Payment method"), max_length=16, choices=Method.choices, default=Method.CARD, db_index=True
    )
    payment_intent_id = models.CharField(_("PaymentIntent"), max_length=255, blank=True, default="")
    idempotency_key = models.CharField(
        _("Idempotency key"),
        max_length=255,
        unique=True,
        help_text=_("Sent when the PaymentIntent is created, so a retry reuses the same intent."),
    )
    # Bumped only when Stripe replays a saved failure for the current key (see services).
    intent_attempt = models.PositiveSmallIntegerField(_("Intent attempt"), default=1)
    # Alipay and WeChat Pay are confirmed by the server; each new confirmation (the first, and one
    # after a failed attempt) takes the next number, which is part of its idempotency key.
    confirm_attempt = models.PositiveSmallIntegerField(_("Confirmation attempt"), default=0)
    currency = models.CharField(_("Currency"), max_length=3, default="CNY")
    amount = models.DecimalField(
        pgettext_lazy("card payment", "Amount"),
        max_digits=12,
        decimal_places=2,
        help_text=_("The order total when payment started."),
    )
    amount_received = models.DecimalField(
        _("Amount received"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    amount_refunded = models.DecimalField(
        _("Amount refunded"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    method_label = models.CharField(_("Paid with"), max_length=128, blank=True)
    last_error = models.CharField(_("Last error"), max_length=500, blank=True)
    # The Stripe creation time of the newest event applied: an older event reaching us late
    # cannot move an "awaiting" state back to what it was before.
    last_event_at = models.DateTimeField(_("Latest Stripe event"), null=True, blank=True)
    needs_review = models.BooleanField(_("Needs review"), default=False, db_index=True)
    review_reason = models.TextField(_("Why it needs review"), blank=True)
    receipt_sent_at = models.DateTimeField(_("Receipt sent"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("card payment", "Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)
    paid_at = models.DateTimeField(_("Paid"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("Cancelled"), null=True, blank=True)

    class Meta:
        app_label = "payment"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Card payment")
        verbose_name_plural = _("Card payments")
        constraints = [
            models.UniqueConstraint(
                fields=["payment_intent_id"],
                condition=~Q(payment_intent_id=""),
                name="payment_stripepayment_intent_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_stripepayment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount_received")),
                name="payment_stripepayment_refunded_within_received",
            ),
            # Paid states: the whole order total arrived, and we know when.
            models.CheckConstraint(
                condition=~Q(state__in=["succeeded", "partially_refunded", "refunded"])
                | (Q(amount_received=F("amount")) & Q(paid_at__isnull=False)),
                name="payment_stripepayment_paid_means_received",
            ),
            models.CheckConstraint(
                condition=~Q(state="partially_refunded")
                | (Q(amount_refunded__gt=0) & Q(amount_refunded__lt=F("amount_received"))),
                name="payment_stripepayment_partial_refund_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state="refunded") | Q(amount_refunded=F("amount_received")),
                name="payment_stripepayment_refunded_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state="canceled") | Q(canceled_at__isnull=False),
                name="payment_stripepayment_canceled_at",
            ),
            models.CheckConstraint(
                condition=Q(needs_review=False) | ~Q(review_reason=""),
                name="payment_stripepayment_review_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.order.number} · {self.get_state_display()}"

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS[self.State(self.state)]

    @property
    def is_awaiting(self) -> bool:
        return self.state in self.AWAITING

    @property
    def is_paid(self) -> bool:
        return self.state in self.PAID

    @property
    def paid_with(self) -> str:
        """What the buyer paid with, for people: the card ("Visa •••• 4242") or the method's name."""
        if self.method == self.Method.CARD and self.method_label:
            return self.method_label
        return str(self.get_method_display())

    @property
    def amount_refundable(self) -> Decimal:
        """What staff may still refund: received, less refunds done or on their way."""
        if not self.is_paid:
            return Decimal("0.00")
        committed = sum((r.amount for r in self.refunds.all() if r.holds_money), Decimal("0.00"))
        return max(self.amount_received - max(committed, self.amount_refunded), Decimal("0.00"))


class StripeEvent(models.Model):
    """A verified Stripe webhook event, kept by its id: stored first, processed by a task."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        IGNORED = "ignored", _("Ignored")
        FLAGGED = "flagged", _("Flagged for staff")

    event_id = models.CharField(_("Stripe event"), max_length=255, unique=True)
    type = models.CharField(_("Type"), max_length=100, db_index=True)
    livemode = models.BooleanField(_("Live mode"), default=False)
    payload = models.JSONField(_("Payload"))
    stripe_created_at = models.DateTimeField(_("Created at Stripe"))
    received_at = models.DateTimeField(_("Received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("Processed"), null=True, blank=True)
    outcome = models.CharField(_("Outcome"), max_length=16, choices=Outcome.choices, blank=True)
    detail = models.TextField(_("Detail"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("Attempts"), default=0)
    payment = models.ForeignKey(
        StripePayment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("Card payment"),
    )

    class Meta:
        app_label = "payment"
        ordering = ["-received_at", "-pk"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        constraints = [
            models.CheckConstraint(
                condition=(Q(processed_at__isnull=True) & Q(outcome=""))
                | (Q(processed_at__isnull=False) & ~Q(outcome="")),
                name="payment_stripeevent_processed_has_outcome",
            ),
        ]
        indexes = [
            # The sweeper's query: what is still waiting, oldest first.
            models.Index(
                fields=["received_at"],
                condition=Q(processed_at__isnull=True),
                name="payment_event_unprocessed",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} ({self.type})"

    @property
    def data_object(self) -> dict:
        return (self.payload.get("data") or {}).get("object") or {}


class StripeRefund(models.Model):
    """A refund of a card payment: asked for by staff (or found at Stripe), with its own key."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")  # saved here, Stripe has not confirmed it yet
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")
        CANCELED = "canceled", pgettext_lazy("card payment", "Cancelled")

    # States in which the money is, or may be, on its way back to the buyer.
    HOLDING = (State.REQUESTED, State.PENDING, State.SUCCEEDED)

    payment = models.ForeignKey(
        StripePayment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("Card payment")
    )
    amount = models.DecimalField(pgettext_lazy("card payment", "Amount"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("Reason"), max_length=255, blank=True)
    state = models.CharField(
        pgettext_lazy("card payment", "State"),
        max_length=16,
        choices=State.choices,
        default=State.REQUESTED,
        db_index=True,
    )
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True, default="")
    idempotency_key = models.CharField(_("Idempotency key"), max_length=255, blank=True, default="")
    failure_message = models.CharField(_("Failure"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Requested by"),
    )
    # Set once the refund is written into Oscar's payment history (source, transaction, event).
    recorded_at = models.DateTimeField(_("Recorded in the order"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("card payment", "Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    class Meta:
        app_label = "payment"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Card refund")
        verbose_name_plural = _("Card refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_striperefund_amount_gt_0"),
            models.UniqueConstraint(
                fields=["stripe_refund_id"],
                condition=~Q(stripe_refund_id=""),
                name="payment_striperefund_stripe_id_unique",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payment_striperefund_key_unique",
            ),
            # Either we asked for it (a key) or Stripe told us about it (an id), or both.
            models.CheckConstraint(
                condition=~Q(idempotency_key="") | ~Q(stripe_refund_id=""),
                name="payment_striperefund_key_or_id",
            ),
        ]

    def __str__(self):
        return f"{self.payment.order.number} · {self.amount} · {self.get_state_display()}"

    @property
    def holds_money(self) -> bool:
        return self.state in self.HOLDING


from oscar.apps.payment.models import *  # noqa: E402
