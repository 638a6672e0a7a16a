"""`manage.py seed_demo` loads a realistic Shiyan catalogue, and loading it again changes nothing."""

import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from catalogue.demo.data import PARTNERS
from core.validators import validate_gtin

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

# The partner table every room relies on (see the brief): code → county.
BRIEF_PARTNERS = {
    "fangxian-mushroom-coop": "fangxian",
    "fangxian-muer-farm": "fangxian",
    "fangxian-yellow-wine": "fangxian",
    "zhuxi-tribute-tea-coop": "zhuxi",
    "zhushan-tea-coop": "zhushan",
    "wudang-daocha": "wudangshan",
    "danjiangkou-citrus-coop": "danjiangkou",
    "danjiangkou-fishery": "danjiangkou",
    "yunyang-olive-oil": "yunyang",
    "yunxi-mountain-farm": "yunxi",
    "zhangwan-orchard-coop": "zhangwan",
    "maojian-herb-coop": "maojian",
}
MAIN_CATEGORIES = ("tea", "mushrooms", "citrus", "olive-oil", "yellow-wine")


def seed_demo(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app_label in ("catalogue", "partner", "auth")
        for model in apps.get_app_config(app_label).get_models()
        if model._meta.managed
    }


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def products_in(category_code: str):
    category = Category.objects.get(code=category_code)
    return Product.objects.filter(categories__in=category.get_descendants_and_self()).distinct()


def test_running_seed_demo_twice_writes_and_duplicates_nothing():
    seed_demo()
    counts = row_counts()

    with CaptureQueriesContext(connection) as queries:
        seed_demo()

    assert row_counts() == counts
    assert _writes(queries.captured_queries) == []


def test_seed_demo_once_does_nothing_when_the_demo_was_loaded():
    seed_demo()

    with CaptureQueriesContext(connection) as queries:
        output = seed_demo("--once")

    assert "already loaded" in output
    assert _writes(queries.captured_queries) == []


def test_demo_has_the_twelve_partners_of_the_brief_and_their_products_come_from_their_county():
    seed_demo()

    assert set(Partner.objects.values_list("code", flat=True)) == set(BRIEF_PARTNERS)
    assert len(set(BRIEF_PARTNERS.values())) >= 6
    for record in StockRecord.objects.select_related("partner", "product"):
        assert record.product.origin_county == BRIEF_PARTNERS[record.partner.code], record.product.title


def test_demo_has_forty_products_across_the_five_main_categories_and_a_few_others():
    seed_demo()

    assert Product.objects.count() >= 40
    for code in MAIN_CATEGORIES:
        assert products_in(code).count() >= 4, code
    assert products_in("others").count() >= 3


def test_every_demo_product_has_a_picture_a_price_in_cny_stock_and_its_attributes():
    seed_demo()

    for product in Product.objects.prefetch_related("images", "stockrecords", "categories"):
        image = product.primary_image()
        assert image.original.storage.exists(image.original.name), product.title
        [record] = product.stockrecords.all()
        assert isinstance(record.price, Decimal) and record.price > 0
        assert record.price_currency == "CNY"
        assert record.num_in_stock is not None
        assert product.attr.net_content and product.attr.storage and product.attr.shelf_life_days > 0
        assert product.brand and product.is_public and len(product.categories.all()) == 1
        assert product.description.count("<p>") == 2


def test_demo_gtins_are_valid_unique_and_carry_a_china_prefix():
    seed_demo()

    gtins = list(Product.objects.values_list("gtin", flat=True))

    assert len(set(gtins)) == len(gtins)
    for gtin in gtins:
        validate_gtin(gtin)
        assert 690 <= int(gtin[:3]) <= 699


def test_demo_wine_is_adults_only_and_nothing_else_is():
    seed_demo()

    wines = products_in("yellow-wine")

    assert wines.exists()
    assert all(product.is_adults_only and product.attr.alcohol_percent > 0 for product in wines)
    assert not any(product.is_adults_only for product in Product.objects.exclude(pk__in=wines))


def test_demo_shows_sold_out_low_stock_featured_and_certified_products():
    seed_demo()

    records = StockRecord.objects.all()
    assert 1 <= records.filter(num_in_stock=0).count() <= 2
    assert records.filter(num_in_stock__gt=0, num_in_stock__lt=10).count() >= 3
    assert 3 <= Product.objects.filter(priority__gt=0).count() <= 10
    assert Product.objects.filter(quality_marks__isnull=False).distinct().count() >= 10


def test_seeding_again_restores_a_changed_demo_product_but_keeps_its_stock():
    seed_demo()
    record = StockRecord.objects.select_related("product").get(
        partner__code="yunyang-olive-oil", partner_sku="SY09-001"
    )
    product = record.product
    product.title, product.brand = "改过的标题", ""
    product.save()
    product.attr.net_content = "1升"
    product.save()
    record.price, record.num_in_stock = Decimal("1.00"), 3
    record.save()

    seed_demo()

    product = Product.objects.get(pk=product.pk)
    record.refresh_from_db()
    assert (product.title, product.brand, product.attr.net_content) == (
        "郧阳特级初榨橄榄油 500毫升",
        "郧阳橄榄油",
        "500毫升",
    )
    assert (record.price, record.num_in_stock) == (Decimal("128.00"), 3)


def test_a_demo_picture_whose_file_is_gone_is_drawn_again():
    seed_demo()
    image = Product.objects.get(gtin=PARTNERS[0].gtin(1)).primary_image()
    image.original.storage.delete(image.original.name)

    output = seed_demo()

    image.refresh_from_db()
    assert image.original.storage.exists(image.original.name)
    assert "1 pictures drawn" in output
