"""Buying as on the big phone apps: the cooperative enters the parcel, the buyer follows it on a
timeline and sees orders as cards with a one-tap re-order; a buy bar and a free-delivery nudge."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.order import statuses
from shop.order.services import ShipmentRefused, order_timeline, shipment_record
from tests.factories.suppliers import SupplierFactory, portal_user_for
from tests.suppliers.conftest import order_of, product_of

pytestmark = pytest.mark.django_db

Shipment = get_model("order", "Shipment")


@pytest.fixture
def coop():
    return SupplierFactory(legal_name="房县菌菇专业合作社", short_name="房县菌菇")


@pytest.fixture
def buyer_order(coop):
    buyer = UserFactory()
    order = order_of([(product_of(coop, title="我的香菇"), 2)], status=statuses.PAID)
    order.user = buyer
    order.save(update_fields=["user"])
    return buyer, order


def test_the_cooperative_marks_its_order_shipped_and_the_buyer_follows_the_parcel(client, coop, buyer_order):
    buyer, order = buyer_order
    client.force_login(portal_user_for(coop))

    response = client.post(
        reverse("portal:order-ship", kwargs={"number": order.number}),
        {"carrier": "sf", "tracking_number": " SF1234567890 "},
    )

    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_number, shipment.supplier) == ("sf", "SF1234567890", coop)
    order.refresh_from_db()
    assert order.status == statuses.SHIPPED

    client.force_login(buyer)
    detail = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()
    assert "顺丰速运 SF1234567890" in detail and "已发货" in detail and "order-timeline" in detail
    cards = client.get(reverse("customer:order-list")).content.decode()
    assert "顺丰速运 SF1234567890" in cards and "再来一单" in cards


def test_a_parcel_needs_a_tracking_number_and_a_paid_order(coop, buyer_order):
    _, order = buyer_order
    with pytest.raises(ShipmentRefused, match="运单号|tracking"):
        shipment_record(order=order, carrier="sf", tracking_number="  ")
    pending = order_of([(product_of(coop, title="另一款香菇"), 1)], status=statuses.PENDING_PAYMENT)
    with pytest.raises(ShipmentRefused):
        shipment_record(order=pending, carrier="sf", tracking_number="SF1")
    assert not Shipment.objects.exists()
    # Our own delivery needs no number.
    shipment_record(order=order, carrier="own")
    assert Shipment.objects.count() == 1


def test_another_cooperative_cannot_ship_or_see_the_order(client, coop, buyer_order):
    _, order = buyer_order
    other = SupplierFactory(legal_name="竹溪县贡茶专业合作社", short_name="竹溪贡茶")
    client.force_login(portal_user_for(other))

    response = client.post(
        reverse("portal:order-ship", kwargs={"number": order.number}),
        {"carrier": "sf", "tracking_number": "X1"},
    )

    assert response.status_code == 404
    assert not Shipment.objects.exists()


def test_the_timeline_reads_placed_paid_shipped_delivered(coop, buyer_order):
    _, order = buyer_order
    assert [step["label"] for step in order_timeline(order)] == ["已下单", "已发货", "已送达"]
    shipment_record(order=order, carrier="jd", tracking_number="JD0001")

    steps = order_timeline(order)

    assert [(step["label"], step["done"]) for step in steps] == [
        ("已下单", True),
        ("已发货", True),
        ("已送达", False),
    ]
    assert steps[1]["detail"] == "京东物流 JD0001"


def test_buy_again_from_the_order_card_fills_the_basket(client, coop, buyer_order):
    buyer, order = buyer_order
    client.force_login(buyer)

    response = client.post(
        reverse("customer:order", kwargs={"order_number": order.number}),
        {"order_id": order.id, "action": "reorder"},
    )

    assert response.status_code == 302
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.num_items == 2


def test_the_product_page_has_a_buy_bar_and_buy_now_goes_to_checkout(client, coop):
    product = product_of(coop, title="我的香菇")
    page = client.get(product.get_absolute_url()).content.decode()
    assert 'class="buy-bar"' in page and "立即购买" in page

    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "next": reverse("checkout:index")}
    )

    assert response.status_code == 302 and response["Location"] == reverse("checkout:index")


def test_the_basket_says_how_much_more_for_free_delivery(client, coop, settings):
    settings.SHOP_SHIPPING_FREE_FROM = "99.00"
    product = product_of(coop, title="我的香菇")
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})

    page = client.get(reverse("basket:summary")).content.decode()

    assert "免运费" in page and "还差" in page


def test_staff_enter_a_parcel_in_the_admin_and_the_order_turns_shipped(client, buyer_order):
    _, order = buyer_order
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        "/django-admin/order/shipment/add/",
        {"order": order.pk, "carrier": "ems", "tracking_number": "EMS42", "supplier": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    order.refresh_from_db()
    assert order.status == statuses.SHIPPED
    assert Shipment.objects.get().tracking_number == "EMS42"
    missing = client.post(
        "/django-admin/order/shipment/add/", {"order": order.pk, "carrier": "sf", "tracking_number": ""}
    )
    assert missing.status_code == 200 and Shipment.objects.count() == 1


def test_the_portal_names_order_statuses_in_chinese(client, coop, buyer_order):
    _, order = buyer_order
    client.force_login(portal_user_for(coop))

    pages = [reverse("portal:home"), reverse("portal:orders"), reverse("portal:order", args=[order.number])]
    for url in pages:
        page = client.get(url).content.decode()
        assert "已付款" in page and ">Paid<" not in page, url


# --- The buyer is told the parcel left ---------------------------------------------------------
def test_the_buyer_with_an_e_mail_address_is_told_by_e_mail_once_per_parcel(coop, buyer_order):
    from django.core import mail
    from django.test import TestCase

    from core import sms

    buyer, order = buyer_order
    buyer.email = "li.na@example.com"
    buyer.save(update_fields=["email"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        shipment_record(order=order, carrier="sf", tracking_number="SF1234567890")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the same parcel entered again
        shipment_record(order=order, carrier="sf", tracking_number="SF1234567890")

    assert len(mail.outbox) == 1 and sms.outbox == []
    message = mail.outbox[0]
    assert message.to == ["li.na@example.com"]
    assert str(order.number) in message.subject and "已发货" in message.subject
    assert "顺丰" in message.body and "SF1234567890" in message.body
    assert reverse("customer:order", kwargs={"order_number": order.number}) in message.body


def test_a_corrected_tracking_number_sends_one_correction(coop, buyer_order):
    from django.core import mail
    from django.test import TestCase

    _, order = buyer_order
    with TestCase.captureOnCommitCallbacks(execute=True):
        shipment_record(order=order, carrier="sf", tracking_number="SF1234567890")
        shipment_record(order=order, carrier="sf", tracking_number="SF1234567899")

    assert ["SF1234567899" in message.body for message in mail.outbox] == [False, True]


def test_a_phone_only_buyer_is_told_by_sms(coop, buyer_order):
    from django.core import mail
    from django.test import TestCase

    from core import sms
    from shop.phone.models import VerifiedMobile

    buyer, order = buyer_order
    buyer.email = ""
    buyer.save(update_fields=["email"])
    order.guest_email = ""
    order.save(update_fields=["guest_email"])
    VerifiedMobile.objects.create(user=buyer, number="13712345678")

    with TestCase.captureOnCommitCallbacks(execute=True):
        shipment_record(order=order, carrier="jd", tracking_number="JD0001")

    assert mail.outbox == []
    assert [message.to for message in sms.outbox] == ["13712345678"]
    text = sms.outbox[0].text
    assert str(order.number) in text and "JD0001" in text and "已发货" in text
    assert reverse("customer:order", kwargs={"order_number": order.number}) in text


def test_a_parcel_refused_or_rolled_back_leaves_no_notice(coop, buyer_order):
    from django.db import transaction

    from core.models import OutboxMessage

    _, order = buyer_order
    with pytest.raises(ShipmentRefused):
        shipment_record(order=order, carrier="sf", tracking_number="")
    with pytest.raises(RuntimeError), transaction.atomic():
        shipment_record(order=order, carrier="sf", tracking_number="SF1")
        raise RuntimeError("the caller's transaction fails after the parcel")

    assert not OutboxMessage.objects.filter(kind="order.shipment_notice").exists()


def test_staff_correcting_a_parcel_in_the_admin_tell_the_buyer_once(client, coop, buyer_order):
    from django.core import mail
    from django.test import TestCase

    _, order = buyer_order
    with TestCase.captureOnCommitCallbacks(execute=True):
        shipment = shipment_record(order=order, carrier="sf", tracking_number="SF1234567890")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:order_shipment_change", args=[shipment.pk])
    form = {"order": order.pk, "carrier": "sf", "supplier": coop.pk}

    with TestCase.captureOnCommitCallbacks(execute=True):
        saved_unchanged = client.post(url, {**form, "tracking_number": "SF1234567890"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        corrected = client.post(url, {**form, "tracking_number": "SF1234567899"})

    assert saved_unchanged.status_code == corrected.status_code == 302
    assert ["SF1234567899" in message.body for message in mail.outbox] == [False, True]
