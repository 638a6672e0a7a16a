"""The payment methods a buyer can choose at checkout: a small, pluggable registry.

``settings.SHOP_PAYMENT_METHODS`` lists dotted paths of ``PaymentMethod`` subclasses, in the order
buyers see them. The order is always placed first ("Pending payment", stock allocated); then, in
the same transaction, ``order_placed`` records the method as the order's payment source (Oscar's
``payment.Source``, reference = order number) and may move the status on. After the commit the
buyer goes to ``next_url`` (a method with its own payment step, e.g. a card page) or, by default,
to the thank-you page, which shows ``render_instructions``; so does the confirmation e-mail.

Adding a method (e.g. card payment through Stripe) means writing a subclass, usually with
``is_available`` returning False while its keys are missing and ``next_url`` pointing at its pay
page, and adding its path to the setting: nothing in the checkout itself changes.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from shop.order import statuses

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


class PaymentMethod:
    """One way to pay. Subclasses set the class attributes and override the hooks they need."""

    #: Stable identifier, stored as the code of the order's payment SourceType.
    code: str = ""
    name = ""
    #: One or two sentences shown under the name when the buyer chooses.
    description = ""
    #: Template base name; ``.html`` is used on pages and the HTML e-mail, ``.txt`` in plain text.
    instructions_template: str = ""
    #: Status the order moves to right after placement, or None to stay "Pending payment".
    status_after_placement: str | None = None
    #: Statuses in which an order of this method holds its stock while nobody has paid for it; past
    #: the method's hold (``settings.SHOP_PAYMENT_HOLD_MINUTES``) it is cancelled (shop.checkout.holds).
    held_statuses: tuple[str, ...] = (statuses.PENDING_PAYMENT,)

    def hold(self) -> timedelta | None:
        """How long an unpaid order of this method keeps its stock, or None for no limit here."""
        minutes = settings.SHOP_PAYMENT_HOLD_MINUTES.get(self.code)
        return timedelta(minutes=minutes) if minutes else None

    def hold_deadline(self, order) -> datetime | None:
        """When the order is cancelled unless paid (or shipped, on delivery); None when it is not held."""
        hold = self.hold()
        if hold is None or order.status not in self.held_statuses or order.date_placed is None:
            return None
        return order.date_placed + hold

    def is_available(self, *, basket, user) -> bool:
        """Whether the buyer may choose this method for this basket."""
        return True

    def order_placed(self, *, order, user=None) -> None:
        """Record the method on the new order; runs inside the placement transaction."""
        Source._default_manager.create(
            order=order,
            source_type=self.source_type(),
            currency=order.currency,
            amount_allocated=order.total_incl_tax,
            reference=order.number,
        )
        if self.status_after_placement:
            order.set_status(self.status_after_placement)

    def next_url(self, *, order, request) -> str | None:
        """Where the buyer goes once the order is committed; None means the thank-you page."""
        return None

    def source_type(self):
        with translation.override(settings.LANGUAGE_CODE):
            name = str(self.name)
        source_type, _created = SourceType._default_manager.get_or_create(
            code=self.code, defaults={"name": name}
        )
        return source_type

    def instructions_context(self, order) -> dict:
        return {"order": order, "method": self, "deadline": self.hold_deadline(order)}

    def render_instructions(self, order, fmt: str = "html") -> str:
        """What the buyer has to do next, as HTML (``fmt="html"``) or plain text (``"txt"``)."""
        if not self.instructions_template:
            return ""
        return render_to_string(f"{self.instructions_template}.{fmt}", self.instructions_context(order))

    def __str__(self):
        return str(self.name)


class BankTransfer(PaymentMethod):
    """The buyer transfers the total to the shop's account, quoting the order number."""

    code = "bank-transfer"
    name = _("Bank transfer")
    description = _(
        "Transfer the total to our bank account, quoting your order number. "
        "We ship as soon as the money arrives."
    )
    instructions_template = "oscar/checkout/payment/bank_transfer"

    def instructions_context(self, order) -> dict:
        return {**super().instructions_context(order), "account": settings.SHOP_BANK_TRANSFER_ACCOUNT}


#: What staff confirm a received transfer with, and where it is kept (Oscar's payment history).
BANK_TRANSFER_CODE = BankTransfer.code


class CashOnDelivery(PaymentMethod):
    """The buyer pays the courier; the order can be shipped straight away."""

    code = "cash-on-delivery"
    name = _("Pay on delivery")
    description = _("Pay the courier in cash or by mobile payment when your order arrives.")
    instructions_template = "oscar/checkout/payment/cash_on_delivery"
    status_after_placement = statuses.AWAITING_SHIPMENT
    #: Paid only when it arrives: the order holds its stock until it ships.
    held_statuses = (statuses.AWAITING_SHIPMENT,)


class PaymentMethodRegistry:
    """The configured methods, read from ``settings.SHOP_PAYMENT_METHODS`` on every call."""

    def all(self) -> list[PaymentMethod]:
        return [import_string(path)() for path in settings.SHOP_PAYMENT_METHODS]

    def available(self, *, basket, user) -> list[PaymentMethod]:
        return [method for method in self.all() if method.is_available(basket=basket, user=user)]

    def get(self, code: str | None) -> PaymentMethod | None:
        return next((method for method in self.all() if method.code == code), None)

    def for_order(self, order) -> PaymentMethod | None:
        """The method the order was placed with (its first payment source), if still configured."""
        source = order.sources.select_related("source_type").first()
        return self.get(source.source_type.code) if source else None


registry = PaymentMethodRegistry()
