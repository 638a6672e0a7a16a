"""Bulk orders: from an order sheet (every error listed, nothing ordered), from the basket with
lines to different sites and days, a re-order, and the manager's confirmation; stock allocated as
for any order; another organisation's orders out of reach."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import Delivery, Organisation, OrganisationOrder
from core.sales_channels import SalesChannel
from tests.factories.channels import (
    DeliverySiteFactory,
    OrganisationFactory,
    channel_manager,
    member_of,
    price,
)
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def school():
    return OrganisationFactory(channel=SalesChannel.SCHOOL, short_name="海淀实验中学")


@pytest.fixture
def sites(school):
    return DeliverySiteFactory(organisation=school, name="海淀校区"), DeliverySiteFactory(
        organisation=school, name="昌平校区"
    )


@pytest.fixture
def buyer(school):
    return member_of(school)


@pytest.fixture
def products():
    shiitake = product_for_sale(title="房县香菇 250克", price="39.80", stock=100, upc="SX-001")
    fungus = product_for_sale(title="竹溪木耳 500克", price="58.00", stock=50, upc="SX-002")
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return shiitake, fungus


def sheet(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("order.csv", text.encode("utf-8"), content_type="text/csv")


def upload(client, text, po="PO-9"):
    return client.post(
        reverse("channels:org-order-sheet"),
        {"sheet": sheet(text), "delivery_date": TOMORROW.isoformat(), "po_number": po, "note": "后门卸货"},
    )


def test_a_sheet_becomes_one_order_with_a_delivery_per_site_and_day(client, buyer, sites, products):
    shiitake, fungus = products
    client.force_login(buyer)
    later = TOMORROW + datetime.timedelta(days=2)

    response = upload(
        client,
        f"商品编号,数量,送货点,送货日期\nSX-001,18,海淀校区,\nSX-002,5,昌平校区,{later:%Y-%m-%d}\nSX-001,12,昌平校区,\n",
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    link = OrganisationOrder.objects.get()
    assert (link.source, link.po_number, link.note) == ("sheet", "PO-9", "后门卸货")
    order = link.order
    assert [(line.quantity, line.unit_price_incl_tax) for line in order.lines.order_by("pk")] == [
        (18, Decimal("31.00")),
        (5, Decimal("58.00")),
        (12, Decimal("31.00")),
    ]
    deliveries = {
        (d.site.name, d.date): d.lines.count() for d in Delivery.objects.filter(organisation_order=link)
    }
    assert deliveries == {("海淀校区", TOMORROW): 1, ("昌平校区", later): 1, ("昌平校区", TOMORROW): 1}
    shiitake.stockrecords.get().refresh_from_db()
    assert shiitake.stockrecords.get().num_allocated == 30


def test_every_error_of_a_sheet_is_listed_and_nothing_is_ordered(client, buyer, sites, products):
    client.force_login(buyer)

    response = upload(
        client,
        "商品编号,数量,送货点\nNOPE-1,5,海淀校区\nSX-001,13,海淀校区\nSX-002,abc,海淀校区\nSX-002,1,火星校区\nSX-002,500,海淀校区\n",
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Row 2, Product code" in page and "NOPE-1" in page
    assert "Row 4, Quantity" in page
    assert "Row 5, Delivery site" in page and "火星校区" in page
    assert OrganisationOrder.objects.count() == 0 and Order.objects.count() == 0


def test_rules_of_the_price_list_and_stock_are_checked_per_row(client, buyer, sites, products):
    client.force_login(buyer)

    response = upload(client, "商品编号,数量,送货点\nSX-001,13,海淀校区\nSX-002,500,海淀校区\n")

    page = response.content.decode()
    assert response.status_code == 400
    assert "Row 2" in page and "whole cases of 6" in page
    assert "Row 3" in page
    assert Order.objects.count() == 0


def test_a_suspended_organisation_cannot_order(client, school, buyer, sites, products):
    Organisation.objects.filter(pk=school.pk).update(status=Organisation.Status.SUSPENDED)
    client.force_login(buyer)

    response = upload(client, "商品编号,数量,送货点\nSX-002,1,海淀校区\n")

    assert response.status_code == 400 and "cannot order" in response.content.decode()
    assert Order.objects.count() == 0


def test_the_basket_is_ordered_with_a_line_to_another_site(client, buyer, sites, products):
    shiitake, fungus = products
    haidian, changping = sites
    client.force_login(buyer)
    client.post(reverse("basket:add", kwargs={"pk": shiitake.pk}), {"quantity": 12})
    client.post(reverse("basket:add", kwargs={"pk": fungus.pk}), {"quantity": 2})
    basket_lines = {line.product_id: line.pk for line in get_model("basket", "Line").objects.all()}

    response = client.post(
        reverse("channels:org-order-basket"),
        {
            "site": haidian.pk,
            "delivery_date": TOMORROW.isoformat(),
            "po_number": "B-1",
            f"site-{basket_lines[fungus.pk]}": changping.pk,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    link = OrganisationOrder.objects.get()
    assert link.source == "basket" and link.po_number == "B-1"
    assert sorted(d.site.name for d in link.deliveries.all()) == ["昌平校区", "海淀校区"]
    assert client.get(reverse("basket:summary")).context["basket"].is_empty


def test_a_past_order_is_ordered_again_and_the_manager_confirms_it(client, buyer, sites, products):
    client.force_login(buyer)
    upload(client, "商品编号,数量,送货点\nSX-001,12,海淀校区\nSX-002,3,昌平校区\n")
    first = OrganisationOrder.objects.get()

    client.post(
        reverse("channels:org-order-reorder", args=[first.pk]), {"delivery_date": TOMORROW.isoformat()}
    )

    again = OrganisationOrder.objects.exclude(pk=first.pk).get()
    assert again.source == "reorder"
    assert [(line.quantity) for line in again.order.lines.order_by("pk")] == [12, 3]

    manager = channel_manager(SalesChannel.SCHOOL)
    client.force_login(manager)
    assert again.order.number in client.get(reverse("channels:desk")).content.decode()
    client.post(reverse("channels:desk-order-confirm", args=[again.pk]))
    again.refresh_from_db()
    assert again.confirmed_by == manager and again.confirmed_at is not None


def test_other_organisations_and_channels_are_out_of_reach(client, buyer, sites, products):
    client.force_login(buyer)
    upload(client, "商品编号,数量,送货点\nSX-002,1,海淀校区\n")
    link = OrganisationOrder.objects.get()

    client.force_login(member_of(OrganisationFactory(channel=SalesChannel.SCHOOL)))
    assert client.post(reverse("channels:org-order-reorder", args=[link.pk])).status_code == 404
    client.force_login(channel_manager(SalesChannel.RESTAURANT))
    assert client.post(reverse("channels:desk-order-confirm", args=[link.pk])).status_code == 403
    assert link.order.number not in client.get(reverse("channels:desk-orders")).content.decode()
    link.refresh_from_db()
    assert link.confirmed_at is None and OrganisationOrder.objects.count() == 1


@pytest.mark.parametrize(
    "name", ["org-quotes", "org-quote-create", "org-orders", "org-order-basket", "org-order-sheet"]
)
def test_member_pages_answer_members_only(client, buyer, name):
    client.force_login(buyer)
    assert client.get(reverse(f"channels:{name}")).status_code == 200
    client.force_login(channel_manager(SalesChannel.SCHOOL))
    assert client.get(reverse(f"channels:{name}")).status_code == 403


@pytest.mark.parametrize("name", ["desk-quotes", "desk-orders"])
def test_desk_pages_answer_managers_only(client, buyer, name):
    client.force_login(channel_manager(SalesChannel.SCHOOL))
    assert client.get(reverse(f"channels:{name}")).status_code == 200
    client.force_login(buyer)
    assert client.get(reverse(f"channels:{name}")).status_code == 403
    client.logout()
    assert client.get(reverse(f"channels:{name}")).status_code == 302
