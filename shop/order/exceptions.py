"""Order exceptions: Oscar's, plus the one a buyer meets when stock runs out at placement."""

from django.utils.translation import gettext
from oscar.apps.order.exceptions import *  # noqa: F403
from oscar.apps.order.exceptions import UnableToPlaceOrder


class InsufficientStock(UnableToPlaceOrder):
    """Raised inside the placement transaction when a line asks for more than is left.

    Raising it rolls the whole placement back: no order, no allocation, the basket untouched.
    Higher rooms raise it too (e.g. from an ``order_stock_allocated`` receiver when no batch can
    cover a line), so the buyer always gets the same message.
    """

    def __init__(self, *, product_title: str, requested: int, available: int):
        self.product_title = product_title
        self.requested = requested
        self.available = max(available, 0)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if self.available == 0:
            return gettext(
                "Sorry, “%(product)s” sold out while you were checking out. Nothing was ordered."
            ) % {"product": self.product_title}
        return gettext(
            "Sorry, only %(available)d of “%(product)s” are left (you asked for %(requested)d). "
            "Nothing was ordered: please change the quantity in your basket."
        ) % {"product": self.product_title, "available": self.available, "requested": self.requested}

    def __str__(self):
        return self.message
