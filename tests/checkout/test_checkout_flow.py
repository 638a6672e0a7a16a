"""Checkout from basket to thank-you page, as a guest and signed in."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout import flow
from tests.factories.order import BeijingUserAddressFactory, UserFactory

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
UserAddress = get_model("address", "UserAddress")

pytestmark = pytest.mark.django_db


def test_guest_checks_out_by_bank_transfer_and_sees_account_details_with_order_number(client, mushrooms):
    flow.guest_checkout_to_preview(client, mushrooms, quantity=2, email="li.na@example.com")

    response = flow.place_order(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.status == "Pending payment"
    assert order.guest_email == "li.na@example.com"
    assert order.user is None
    address = order.shipping_address
    assert (address.last_name, address.first_name) == ("王小明", "")
    assert (address.state, address.line4, address.country_id) == ("北京市", "朝阳区", "CN")
    assert address.phone_number.as_e164 == "+8613812345678"
    source = order.sources.get()
    assert (source.source_type.code, source.reference) == ("bank-transfer", order.number)
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 2
    assert Basket.objects.get(pk=order.basket_id).status == Basket.SUBMITTED

    thank_you = client.get(response["Location"])
    page = thank_you.content.decode()
    assert thank_you.status_code == 200
    assert order.number in page
    assert "0200 0000 0000 0000 000" in page
    assert "银行转账" in page
    assert "¥79.60" in page  # 2 × ¥39.80, below the free-delivery threshold …
    assert "¥89.60" in page  # … so ¥10 delivery is added


def test_signed_in_buyer_pays_on_delivery_and_the_order_awaits_shipment(client, mushrooms):
    buyer = UserFactory(email="buyer@example.com")
    client.force_login(buyer)
    flow.add_to_basket(client, mushrooms, 3)
    assert client.get(reverse("checkout:index"))["Location"] == reverse("checkout:shipping-address")
    flow.enter_address(client)
    flow.choose_payment(client, "cash-on-delivery")

    response = flow.place_order(client)

    order = Order.objects.get()
    assert response["Location"] == reverse("checkout:thank-you")
    assert (order.user, order.status) == (buyer, "Awaiting shipment")
    assert order.status_changes.get().old_status == "Pending payment"
    assert order.shipping_incl_tax == 0  # 3 × ¥39.80 = ¥119.40 is over ¥99
    assert UserAddress.objects.get(user=buyer).line4 == "朝阳区"
    assert "货到付款" in client.get(response["Location"]).content.decode()


def test_signed_in_buyer_ships_to_a_saved_address(client, mushrooms):
    address = BeijingUserAddressFactory(line4="海淀区", line1="中关村大街1号")
    client.force_login(address.user)
    flow.add_to_basket(client, mushrooms)

    response = client.post(
        reverse("checkout:shipping-address"), {"action": "ship_to", "address_id": address.pk}
    )
    client.get(response["Location"])
    flow.choose_payment(client)
    flow.place_order(client)

    assert response["Location"] == reverse("checkout:shipping-method")
    assert Order.objects.get().shipping_address.line1 == "中关村大街1号"


def test_saved_address_that_breaks_the_delivery_rules_must_be_completed_first(client, mushrooms):
    address = BeijingUserAddressFactory(line4="浦东新区", phone_number="+862088888888")
    client.force_login(address.user)
    flow.add_to_basket(client, mushrooms)

    response = client.post(
        reverse("checkout:shipping-address"), {"action": "ship_to", "address_id": address.pk}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "checkout:user-address-update", kwargs={"pk": address.pk}
    )
    page = response.content.decode()
    assert "请选择北京市的16个区之一" in page
    assert "中国大陆手机号" in page


def test_someone_elses_saved_address_cannot_be_used(client, mushrooms):
    strangers_address = BeijingUserAddressFactory()
    client.force_login(UserFactory())
    flow.add_to_basket(client, mushrooms)

    response = client.post(
        reverse("checkout:shipping-address"), {"action": "ship_to", "address_id": strangers_address.pk}
    )

    assert response.status_code == 404


def test_preview_without_a_payment_method_sends_the_buyer_to_choose_one(client, mushrooms):
    flow.add_to_basket(client, mushrooms)
    flow.start_as_guest(client)
    flow.enter_address(client)

    response = client.get(reverse("checkout:preview"))

    assert response["Location"] == reverse("checkout:payment-method")


def test_payment_method_page_offers_bank_transfer_and_pay_on_delivery(client, mushrooms):
    flow.add_to_basket(client, mushrooms)
    flow.start_as_guest(client)
    flow.enter_address(client)

    page = client.get(reverse("checkout:payment-method")).content.decode()

    assert "银行转账" in page
    assert "货到付款" in page


def test_unknown_payment_method_is_refused(client, mushrooms):
    flow.add_to_basket(client, mushrooms)
    flow.start_as_guest(client)
    flow.enter_address(client)

    response = flow.choose_payment(client, "bitcoin")

    assert response.status_code == 200
    assert "该付款方式不适用于此订单" in response.content.decode()


def test_preview_shows_the_delivery_fee_and_total(client, mushrooms):
    response = flow.guest_checkout_to_preview(client, mushrooms)

    page = response.content.decode()
    assert "¥10.00" in page
    assert "¥49.80" in page
    assert "王小明" in page
