"""Card payment as a checkout payment method (card; Alipay and WeChat Pay where Stripe offers them).

Written to the interface of the checkout's registry (``shop.checkout.payment_methods``:
``settings.SHOP_PAYMENT_METHODS`` lists method classes; the checkout places the order, calls
``order_placed`` inside the placement transaction, then sends the buyer to ``next_url``). Once
that module is in this branch, derive from its ``PaymentMethod`` (and drop ``source_type`` and
``render_instructions`` here, which repeat it) and add ``"shop.payment.methods.StripeCard"`` to
the setting. Without the three Stripe keys the method is not offered, so ``make run`` works
offline with bank transfer and pay on delivery.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from . import selectors, services
from .stripe_gateway import stripe_enabled

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


class StripeCard:
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
        Source._default_manager.create(
            order=order,
            source_type=self.source_type(),
            currency=order.currency,
            amount_allocated=order.total_incl_tax,
            reference=order.number,
        )
        services.stripe_payment_open(order=order)

    def next_url(self, *, order, request) -> str:
        """After commit: the Payment Element page, which this browser may now open (guests too)."""
        selectors.payment_grant_access(request, order)
        return reverse("payments:order-pay", kwargs={"number": order.number})

    def source_type(self):
        with translation.override(settings.LANGUAGE_CODE):
            name = str(self.name)
        source_type, _created = SourceType._default_manager.get_or_create(
            code=self.code, defaults={"name": name}
        )
        return source_type

    def instructions_context(self, order) -> dict:
        return {"order": order, "method": self, "minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}

    def render_instructions(self, order, fmt: str = "html") -> str:
        """What the buyer does next (thank-you page and confirmation e-mail): pay on the pay page."""
        return render_to_string(f"{self.instructions_template}.{fmt}", self.instructions_context(order))

    def __str__(self):
        return str(self.name)
