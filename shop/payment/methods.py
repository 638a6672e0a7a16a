"""Card payment as a checkout payment method (card; Alipay and WeChat Pay where Stripe offers them).

A method of the checkout's registry (``shop.checkout.payment_methods``, listed in
``settings.SHOP_PAYMENT_METHODS``): the checkout places the order, calls ``order_placed`` inside
the placement transaction, then sends the buyer to ``next_url``, the Payment Element page.
Without the Stripe keys the method is not offered, so ``make run`` works offline with bank
transfer and pay on delivery.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop.checkout.payment_methods import PaymentMethod

from . import selectors, services
from .stripe_gateway import stripe_enabled


class StripeCard(PaymentMethod):
    code = "stripe-card"
    name = _("Card, Alipay or WeChat Pay")
    instructions_template = "payment/method/stripe_card"
    status_after_placement = None  # stays "Pending payment" until Stripe says it is paid

    @property
    def description(self) -> str:
        return gettext(
            "Pay online now through Stripe. Your order is held for %(minutes)s minutes while you pay."
        ) % {"minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}

    def is_available(self, *, basket=None, user=None) -> bool:
        return stripe_enabled()

    def order_placed(self, *, order, user=None) -> None:
        """Inside the placement transaction: the order's payment source and its card payment.

        No network call: the PaymentIntent is created when the buyer opens the pay page. From
        here on the unpaid-order job knows this is a card order.
        """
        super().order_placed(order=order, user=user)
        services.stripe_payment_open(order=order)

    def next_url(self, *, order, request) -> str:
        """After commit: the Payment Element page, which this browser may now open (guests too)."""
        selectors.payment_grant_access(request, order)
        return reverse("payments:order-pay", kwargs={"number": order.number})

    def instructions_context(self, order) -> dict:
        return {"order": order, "method": self, "minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}
