"""Placing an order without the checkout pages: a channel's bulk order, a re-order, an accepted quote.

``order_place`` builds a frozen basket of the given lines (one bulk insert), prices it with the
buyer's strategy, or at the prices given (an accepted quote's), and hands it to the shop's one
``OrderCreator.place_order``, exactly as checkout does: the order and its lines are written, every
stock record is locked and allocated in primary-key order, batches are allocated
(``order_stock_allocated``) and the buyer's terms record the order, all in one transaction. A
shortage raises ``InsufficientStock`` and nothing is written.

Per line, the work is the placement's own (an order line, its price, the stock lock and the batch
allocation); the basket and what it needs are read and written in bulk, so a 500-line order does
not pay for 500 baskets' worth of lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from oscar.apps.partner import prices
from oscar.apps.partner.strategy import PurchaseInfo
from oscar.apps.shipping.methods import Free
from oscar.core.loading import get_class, get_model

Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")
LineAttribute = get_model("basket", "LineAttribute")
OrderCreator = get_class("order.utils", "OrderCreator")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")


@dataclass
class PlacementLine:
    """One line to order: the product, the stock record it is taken from, how many, and (optionally)
    the unit price agreed (tax included, as the shop charges no tax on top); ``None``: the strategy's."""

    product: object
    stockrecord: object
    quantity: int
    price: Decimal | None = None


class _Lines(list):
    """The basket's lines in hand, answering what Oscar asks of the queryset it would have read."""

    def count(self):
        return len(self)


class _AgreedPrices:
    """A basket's strategy: the buyer's own, but a line with an agreed price is sold at that price."""

    def __init__(self, inner, agreed: dict[int, Decimal]):
        self.inner = inner
        self.agreed = agreed  # basket line id → unit price

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def fetch_for_line(self, line, stockrecord=None):
        info = self.inner.fetch_for_line(line, stockrecord)
        price = self.agreed.get(line.pk)
        if price is None:
            return info
        return PurchaseInfo(
            price=prices.FixedPrice(currency=info.price.currency, excl_tax=price, tax=Decimal("0.00")),
            availability=info.availability,
            stockrecord=info.stockrecord,
        )


def basket_lines_in_hand(basket, basket_lines) -> None:
    """Give ``basket`` the ``basket_lines`` just written (with their products and stock records, and
    no options) as its lines: what Oscar's ``all_lines()`` would read again, line by line."""
    no_attributes = LineAttribute.objects.none()
    for basket_line in basket_lines:
        basket_line.basket = basket
        basket_line._prefetched_objects_cache = {"attributes": no_attributes}
    basket._lines = _Lines(basket_lines)


def order_place(*, user, strategy, lines: Sequence[PlacementLine], **order_fields):
    """Place an order of ``lines`` for ``user`` priced by ``strategy``; returns the order.

    Runs in one transaction (the caller's, if any). ``order_fields`` go to ``place_order``
    (``shipping_address``, ``order_number``, ``status`` …). Raises ``InsufficientStock`` or
    ``UnableToPlaceOrder`` and writes nothing when the order cannot be placed.
    """
    if not lines:
        raise ValueError("An order needs at least one line")
    with transaction.atomic():
        basket = Basket.objects.create(owner=user, status=Basket.FROZEN)
        basket_lines = BasketLine.objects.bulk_create(
            [
                BasketLine(
                    basket=basket,
                    line_reference=f"{line.product.pk}_{line.stockrecord.pk}_{number}",
                    product=line.product,
                    stockrecord=line.stockrecord,
                    quantity=line.quantity,
                    price_currency=line.stockrecord.price_currency,
                )
                for number, line in enumerate(lines, start=1)
            ]
        )
        basket.strategy = _AgreedPrices(
            strategy,
            {
                basket_line.pk: line.price
                for basket_line, line in zip(basket_lines, lines, strict=True)
                if line.price is not None
            },
        )
        basket_lines_in_hand(basket, basket_lines)
        for basket_line in basket_lines:
            price = basket_line.purchase_info.price
            basket_line.price_excl_tax = price.excl_tax
            basket_line.price_incl_tax = price.incl_tax
        BasketLine.objects.bulk_update(basket_lines, ["price_excl_tax", "price_incl_tax"])

        shipping_method = Free()
        shipping_charge = shipping_method.calculate(basket)
        total = OrderTotalCalculator().calculate(basket, shipping_charge)
        order = OrderCreator().place_order(
            basket=basket,
            total=total,
            shipping_method=shipping_method,
            shipping_charge=shipping_charge,
            user=user,
            **order_fields,
        )
        basket.submit()
    return order
