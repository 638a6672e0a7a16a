"""Reads for card payments: what the periodic jobs, the buyer's pages and the dashboard look at."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from oscar.core.loading import get_model

from .models import StripeEvent, StripePayment
from .orders import ORDER_CANCELLED, ORDER_PENDING_PAYMENT

Order = get_model("order", "Order")

# Session key listing the order numbers a guest may follow (see ``payment_grant_access``).
SESSION_ORDERS_KEY = "payment_order_numbers"
# Events younger than this are left to the task queued for them; older ones go to the sweeper.
EVENT_SWEEP_AFTER = timedelta(minutes=1)
# An event that failed this often is left for people (Django admin lists it), not retried forever.
EVENT_MAX_ATTEMPTS = 10
# Give the webhook this long before the reconciliation job asks Stripe about a payment.
RECONCILE_AFTER = timedelta(minutes=5)


def unpaid_order_timeout() -> timedelta:
    return timedelta(minutes=settings.STRIPE_UNPAID_ORDER_MINUTES)


def payments_to_expire(*, now=None) -> QuerySet[StripePayment]:
    """Card payments whose order has waited for payment longer than allowed.

    Only orders paid by card (they have a ``StripePayment``) and still "Pending payment";
    "processing" ones (the bank is deciding) and those flagged for staff are left alone.
    """
    now = now or timezone.now()
    return (
        StripePayment.objects.filter(
            state__in=[StripePayment.State.REQUIRES_PAYMENT, StripePayment.State.FAILED],
            needs_review=False,
            order__status=ORDER_PENDING_PAYMENT,
            order__date_placed__lte=now - unpaid_order_timeout(),
        )
        .select_related("order")
        .order_by("pk")
    )


def payments_to_reconcile(*, now=None) -> QuerySet[StripePayment]:
    """Awaiting payments with an intent, old enough that their webhook should have come."""
    now = now or timezone.now()
    return (
        StripePayment.objects.filter(
            state__in=StripePayment.AWAITING,
            needs_review=False,
            created_at__lte=now - RECONCILE_AFTER,
        )
        .exclude(payment_intent_id="")
        .select_related("order")
        .order_by("pk")
    )


def payments_cancelled_elsewhere() -> QuerySet[StripePayment]:
    """Awaiting payments whose order was cancelled by someone else: their intent must go."""
    return StripePayment.objects.filter(
        state__in=StripePayment.AWAITING, order__status=ORDER_CANCELLED
    ).select_related("order")


def events_unprocessed(*, now=None) -> QuerySet[StripeEvent]:
    """Stored events nobody processed (the queue was down, a worker died), oldest first."""
    now = now or timezone.now()
    return StripeEvent.objects.filter(
        processed_at__isnull=True, received_at__lte=now - EVENT_SWEEP_AFTER, attempts__lt=EVENT_MAX_ATTEMPTS
    ).order_by("received_at", "pk")


def order_for_buyer(request, number: str):
    """The order if the person asking placed it (their account, or this browser for a guest); else 404."""
    order = Order.objects.filter(number=number).select_related("stripe_payment").first()
    if order is None:
        raise Http404
    user = request.user
    if order.user_id is not None:
        if user.is_authenticated and user.pk == order.user_id:
            return order
        raise Http404
    session = request.session
    if number in session.get(SESSION_ORDERS_KEY, []) or session.get("checkout_order_id") == order.pk:
        return order
    raise Http404


def payment_grant_access(request, order) -> None:
    """Let this browser follow the order's payment (what guests rely on); the checkout calls it."""
    numbers = [n for n in request.session.get(SESSION_ORDERS_KEY, []) if n != order.number]
    request.session[SESSION_ORDERS_KEY] = (numbers + [order.number])[-20:]


def payment_for_order(order) -> StripePayment | None:
    try:
        return order.stripe_payment
    except StripePayment.DoesNotExist:
        return None


def dashboard_payments(
    *, state: str = "", method: str = "", needs_review: bool = False, query: str = ""
) -> QuerySet:
    """Online payments (card, Alipay, WeChat Pay) for staff, flagged ones first."""
    payments = StripePayment.objects.select_related("order").order_by("-needs_review", "-created_at", "-pk")
    if state:
        payments = payments.filter(state=state)
    if method:
        payments = payments.filter(method=method)
    if needs_review:
        payments = payments.filter(needs_review=True)
    if query:
        payments = payments.filter(Q(order__number__icontains=query) | Q(payment_intent_id__icontains=query))
    return payments
