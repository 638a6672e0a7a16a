"""catalogue_structure_ensure lays down the Shiyan catalogue structure once and respects staff edits."""

import pytest
from oscar.core.loading import get_model

from catalogue.services import catalogue_structure_ensure

Category = get_model("catalogue", "Category")
ProductClass = get_model("catalogue", "ProductClass")
ProductAttribute = get_model("catalogue", "ProductAttribute")
QualityMark = get_model("catalogue", "QualityMark")

pytestmark = pytest.mark.django_db


def test_the_six_top_categories_have_the_slugs_and_names_every_room_relies_on():
    catalogue_structure_ensure()

    roots = {c.slug: c.name for c in Category.get_root_nodes()}

    assert roots == {
        "tea": "茶叶",
        "mushrooms": "食用菌",
        "citrus": "柑橘",
        "olive-oil": "橄榄油",
        "yellow-wine": "黄酒",
        "others": "其他",
    }
    tea = Category.objects.get(code="tea")
    assert [c.name for c in tea.get_children()] == ["绿茶", "红茶"]
    assert Category.objects.get(code="shiitake").full_slug == "mushrooms/shiitake"


def test_product_classes_carry_net_content_storage_shelf_life_and_wine_its_alcohol():
    structure = catalogue_structure_ensure()

    for product_class in structure.product_classes.values():
        codes = set(product_class.attributes.values_list("code", flat=True))
        assert {"net_content", "storage", "shelf_life_days"} <= codes, product_class.slug
    wine = structure.product_classes["yellow-wine"]
    assert wine.adults_only
    assert wine.attributes.get(code="alcohol_percent").required
    assert [o.option for o in wine.attributes.get(code="wine_style").option_group.options.all()] == [
        "干型",
        "半干型",
        "半甜型",
        "甜型",
    ]
    assert [pc.slug for pc in ProductClass.objects.filter(adults_only=True)] == ["yellow-wine"]


def test_quality_marks_are_the_real_chinese_marks():
    catalogue_structure_ensure()

    assert list(QualityMark.objects.values_list("name", flat=True)) == [
        "有机产品",
        "绿色食品",
        "地理标志产品",
        "农产品地理标志",
        "全国名特优新农产品",
    ]


def test_ensuring_twice_creates_nothing_more():
    catalogue_structure_ensure()
    counts = (Category.objects.count(), ProductClass.objects.count(), ProductAttribute.objects.count())

    catalogue_structure_ensure()

    assert (
        Category.objects.count(),
        ProductClass.objects.count(),
        ProductAttribute.objects.count(),
    ) == counts


def test_ensuring_again_keeps_what_staff_renamed_or_moved():
    catalogue_structure_ensure()
    tea = Category.objects.get(code="tea")
    tea.name = "茶叶·茶饮"
    tea.save()
    herbs = Category.objects.get(code="herbs")
    herbs.move(Category.objects.get(code="tea"), pos="last-child")

    catalogue_structure_ensure()

    assert Category.objects.get(code="tea").name == "茶叶·茶饮"
    assert Category.objects.get(code="herbs").get_parent().code == "tea"
    assert Category.objects.filter(code="herbs").count() == 1


def test_ensuring_again_turns_adults_only_back_on_for_wine():
    catalogue_structure_ensure()
    ProductClass.objects.filter(slug="yellow-wine").update(adults_only=False)

    structure = catalogue_structure_ensure()

    assert structure.product_classes["yellow-wine"].adults_only
    assert ProductClass.objects.get(slug="yellow-wine").adults_only


def test_farm_produce_classes_carry_the_certificate_flag_and_it_is_restored_over_an_edit():
    catalogue_structure_ensure()
    assert sorted(ProductClass.objects.filter(needs_certificate=True).values_list("slug", flat=True)) == [
        "dried-fungi",
        "fresh-fruit",
    ]
    ProductClass.objects.filter(slug="dried-fungi").update(needs_certificate=False)

    catalogue_structure_ensure()

    assert ProductClass.objects.get(slug="dried-fungi").needs_certificate
