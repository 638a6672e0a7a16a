"""Helpers for supplier tests: products sold by a supplier, and orders holding them."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_class, get_model
from oscar.test.factories import create_order

from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

Basket = get_model("basket", "Basket")
Selector = get_class("partner.strategy", "Selector")


def product_of(supplier, *, title="房县香菇 250克", price="39.80", stock=50, **fields):
    """A public product sold through the supplier's partner."""
    product = ShiyanProductFactory(title=title, **fields)
    ShiyanStockRecordFactory(
        product=product,
        partner=supplier.partner,
        price=Decimal(price),
        price_currency="CNY",
        num_in_stock=stock,
    )
    return product


def order_of(items, *, status="Paid", number=None):
    """An order placed the way checkout does (OrderCreator), for ``[(product, quantity), …]``."""
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity in items:
        basket.add_product(product, quantity)
    order = create_order(basket=basket, number=number)
    order.status = status
    order.save(update_fields=["status"])
    return order


@pytest.fixture
def make_product():
    return product_of


@pytest.fixture
def make_order():
    return order_of


class SourceThumbnailer:
    """Stand-in for the catalogue's thumbnailer while that module is not on this branch: the source as is."""

    def generate_thumbnail(self, source, **opts):
        return source

    def delete_thumbnails(self, source):
        pass


@pytest.fixture(autouse=True)
def _thumbnailer(settings):
    import importlib.util

    module = settings.OSCAR_THUMBNAILER.rsplit(".", 1)[0]
    if importlib.util.find_spec(module.split(".")[0]) is None or importlib.util.find_spec(module) is None:
        settings.OSCAR_THUMBNAILER = "tests.suppliers.conftest.SourceThumbnailer"
