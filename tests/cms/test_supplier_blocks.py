"""Blocks that show suppliers follow the suppliers room live: approved shows, suspended vanishes."""

import pytest
from oscar.test.factories import UserFactory

from suppliers.services import supplier_suspend
from tests.cms.conftest import grid, make_product, publish_brand_page
from tests.factories.suppliers import ProductionBaseFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coop():
    supplier = SupplierFactory(short_name="房县菌菇社", legal_name="房县菌菇专业合作社")
    ProductionBaseFactory(supplier=supplier, name="军店镇香菇基地")
    return supplier


def _brand_page_with_supplier_blocks(home, coop):
    product = make_product(title="房县花菇 250克", partner=coop.partner)
    publish_brand_page(
        home,
        body=[
            ("supplier_card", {"partner": coop.partner, "note": "合作社简介"}),
            ("bases_map", {"heading": "生产基地", "partners": [coop.partner], "county": ""}),
            grid(source="chosen", products=[product], heading="在售"),
        ],
    )
    return product


def test_an_approved_supplier_shows_its_card_bases_and_products(client, home, coop):
    _brand_page_with_supplier_blocks(home, coop)

    html = client.get("/fangxian-shiitake/").content.decode()

    assert "房县菌菇社" in html
    assert "军店镇香菇基地" in html
    assert "房县花菇 250克" in html


def test_a_suspended_supplier_disappears_from_every_block_at_once(
    client, home, coop, django_capture_on_commit_callbacks
):
    _brand_page_with_supplier_blocks(home, coop)
    client.get("/fangxian-shiitake/")  # the blocks are now cached

    with django_capture_on_commit_callbacks(execute=True):
        supplier_suspend(supplier=coop, by=UserFactory(is_staff=True), reason="抽检不合格，暂停销售")
    html = client.get("/fangxian-shiitake/").content.decode()

    assert "房县菌菇社" not in html
    assert "军店镇香菇基地" not in html
    assert "房县花菇 250克" not in html


def test_the_sitemap_lists_approved_suppliers_only(client, coop):
    suspended = SupplierFactory(short_name="已暂停社")
    supplier_suspend(supplier=suspended, by=UserFactory(is_staff=True), reason="资质过期")

    xml = client.get("/sitemap.xml").content.decode()

    assert coop.get_absolute_url() in xml
    assert suspended.get_absolute_url() not in xml
