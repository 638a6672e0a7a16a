"""Delivery methods: standard delivery within Beijing, free from a basket total, else a flat fee."""

from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import Base
from oscar.core import prices
from oscar.templatetags.currency_filters import currency


class BeijingStandardDelivery(Base):
    """Courier delivery to any address in Beijing's 16 districts.

    Prices in China include VAT, so the charge is tax-inclusive with zero tax on top. The threshold
    is compared with the basket total after discounts, so a voucher can drop an order below it.
    """

    code = "beijing-standard"
    name = _("Standard delivery in Beijing")
    is_tax_known = True

    def __init__(self, *, free_from=None, flat_fee=None):
        self.free_from = Decimal(free_from or settings.SHOP_SHIPPING_FREE_FROM)
        self.flat_fee = Decimal(flat_fee or settings.SHOP_SHIPPING_FLAT_FEE)

    @property
    def description(self):
        return gettext("Free from %(threshold)s, otherwise %(fee)s. Usually arrives in 2–4 days.") % {
            "threshold": currency(self.free_from, "CNY"),
            "fee": currency(self.flat_fee, "CNY"),
        }

    def is_free_for(self, basket) -> bool:
        return basket.total_incl_tax >= self.free_from

    def calculate(self, basket):
        fee = Decimal("0.00") if self.is_free_for(basket) else self.flat_fee
        return prices.Price(currency=basket.currency, excl_tax=fee, tax=Decimal("0.00"))
