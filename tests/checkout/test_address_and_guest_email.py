"""Delivery addresses follow the Beijing rules everywhere; bad input never reaches an order."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout import flow
from tests.factories.order import BEIJING_ADDRESS_FORM, UserFactory

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone_number", "12345", "请输入中国大陆手机号"),
        ("phone_number", "010 6512 3456", "请输入中国大陆手机号"),  # a Beijing landline
        ("line4", "浦东新区", "请选择北京市的16个区之一"),
        ("line4", "", "请选择所在区"),
        ("line1", "   ", "请填写详细地址"),
        ("last_name", "", "请填写收货人姓名"),
        ("postcode", "1000", "邮政编码为 6 位数字"),
    ],
)
def test_invalid_address_is_refused_in_chinese_and_no_order_can_follow(
    client, mushrooms, field, value, message
):
    flow.add_to_basket(client, mushrooms)
    flow.start_as_guest(client)

    response = flow.enter_address(client, **{field: value})

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert client.get(reverse("checkout:preview"))["Location"] == reverse("checkout:shipping-address")
    assert flow.place_order(client).status_code == 302
    assert not Order.objects.exists()


def test_mobile_number_is_stored_in_international_form_whatever_the_buyer_typed(client, mushrooms):
    flow.guest_checkout_to_preview(client, mushrooms)
    flow.enter_address(client, phone_number="+86 139-1000-2000")
    flow.choose_payment(client)

    flow.place_order(client)

    assert Order.objects.get().shipping_address.phone_number.as_e164 == "+8613910002000"


def test_guest_must_give_a_valid_email_address(client, mushrooms):
    flow.add_to_basket(client, mushrooms)

    response = flow.start_as_guest(client, email="not-an-email")

    assert response.status_code == 200
    assert "有效的 Email 地址" in str(response.context["form"].errors["username"])
    assert client.get(reverse("checkout:shipping-address"))["Location"] == reverse("checkout:index")


def test_address_book_applies_the_same_rules(client):
    buyer = UserFactory()
    client.force_login(buyer)

    refused = client.post(
        reverse("customer:address-create"), {**BEIJING_ADDRESS_FORM, "line4": "黄浦区", "phone_number": "123"}
    )
    accepted = client.post(reverse("customer:address-create"), BEIJING_ADDRESS_FORM)

    assert set(refused.context["form"].errors) == {"line4", "phone_number"}
    assert accepted.status_code == 302
    saved = UserAddress.objects.get(user=buyer)
    assert (saved.state, saved.line4, saved.country_id, saved.first_name) == ("北京市", "朝阳区", "CN", "")


def test_editing_a_saved_address_during_checkout_applies_the_same_rules(client, mushrooms):
    buyer = UserFactory()
    client.force_login(buyer)
    client.post(reverse("customer:address-create"), BEIJING_ADDRESS_FORM)
    address = UserAddress.objects.get(user=buyer)
    url = reverse("checkout:user-address-update", kwargs={"pk": address.pk})

    response = client.post(url, {**BEIJING_ADDRESS_FORM, "phone_number": "1380000"})

    assert response.status_code == 200
    assert "phone_number" in response.context["form"].errors
