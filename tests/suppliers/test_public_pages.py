import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import CategoryFactory

from core.places import County
from suppliers.models import Certification, Supplier
from tests.factories.suppliers import (
    ApplicationFactory,
    BasePhotoFactory,
    CertificationFactory,
    ProductionBaseFactory,
    SupplierFactory,
)
from tests.suppliers.conftest import product_of

pytestmark = pytest.mark.django_db

DIRECTORY = "/shop/suppliers/"


def test_directory_lists_approved_suppliers_only(client):
    approved = SupplierFactory(legal_name="房县菌菇专业合作社")
    ApplicationFactory(legal_name="竹溪县待审合作社")
    SupplierFactory(legal_name="郧西县停业合作社", status=Supplier.Status.SUSPENDED)

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert [s.pk for s in response.context["suppliers"]] == [approved.pk]
    assert "竹溪县待审合作社" not in response.text
    assert "郧西县停业合作社" not in response.text


def test_directory_filters_by_county(client):
    fang = SupplierFactory(county=County.FANGXIAN)
    SupplierFactory(county=County.ZHUXI)

    response = client.get(DIRECTORY, {"county": "fangxian"})

    assert [s.pk for s in response.context["suppliers"]] == [fang.pk]


def test_directory_filters_by_product_category_including_subcategories(client):
    tea = CategoryFactory(name="茶叶", slug="tea")
    green_tea = tea.add_child(name="绿茶", slug="green-tea")
    tea_maker = SupplierFactory()
    mushroom_grower = SupplierFactory()
    product_of(tea_maker, title="竹溪贡茶").categories.add(green_tea)
    product_of(mushroom_grower, title="房县香菇")

    response = client.get(DIRECTORY, {"category": "tea"})

    assert [s.pk for s in response.context["suppliers"]] == [tea_maker.pk]


def test_directory_filters_by_valid_certification_only(client):
    organic = SupplierFactory()
    lapsed = SupplierFactory()
    CertificationFactory(supplier=organic, kind=Certification.Kind.ORGANIC)
    CertificationFactory(
        supplier=lapsed,
        kind=Certification.Kind.ORGANIC,
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )

    response = client.get(DIRECTORY, {"certification": "organic"})

    assert [s.pk for s in response.context["suppliers"]] == [organic.pk]


def test_an_unknown_filter_value_is_ignored_rather_than_an_error(client):
    SupplierFactory()

    response = client.get(DIRECTORY, {"county": "atlantis", "category": "nope"})

    assert response.status_code == 200
    assert len(response.context["suppliers"]) == 1


def test_directory_says_so_when_nothing_matches(client):
    SupplierFactory(county=County.FANGXIAN)

    response = client.get(DIRECTORY, {"county": "yunxi"})

    assert "No supplier matches these filters." in response.text or "没有符合" in response.text


def test_expired_certification_loses_its_badge_on_every_public_page_at_once(client):
    supplier = SupplierFactory()
    product = product_of(supplier)
    today = timezone.localdate()
    CertificationFactory(
        supplier=supplier, kind=Certification.Kind.ORGANIC, number="ORG-EXPIRES-TODAY", valid_until=today
    )
    pages = [DIRECTORY, supplier.get_absolute_url()]

    for url in pages:
        assert "sup-badge--organic" in client.get(url).text

    # The next day, with no job run: the badge is gone everywhere, including the product-page include.
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        for url in pages:
            assert "sup-badge--organic" not in client.get(url).text
        from django.template import Context, Template

        html = Template("{% load suppliers_tags %}{% supplier_for_product product %}").render(
            Context({"product": product})
        )
    assert supplier.legal_name in html
    assert "sup-badge--organic" not in html


def test_profile_shows_bases_with_map_photos_valid_certificates_and_products(client):
    supplier = SupplierFactory(legal_name="房县菌菇专业合作社")
    base = ProductionBaseFactory(supplier=supplier, name="土城香菇基地")
    BasePhotoFactory(base=base, caption="菇棚")
    CertificationFactory(supplier=supplier, kind=Certification.Kind.GREEN_FOOD, number="LB-VALID")
    CertificationFactory(
        supplier=supplier,
        kind=Certification.Kind.ORGANIC,
        number="ORG-OLD",
        valid_until=timezone.localdate() - datetime.timedelta(days=3),
    )
    product_of(supplier, title="房县香菇 250克")

    response = client.get(supplier.get_absolute_url())

    assert response.status_code == 200
    assert "<svg" in response.text and "房县</text>" in response.text
    assert base.get_absolute_url() in response.text
    assert "LB-VALID" in response.text
    assert "ORG-OLD" not in response.text
    assert "房县香菇 250克" in response.text
    assert "¥39.80" in response.text


def test_profile_of_a_suspended_or_unknown_supplier_is_not_found(client):
    suspended = SupplierFactory(status=Supplier.Status.SUSPENDED)

    assert client.get(suspended.get_absolute_url()).status_code == 404
    assert client.get("/shop/suppliers/no-such-coop/").status_code == 404


def test_base_page_shows_the_base_on_the_map_with_its_facts(client):
    base = ProductionBaseFactory(
        name="官山茶园",
        county=County.DANJIANGKOU,
        township="官山镇",
        latitude="32.42",
        longitude="111.12",
        in_water_source_protection_area=True,
    )

    response = client.get(base.get_absolute_url())

    assert response.status_code == 200
    assert "官山镇" in response.text
    assert "sup-map__marker" in response.text
    assert client.get(reverse("suppliers:base", kwargs={"slug": "other", "pk": base.pk})).status_code == 404


def _populate(n_suppliers):
    tea = CategoryFactory(name=f"茶叶{n_suppliers}")
    for _ in range(n_suppliers):
        supplier = SupplierFactory()
        for _ in range(3):
            base = ProductionBaseFactory(supplier=supplier)
            BasePhotoFactory(base=base)
        CertificationFactory(supplier=supplier)
        CertificationFactory(supplier=supplier, kind=Certification.Kind.ORGANIC)
        for _ in range(2):
            product_of(supplier).categories.add(tea)
    return supplier


@pytest.mark.parametrize("n_suppliers", [2, 12])
def test_directory_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n_suppliers):
    _populate(n_suppliers)

    with django_assert_max_num_queries(10):
        response = client.get(DIRECTORY)

    assert response.status_code == 200


@pytest.mark.parametrize("n_bases", [1, 8])
def test_profile_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n_bases):
    supplier = SupplierFactory()
    for _ in range(n_bases):
        base = ProductionBaseFactory(supplier=supplier)
        BasePhotoFactory(base=base)
        BasePhotoFactory(base=base)
        CertificationFactory(supplier=supplier)
        product_of(supplier)

    with django_assert_max_num_queries(15):
        response = client.get(supplier.get_absolute_url())

    assert response.status_code == 200


def _render_supplier_for(product):
    from django.template import Context, Template

    return Template("{% load suppliers_tags %}{% supplier_for_product product %}").render(
        Context({"product": product})
    )


def test_product_page_include_names_and_links_the_supplier_in_two_queries(django_assert_max_num_queries):
    supplier = SupplierFactory(legal_name="房县菌菇专业合作社")
    CertificationFactory(supplier=supplier, kind=Certification.Kind.GREEN_FOOD)
    product = product_of(supplier)

    with django_assert_max_num_queries(2):
        html = _render_supplier_for(product)

    assert "房县菌菇专业合作社" in html
    assert f'href="{supplier.get_absolute_url()}"' in html
    assert "sup-badge--green_food" in html


def test_product_page_include_is_empty_without_an_approved_supplier():
    from tests.factories.catalogue import product_in_stock

    suspended = SupplierFactory(status=Supplier.Status.SUSPENDED)

    assert _render_supplier_for(product_in_stock()).strip() == ""
    assert _render_supplier_for(product_of(suspended)).strip() == ""
