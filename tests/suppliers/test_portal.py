"""The cooperative portal: a supplier's user manages its own records and provably nothing else."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from suppliers.models import BasePhoto, Certification, ProductionBase, Supplier
from tests.factories.suppliers import (
    BasePhotoFactory,
    CertificationFactory,
    ProductionBaseFactory,
    SupplierFactory,
    image_upload,
    portal_user_for,
)
from tests.suppliers.conftest import order_of, product_of

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def mine():
    supplier = SupplierFactory(legal_name="房县菌菇专业合作社", short_name="房县菌菇")
    base = ProductionBaseFactory(supplier=supplier, name="我的基地")
    return {
        "supplier": supplier,
        "base": base,
        "photo": BasePhotoFactory(base=base),
        "certification": CertificationFactory(supplier=supplier, number="MINE-001"),
        "product": product_of(supplier, title="我的香菇"),
    }


@pytest.fixture
def theirs():
    supplier = SupplierFactory(legal_name="竹溪县贡茶专业合作社", short_name="竹溪贡茶")
    base = ProductionBaseFactory(
        supplier=supplier,
        name="别人的茶园",
        county="zhuxi",
        township="中峰镇",
        latitude="32.25",
        longitude="109.80",
    )
    product = product_of(supplier, title="别人的贡茶")
    return {
        "supplier": supplier,
        "base": base,
        "photo": BasePhotoFactory(base=base),
        "certification": CertificationFactory(supplier=supplier, number="THEIRS-001"),
        "product": product,
        "stockrecord": product.stockrecords.get(),
        "order": order_of([(product, 1)], number="900001"),
    }


@pytest.fixture
def portal(client, mine):
    client.force_login(portal_user_for(mine["supplier"]))
    return client


def _snapshot(theirs):
    """Everything of the other supplier that a portal write could touch."""
    return {
        "supplier": model_to_dict(Supplier.objects.get(pk=theirs["supplier"].pk), exclude=["logo"]),
        "bases": [model_to_dict(b) for b in ProductionBase.objects.filter(supplier=theirs["supplier"])],
        "photos": list(
            BasePhoto.objects.filter(base__supplier=theirs["supplier"]).values_list("pk", "image")
        ),
        "certifications": [
            model_to_dict(c, exclude=["scan"])
            for c in Certification.objects.filter(supplier=theirs["supplier"])
        ],
        "stock": list(
            StockRecord.objects.filter(partner=theirs["supplier"].partner).values_list(
                "pk", "num_in_stock", "low_stock_threshold"
            )
        ),
    }


def _valid_post_data(name, mine):
    return {
        "base-update": {
            "name": "改名",
            "county": "fangxian",
            "township": "土城镇",
            "latitude": "32.05",
            "longitude": "110.6",
            "area_mu": "10",
            "main_crops": "香菇",
        },
        "base-photos": {"image": image_upload(), "caption": "x"},
        "certification-update": {
            "kind": "organic",
            "number": "HIJACK",
            "issuer": "x",
            "valid_from": "2025-01-01",
            "valid_until": "2027-01-01",
        },
        "stock-update": {"num_in_stock": "0"},
    }.get(name, {})


def _other_suppliers_urls(mine, theirs):
    """Every portal URL that takes an id, filled with the other supplier's ids."""
    return [
        ("base-update", {"pk": theirs["base"].pk}),
        ("base-delete", {"pk": theirs["base"].pk}),
        ("base-photos", {"pk": theirs["base"].pk}),
        ("base-photo-delete", {"pk": theirs["base"].pk, "photo_pk": theirs["photo"].pk}),
        # Mixed: my base with their photo.
        ("base-photo-delete", {"pk": mine["base"].pk, "photo_pk": theirs["photo"].pk}),
        ("certification-update", {"pk": theirs["certification"].pk}),
        ("certification-delete", {"pk": theirs["certification"].pk}),
        ("stock-update", {"pk": theirs["stockrecord"].pk}),
        ("order", {"number": theirs["order"].number}),
    ]


def test_every_portal_url_with_another_supplier_s_ids_is_not_found_and_changes_nothing(portal, mine, theirs):
    before = _snapshot(theirs)

    for name, kwargs in _other_suppliers_urls(mine, theirs):
        url = reverse(f"portal:{name}", kwargs=kwargs)
        assert portal.get(url).status_code == 404, url
        response = portal.post(url, _valid_post_data(name, mine))
        # The order page has no write: POST is refused by method before any lookup.
        assert response.status_code == (405 if name == "order" else 404), url

    assert _snapshot(theirs) == before


def test_portal_lists_and_pages_show_only_the_supplier_s_own_records(portal, mine, theirs):
    mixed = order_of([(mine["product"], 2), (theirs["product"], 1)], number="900002")
    pages = ["home", "profile", "bases", "certifications", "stock", "orders", "sales"]

    for name in pages:
        text = portal.get(reverse(f"portal:{name}")).text
        for foreign in ["别人的茶园", "THEIRS-001", "别人的贡茶", "竹溪贡茶专业合作社", "900001"]:
            assert foreign not in text, (name, foreign)

    detail = portal.get(reverse("portal:order", kwargs={"number": mixed.number})).text
    assert "我的香菇" in detail and "别人的贡茶" not in detail


def test_the_portal_is_closed_to_buyers_and_to_anonymous_visitors(client, mine):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and "/login/" in response["Location"]

    client.force_login(UserFactory())
    assert client.get(reverse("portal:bases")).status_code == 403

    # In the partner but not in the "Cooperative users" group: no portal either.
    outsider = UserFactory()
    mine["supplier"].partner.users.add(outsider)
    client.force_login(outsider)
    assert client.get(reverse("portal:home")).status_code == 403


def test_a_suspended_supplier_keeps_its_portal_with_a_notice(portal, mine):
    Supplier.objects.filter(pk=mine["supplier"].pk).update(status="suspended", status_reason="抽检复核中")

    response = portal.get(reverse("portal:home"))

    assert response.status_code == 200
    assert "抽检复核中" in response.text


def test_profile_edits_change_the_editable_fields_only(portal, mine):
    supplier = mine["supplier"]
    response = portal.post(
        reverse("portal:profile"),
        {
            "short_name": "房县菌菇社",
            "contact_name": "张三",
            "phone": "0719-3222888",
            "email": "new@example.com",
            "address": "房县城关镇",
            "description": "新的介绍",
            "households_supported": "300",
            "food_licence_number": "",
            "uscc": "91420000000000000X",  # not an editable field: ignored
            "logo": image_upload("logo.png", fmt="PNG"),
        },
    )

    assert response.status_code == 302
    old_uscc = supplier.uscc
    supplier.refresh_from_db()
    assert (supplier.short_name, supplier.phone, supplier.households_supported) == (
        "房县菌菇社",
        "07193222888",
        300,
    )
    assert supplier.uscc == old_uscc
    assert supplier.logo


def test_a_base_outside_shiyan_is_refused_with_a_field_error(portal, mine):
    response = portal.post(
        reverse("portal:base-create"),
        {
            "name": "北京基地",
            "county": "fangxian",
            "township": "土城镇",
            "latitude": "39.9",
            "longitude": "116.4",
            "area_mu": "10",
            "main_crops": "香菇",
        },
    )

    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors
    assert not ProductionBase.objects.filter(name="北京基地").exists()


def test_a_new_base_with_phone_precision_coordinates_is_saved(portal, mine):
    response = portal.post(
        reverse("portal:base-create"),
        {
            "name": "军店基地",
            "county": "fangxian",
            "township": "军店镇",
            "latitude": "32.1712345678",
            "longitude": "110.5823456789",
            "area_mu": "35.5",
            "altitude_m": "620",
            "main_crops": "黑木耳",
            "plot_names": "东坡\n西坡",
        },
    )

    assert response.status_code == 302
    base = ProductionBase.objects.get(name="军店基地")
    assert base.latitude == Decimal("32.17123")
    assert base.plots == ["东坡", "西坡"]


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_saved(portal, mine):
    from django.core.files.uploadedfile import SimpleUploadedFile

    count = BasePhoto.objects.count()
    response = portal.post(
        reverse("portal:base-photos", kwargs={"pk": mine["base"].pk}),
        {"image": SimpleUploadedFile("x.jpg", b"GIF89a-not-really", content_type="image/jpeg")},
    )

    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert BasePhoto.objects.count() == count


def test_own_records_can_be_added_edited_and_deleted(portal, mine):
    cert_url = reverse("portal:certification-update", kwargs={"pk": mine["certification"].pk})
    portal.post(
        cert_url,
        {
            "kind": "green_food",
            "number": "MINE-002",
            "issuer": "中国绿色食品发展中心",
            "valid_from": "2025-01-01",
            "valid_until": "2028-01-01",
        },
    )
    portal.post(reverse("portal:base-delete", kwargs={"pk": mine["base"].pk}))

    mine["certification"].refresh_from_db()
    assert mine["certification"].number == "MINE-002"
    assert not ProductionBase.objects.filter(pk=mine["base"].pk).exists()


def test_an_sc_certificate_number_is_checked(portal, mine):
    response = portal.post(
        reverse("portal:certification-create"),
        {
            "kind": "sc_licence",
            "number": "SC99",
            "issuer": "房县市场监督管理局",
            "valid_from": "2024-01-01",
            "valid_until": "2029-01-01",
        },
    )

    assert "number" in response.context["form"].errors


def test_a_certificate_ending_before_it_starts_is_refused(portal, mine):
    response = portal.post(
        reverse("portal:certification-create"),
        {
            "kind": "organic",
            "number": "ORG-1",
            "issuer": "x",
            "valid_from": "2026-01-01",
            "valid_until": "2025-01-01",
        },
    )

    assert "valid_until" in response.context["form"].errors


def test_stock_is_set_and_never_below_what_orders_hold(portal, mine):
    record = mine["product"].stockrecords.get()
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=5)
    url = reverse("portal:stock-update", kwargs={"pk": record.pk})

    refused = portal.post(url, {"num_in_stock": "3"})
    accepted = portal.post(url, {"num_in_stock": "80", "low_stock_threshold": "10"})

    assert "num_in_stock" in refused.context["form"].errors
    assert accepted.status_code == 302
    record.refresh_from_db()
    assert (record.num_in_stock, record.low_stock_threshold) == (80, 10)


def test_sales_count_paid_orders_of_own_products_by_month_and_product(portal, mine, theirs):
    order_of([(mine["product"], 2), (theirs["product"], 5)], status="Paid")
    order_of([(mine["product"], 1)], status="Shipped")
    order_of([(mine["product"], 7)], status="Cancelled")
    order_of([(mine["product"], 9)], status="Pending payment")

    context = portal.get(reverse("portal:sales")).context

    month = timezone.localdate().strftime("%Y-%m")
    [(row, _)] = context["by_month"]
    assert (row.label, row.quantity, row.orders) == (month, 3, 2)
    assert row.revenue == Decimal("39.80") * 3
    [product_row] = context["by_product"]
    assert (product_row.label, product_row.quantity) == ("我的香菇", 3)


def test_certificates_page_flags_expired_and_expiring_ones(portal, mine):
    today = timezone.localdate()
    CertificationFactory(
        supplier=mine["supplier"], number="OLD", valid_until=today - datetime.timedelta(days=2)
    )
    CertificationFactory(
        supplier=mine["supplier"], number="SOON", valid_until=today + datetime.timedelta(days=6)
    )

    portal.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = portal.get(reverse("portal:certifications"))

    assert "Expired: not shown to buyers" in response.text
    assert "Expires in 6 days" in response.text
