"""One definition of "on sale" (catalogue.on_sale): a product off sale for any reason is gone from the
shop's list, search, the sitemap and CMS blocks alike; a product on sale is in all four."""

import pytest
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model

from catalogue.on_sale import (
    product_is_on_sale,
    products_on_sale,
    register_stockrecord_condition,
    unregister_stockrecord_condition,
)
from cms.models import HomePage
from suppliers.models import Supplier
from suppliers.selectors import partner_ids_off_sale_forget
from suppliers.services import supplier_suspend
from tests.cms.conftest import grid, publish_brand_page
from tests.factories.order import UserFactory
from tests.factories.traceability import published, seller
from traceability import recall as recalls
from traceability import services as batches

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

BRAND = "溯源验证"
WORD = "椴木验证花菇"


@pytest.fixture
def on_sale(db):
    """A cooperative's product sold through a published batch, with a brand page showing its brand."""
    grower = seller(product_class_slug="dried-fungi", title=f"房县{WORD} 250克", stock=0)
    Product.objects.filter(pk=grower.product.pk).update(brand=BRAND)
    grower.product.refresh_from_db()
    grower.batch = published(grower, quantity=10)
    publish_brand_page(
        HomePage.objects.get(), slug="on-sale-check", title=BRAND, body=[grid(source="brand", brand=BRAND)]
    )
    return grower


def where_listed(client, product) -> set[str]:
    """The places a buyer (or a search engine) finds the product in."""
    url = product.get_absolute_url()
    found = set()
    if url in client.get("/shop/catalogue/").content.decode():
        found.add("shop")
    if url in client.get("/shop/search/", {"q": WORD}).content.decode():
        found.add("search")
    if url in client.get("/sitemap.xml").content.decode():
        found.add("sitemap")
    if url in client.get("/on-sale-check/").content.decode():
        found.add("cms")
    return found


def _staff():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="add_recall"))
    return user


def _not_public(grower):
    Product.objects.filter(pk=grower.product.pk).update(is_public=False)


def _sold_out(grower):
    StockRecord.objects.filter(pk=grower.stockrecord.pk).update(num_in_stock=0)


def _all_allocated(grower):
    StockRecord.objects.filter(pk=grower.stockrecord.pk).update(num_allocated=10)


def _no_price(grower):
    StockRecord.objects.filter(pk=grower.stockrecord.pk).update(price=None)


def _supplier_suspended(grower):
    supplier_suspend(supplier=grower.supplier, by=_staff(), reason="资质过期")


def _supplier_not_approved_yet_product_still_public(grower):
    # The sale gate alone (e.g. a status change whose hiding of products has not happened).
    Supplier.objects.filter(pk=grower.supplier.pk).update(status=Supplier.Status.SUSPENDED)
    partner_ids_off_sale_forget()


def _batch_on_hold(grower):
    batches.batch_hold(batch=grower.batch, reason="等待复检", by=_staff())


def _batch_recalled(grower):
    recalls.batch_recall(batch=grower.batch, reason="农残超标", by=_staff())


OFF_SALE = {
    "not public": _not_public,
    "sold out": _sold_out,
    "every unit allocated to orders": _all_allocated,
    "no price": _no_price,
    "supplier suspended": _supplier_suspended,
    "supplier's sale gate closed": _supplier_not_approved_yet_product_still_public,
    "its batch on hold": _batch_on_hold,
    "its batch recalled": _batch_recalled,
}


def test_a_product_on_sale_is_in_the_shop_search_sitemap_and_cms_blocks(client, on_sale):
    assert product_is_on_sale(on_sale.product)
    assert where_listed(client, on_sale.product) == {"shop", "search", "sitemap", "cms"}


@pytest.mark.parametrize("reason", OFF_SALE)
def test_a_product_off_sale_is_gone_from_the_shop_search_sitemap_and_cms_blocks(client, on_sale, reason):
    OFF_SALE[reason](on_sale)

    assert not product_is_on_sale(on_sale.product)
    assert where_listed(client, on_sale.product) == set()


def test_a_parent_is_on_sale_through_a_public_variant_with_stock(on_sale):
    from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

    parent = ShiyanProductFactory(title="竹溪贡茶 礼盒", structure="parent")
    child = ShiyanProductFactory(
        title="竹溪贡茶 礼盒 大", structure="child", parent=parent, product_class=None
    )
    record = ShiyanStockRecordFactory(product=child, num_in_stock=3, price_currency="CNY")
    assert parent in products_on_sale()

    Product.objects.filter(pk=child.pk).update(is_public=False)
    assert parent not in products_on_sale()
    assert record.pk


def test_a_higher_room_adds_a_rule_through_the_registry_not_an_import(client, on_sale):
    from django.db.models import Q

    register_stockrecord_condition("tests.no-fungi", lambda: ~Q(product__title__contains=WORD))
    try:
        assert where_listed(client, on_sale.product) == set()
    finally:
        unregister_stockrecord_condition("tests.no-fungi")
    assert product_is_on_sale(on_sale.product)
