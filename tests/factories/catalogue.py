"""Catalogue factories: Shiyan products with a partner, a price in CNY and stock."""

from decimal import Decimal

import factory
from oscar.core.loading import get_model
from oscar.test.factories import (
    CategoryFactory,  # noqa: F401  (re-exported for tests)
    PartnerFactory,
    ProductClassFactory,
    StockRecordFactory,
)

from core.places import County

Product = get_model("catalogue", "Product")
QualityMark = get_model("catalogue", "QualityMark")


class ShiyanProductClassFactory(ProductClassFactory):
    name = factory.Sequence(lambda n: f"食用菌 {n}")
    requires_shipping = True
    track_stock = True


class ShiyanPartnerFactory(PartnerFactory):
    name = factory.Sequence(lambda n: f"房县菌菇专业合作社 {n}")


class ShiyanProductFactory(factory.django.DjangoModelFactory):
    """A public standalone product; unlike Oscar's ProductFactory, no stock record or category."""

    class Meta:
        model = Product

    structure = Product.STANDALONE
    title = factory.Sequence(lambda n: f"房县香菇 干货 {n}")
    product_class = factory.SubFactory(ShiyanProductClassFactory)
    origin_county = County.FANGXIAN
    brand = "房县香菇"
    is_public = True
    upc = factory.Sequence(lambda n: f"SY{n:08d}")


class ShiyanStockRecordFactory(StockRecordFactory):
    product = factory.SubFactory(ShiyanProductFactory)
    partner = factory.SubFactory(ShiyanPartnerFactory)
    partner_sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    price_currency = "CNY"
    price = Decimal("39.80")
    num_in_stock = 100
    num_allocated = 0


def product_in_stock(*, title="房县香菇 250克", price="39.80", stock=100, **product_fields):
    """A public product with one stock record; what most storefront tests start from."""
    product = ShiyanProductFactory(title=title, **product_fields)
    ShiyanStockRecordFactory(product=product, price=Decimal(price), num_in_stock=stock)
    return product
