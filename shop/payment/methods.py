"""Stripe payment as checkout payment methods: bank card, Alipay and WeChat Pay.

Methods of the checkout's registry (``shop.checkout.payment_methods``, listed in
``settings.SHOP_PAYMENT_METHODS``): the checkout places the order, calls ``order_placed`` inside
the placement transaction, then sends the buyer to ``next_url``, the pay page, which takes each
method its own way (card: Stripe's Payment Element; Alipay: Alipay's page; WeChat Pay: a QR code).
A method is offered only where the shop's setting, its keys and the Stripe account allow
(``capabilities.stripe_method_offered``), so ``make run`` works offline with bank transfer and pay
on delivery.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop.checkout.payment_methods import PaymentMethod

from . import selectors, services
from .capabilities import stripe_method_offered
from .models import StripePayment


class StripeMethod(PaymentMethod):
    """One Stripe payment method type; the order stays "Pending payment" until Stripe says it is paid."""

    #: The Stripe payment method type (``payment_method_types``), one of ``StripePayment.Method``.
    stripe_type: str = ""
    instructions_template = "payment/method/stripe_card"
    status_after_placement = None

    @property
    def description(self) -> str:
        return gettext(
            "Pay online now through Stripe. Your order is held for %(minutes)s minutes while you pay."
        ) % {"minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}

    def is_available(self, *, basket=None, user=None) -> bool:
        return stripe_method_offered(self.stripe_type)

    def order_placed(self, *, order, user=None) -> None:
        """Inside the placement transaction: the order's payment source and its Stripe payment.

        No network call: the PaymentIntent is created when the buyer opens the pay page. From
        here on the unpaid-order job knows this order is paid through Stripe.
        """
        super().order_placed(order=order, user=user)
        services.stripe_payment_open(order=order, method=self.stripe_type)

    def next_url(self, *, order, request) -> str:
        """After commit: the pay page, which this browser may now open (guests too)."""
        selectors.payment_grant_access(request, order)
        return reverse("payments:order-pay", kwargs={"number": order.number})

    def instructions_context(self, order) -> dict:
        return {"order": order, "method": self, "minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}


class StripeCard(StripeMethod):
    code = "stripe-card"
    name = _("Bank card")
    stripe_type = StripePayment.Method.CARD


class StripeAlipay(StripeMethod):
    code = "stripe-alipay"
    name = _("Alipay")
    stripe_type = StripePayment.Method.ALIPAY
    instructions_template = "payment/method/stripe_wallet"

    @property
    def description(self) -> str:
        return gettext(
            "Pay in the Alipay app or on Alipay's page. "
            "Your order is held for %(minutes)s minutes while you pay."
        ) % {"minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}


class StripeWechatPay(StripeMethod):
    code = "stripe-wechat-pay"
    name = _("WeChat Pay")
    stripe_type = StripePayment.Method.WECHAT_PAY
    instructions_template = "payment/method/stripe_wallet"

    @property
    def description(self) -> str:
        return gettext(
            "Scan a QR code with WeChat. Your order is held for %(minutes)s minutes while you pay."
        ) % {"minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}


#: The checkout method of each Stripe payment method type (its source type code is the order's).
BY_STRIPE_TYPE = {method.stripe_type: method for method in (StripeCard, StripeAlipay, StripeWechatPay)}
