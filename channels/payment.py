"""Ordering on account (月结) as a checkout payment method (``settings.SHOP_PAYMENT_METHODS``).

Offered only to members of an approved organisation whose terms are "on account". The order is
placed as any other; then, in the same transaction, ``order_placed`` checks the organisation's
remaining credit under its row lock and writes the order's invoice
(``channels.services.accounts.invoice_for_order``). An order that does not fit raises
``CreditLimitExceeded`` (an ``UnableToPlaceOrder``): the checkout rolls everything back and shows
the message on the preview page. The order goes straight to "Awaiting shipment" and holds no stock
on a timer: the organisation pays its invoice by the due date.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from channels import selectors
from channels.models import Invoice, Organisation
from channels.services import accounts
from shop.checkout.payment_methods import PaymentMethod
from shop.order import statuses


class OnAccount(PaymentMethod):
    code = "on-account"
    name = _("On account (monthly statement)")
    description = _(
        "Your organisation pays the invoice within its agreed days, with the monthly statement. "
        "The order must fit the credit left on account."
    )
    instructions_template = "channels/accounts/instructions"
    status_after_placement = statuses.AWAITING_SHIPMENT
    held_statuses = ()

    def hold(self):
        return None

    def is_available(self, *, basket=None, user=None) -> bool:
        membership = selectors.membership_for(user)
        if membership is None:
            return False
        organisation = membership.organisation
        return organisation.may_order and organisation.payment_mode == Organisation.PaymentMode.ON_ACCOUNT

    def order_placed(self, *, order, user=None) -> None:
        accounts.invoice_for_order(order=order, user=user)  # may refuse: nothing else is written then
        super().order_placed(order=order, user=user)

    def instructions_context(self, order) -> dict:
        context = super().instructions_context(order)
        context["invoice"] = Invoice.objects.filter(order_id=order.pk).first()
        return context
