"""The webhook, and the buyer's two pages: pay for a placed order, then watch it become paid.

Nothing here trusts the browser about money: the amount comes from the order, and only a
verified webhook (or Stripe's own answer to the reconciliation) marks an order paid.
"""

import logging

import segno
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services
from . import stripe_gateway as gateway
from .models import StripePayment
from .orders import ORDER_CANCELLED

logger = logging.getLogger(__name__)

# A buyer back from Stripe may make the status endpoint ask Stripe itself, at most this often.
STATUS_CHECK_EVERY_SECONDS = 15


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Verify, store, queue, answer: the processing happens in ``stripe_event_process_task``."""
    try:
        event = gateway.webhook_event_verify(request.body, request.headers.get("Stripe-Signature"))
    except gateway.WebhookInvalid as exc:
        logger.warning("stripe webhook refused: %s", exc)
        return HttpResponseBadRequest("invalid signature")
    services.stripe_event_record(event=event)
    return HttpResponse(status=200)


@never_cache
@require_safe
def order_pay(request, number):
    """The Payment Element page for a placed order: creates or reuses its PaymentIntent."""
    order = selectors.order_for_buyer(request, number)
    status_url = reverse("payments:order-status", kwargs={"number": order.number})
    if not gateway.stripe_enabled():
        return _render_problem(request, order, _("Card payment is not available at the moment."), status=503)
    # Only orders placed with the card method have a payment (see methods.StripeCardMethod.start):
    # an order placed for bank transfer is never turned into a card order, and so never falls
    # under the 30-minute cancellation meant for card orders.
    payment = selectors.payment_for_order(order)
    if payment is None:
        return redirect(status_url)
    if not payment.is_awaiting or order.status == ORDER_CANCELLED or payment.needs_review:
        return redirect(status_url)
    if payment.method != StripePayment.Method.CARD:
        return _wallet_pay(request, order, payment, status_url)
    try:
        intent = services.stripe_payment_intent_ensure(payment=payment)
    except gateway.StripeUnavailable:
        return _render_problem(
            request,
            order,
            _("We could not reach the card payment service. Your order is kept; please try again."),
            status=503,
            retry=True,
        )
    except gateway.StripeRejected:
        logger.exception("stripe: could not start payment for order %s", order.number)
        return _render_problem(
            request,
            order,
            _("Card payment could not be started for this order. Please contact us."),
            status=502,
        )
    if intent.status in ("succeeded", "processing", "canceled"):
        return redirect(status_url)
    context = {
        "order": order,
        "payment": payment,
        "client_secret": intent.client_secret,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "return_url": request.build_absolute_uri(status_url),
        "pay_before": order.date_placed + selectors.unpaid_order_timeout(),
        "stripe_locale": "zh" if request.LANGUAGE_CODE.startswith("zh") else "en",
    }
    return render(request, "payment/pay.html", context)


def _wallet_pay(request, order, payment, status_url):
    """Alipay: a button to Alipay's page (Stripe's redirect). WeChat Pay: the QR code to scan.

    Both pages poll ``status.json`` until Stripe's webhook marks the order paid. Not an automatic
    redirect to Alipay: a buyer coming back with the browser's back button would be sent there
    again and again.
    """
    return_url = request.build_absolute_uri(status_url)
    try:
        intent = services.stripe_payment_wallet_start(payment=payment, return_url=return_url)
    except gateway.StripeUnavailable:
        return _render_problem(
            request,
            order,
            _("We could not reach the payment service. Your order is kept; please try again."),
            status=503,
            retry=True,
        )
    except gateway.StripeRejected:
        logger.exception("stripe: could not start %s for order %s", payment.method, order.number)
        return _render_problem(
            request, order, _("This payment could not be started. Please contact us."), status=502
        )
    if intent.status in ("succeeded", "processing", "canceled"):
        return redirect(status_url)
    action = intent.next_action
    redirect_url = action.redirect_url if action else ""
    if redirect_url and not _from_stripe(redirect_url):
        logger.error("stripe: order %s got an unexpected redirect %s", order.number, redirect_url)
        redirect_url = ""
    qr_image = ""
    if action and action.qr_data:
        # Drawn here from Stripe's QR content: an <img> a buyer in WeChat can long-press.
        qr_image = segno.make(action.qr_data, error="m").png_data_uri(scale=8, border=4)
    elif action and action.qr_image.startswith(("data:image/", "https://")):
        qr_image = action.qr_image
    if not redirect_url and not qr_image:
        logger.error("stripe: order %s has no next action for %s (%s)", order.number, payment.method, action)
        return _render_problem(
            request, order, _("This payment could not be started. Please contact us."), status=502
        )
    context = {
        "order": order,
        "payment": payment,
        "redirect_url": redirect_url,
        "qr_image": qr_image,
        "hosted_url": action.hosted_url if action and _from_stripe(action.hosted_url) else "",
        "pay_before": order.date_placed + selectors.unpaid_order_timeout(),
        "in_wechat": "micromessenger" in request.headers.get("User-Agent", "").lower(),
    }
    return render(request, "payment/pay_wallet.html", context)


def _from_stripe(url: str) -> bool:
    """A page Stripe named over HTTPS (Alipay's, Stripe's hosted QR), or on STRIPE_API_BASE (the fake)."""
    base = settings.STRIPE_API_BASE.rstrip("/")
    return url.startswith("https://") or bool(base and url.startswith(base + "/"))


def _render_problem(request, order, message, *, status, retry=False):
    context = {"order": order, "message": message, "retry": retry}
    return render(request, "payment/problem.html", context, status=status)


@never_cache
@require_safe
def order_status(request, number):
    """Where Stripe sends the buyer back: pending or paid, updating itself."""
    order = selectors.order_for_buyer(request, number)
    returned = request.GET.get("redirect_status") in ("succeeded", "processing")
    status = _status(order, returned=returned)
    return render(request, "payment/status.html", {"order": order, "status": status})


@never_cache
@require_safe
def order_status_json(request, number):
    """The status page's poll. ``?check=1`` (a buyer back from Stripe) may ask Stripe directly."""
    order = selectors.order_for_buyer(request, number)
    payment = selectors.payment_for_order(order)
    if (
        request.GET.get("check")
        and payment is not None
        and payment.is_awaiting
        and payment.payment_intent_id
        and not payment.needs_review
        and cache.add(f"payment:check:{payment.pk}", 1, STATUS_CHECK_EVERY_SECONDS)
    ):
        try:
            services.stripe_payment_reconcile(payment=payment)
        except gateway.StripeError:
            logger.info("stripe: status check for order %s could not reach Stripe", order.number)
        order = selectors.order_for_buyer(request, number)  # again: the state may have moved
    return JsonResponse(_status(order, returned=bool(request.GET.get("returned"))))


def _status(order, *, returned: bool = False) -> dict:
    """What the buyer sees: a state word for scripts, a sentence for people, and whether it is final."""
    payment = selectors.payment_for_order(order)
    state = payment.state if payment else ""
    if payment is not None and payment.is_paid:
        code, message, final = "paid", _("Payment received. Thank you! We are preparing your order."), True
    elif order.status == ORDER_CANCELLED:
        code, message, final = "cancelled", _("This order has been cancelled."), True
    elif payment is not None and payment.needs_review:
        code = "review"
        message = _(
            "We are checking this payment by hand and will contact you. You will not be charged twice."
        )
        final = True
    elif state == StripePayment.State.PROCESSING:
        code, message, final = (
            "processing",
            _("Your bank is confirming the payment. This page updates itself."),
            False,
        )
    elif state == StripePayment.State.FAILED:
        code = "failed"
        message = _("The last payment attempt did not go through. Nothing was charged; you can try again.")
        final = False
    elif returned:
        # Back from Stripe: it has the payment; the shop waits for Stripe's confirmation (webhook).
        code = "confirming"
        message = _("Thank you. We are confirming your payment with Stripe; this page updates itself.")
        final = False
    else:
        code = "pending"
        message = _("This order is waiting for payment. This page updates itself once it is paid.")
        final = False
    return {
        "order": order.number,
        "state": code,
        "message": message,
        "final": final,
        "order_status": order.status,
        "can_pay": code in ("pending", "failed") and gateway.stripe_enabled() and payment is not None,
    }
