"""Orders as the new checkout leaves them for payment: placed, "Pending payment", stock allocated.

Built with Oscar's own ``create_order`` (OrderCreator underneath), so these helpers do not depend
on shop/order or shop/checkout, which are being rebuilt at the same time.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from oscar.apps.partner.strategy import Default
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")


def pending_order(
    *, user=None, price="39.80", quantity=2, stock=10, guest_email="guest@example.com", product=None
):
    """A placed order awaiting payment, with ``quantity`` units of one product allocated."""
    if product is None:
        product = ShiyanProductFactory()
        ShiyanStockRecordFactory(
            product=product, price=Decimal(price), num_in_stock=stock, price_currency="CNY"
        )
    basket = Basket.objects.create(owner=user)
    basket.strategy = Default()
    basket.add_product(product, quantity)
    extra = {} if user else {"guest_email": guest_email}
    order = create_order(basket=basket, user=user, **extra)
    order.refresh_from_db()  # Oscar hands back the number as an int until it is read again
    assert order.status == "Pending payment"
    return order


def card_order(**kwargs):
    """A placed order paid by card: what the checkout leaves after calling the method's hook."""
    from shop.payment.methods import StripeCard

    order = pending_order(**kwargs)
    StripeCard().order_placed(order=order, user=order.user)
    return order


def age_order(order, *, minutes: int):
    """Pretend the order was placed ``minutes`` ago (what the unpaid-order job looks at)."""
    Order.objects.filter(pk=order.pk).update(date_placed=timezone.now() - timedelta(minutes=minutes))
    order.refresh_from_db()
    return order


def stock_of(order):
    """(num_in_stock, num_allocated) of the order's first line's stock record, fresh from the DB."""
    record = order.lines.order_by("pk").first().stockrecord
    record.refresh_from_db()
    return record.num_in_stock, record.num_allocated


def yuan(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
