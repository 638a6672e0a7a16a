"""Standard delivery in Beijing: free from ¥99, otherwise a flat ¥10."""

from decimal import Decimal

import pytest

from shop.shipping.repository import Repository
from tests.factories.order import basket_with, product_for_sale

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("quantity", "charge"),
    [(1, Decimal("10.00")), (2, Decimal("10.00")), (3, Decimal("0.00"))],  # ¥33 ¥66 ¥99
)
def test_delivery_is_free_from_99_yuan_otherwise_10(quantity, charge):
    basket = basket_with((product_for_sale(price="33.00"), quantity))

    method = Repository().get_default_shipping_method(basket=basket)

    assert method.code == "beijing-standard"
    assert method.calculate(basket).incl_tax == charge
    assert method.calculate(basket).is_tax_known


def test_threshold_and_fee_come_from_settings(settings):
    settings.SHOP_SHIPPING_FREE_FROM = "199.00"
    settings.SHOP_SHIPPING_FLAT_FEE = "15.00"
    basket = basket_with((product_for_sale(price="120.00"), 1))

    charge = Repository().get_default_shipping_method(basket=basket).calculate(basket)

    assert charge.incl_tax == Decimal("15.00")
