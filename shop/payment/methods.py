"""The card payment method, ready for the checkout's payment-method registry.

The checkout places the order first ("Pending payment", stock allocated), then hands it to the
chosen method. For cards that means, inside the placement transaction, ``start`` opens the
order's ``StripePayment`` (no network call) and lets this browser follow the order; after commit
the buyer is sent to the returned URL, the Payment Element page. The method is offered only when
every Stripe key is configured, so ``make run`` without keys shows bank transfer and pay on
delivery only.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .stripe_gateway import stripe_enabled


class StripeCardMethod:
    code = "stripe-card"
    name = _("Card, Alipay or WeChat Pay")

    @property
    def description(self) -> str:
        return gettext(
            "Pay online now through Stripe. Your order is held for %(minutes)s minutes while you pay."
        ) % {"minutes": settings.STRIPE_UNPAID_ORDER_MINUTES}

    def is_available(self, request=None, basket=None) -> bool:
        return stripe_enabled()

    def start(self, *, request, order) -> str:
        """Call right after the order is placed, in the same transaction; returns where to go next."""
        services.stripe_payment_open(order=order)
        selectors.payment_grant_access(request, order)
        return reverse("payments:order-pay", kwargs={"number": order.number})


stripe_card_method = StripeCardMethod()
