"""Buyers follow their orders: account history for members, the status page for guests."""

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import statuses
from shop.order.services import order_cancel
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def test_every_status_of_the_pipeline_has_a_chinese_name():
    assert set(settings.OSCAR_ORDER_STATUS_PIPELINE) == set(statuses.LABELS)
    assert [statuses.status_label(status) for status in statuses.LABELS] == [
        "待付款",
        "待发货",
        "已付款",
        "已发货",
        "已完成",
        "已取消",
    ]


def test_order_history_lists_the_buyers_orders_with_translated_status(client, mushrooms):
    buyer = UserFactory()
    pending = place_order(basket=basket_with((mushrooms, 1), owner=buyer), user=buyer)
    cancelled = order_cancel(order=place_order(basket=basket_with((mushrooms, 2), owner=buyer), user=buyer))
    someone_elses = place_order(basket=basket_with((mushrooms, 1)))
    client.force_login(buyer)

    page = client.get(reverse("customer:order-list")).content.decode()

    assert pending.number in page
    assert cancelled.number in page
    assert someone_elses.number not in page
    assert "待付款" in page
    assert "已取消" in page


def test_order_history_query_count_does_not_grow_with_orders(client, django_assert_max_num_queries):
    buyer = UserFactory()
    for _ in range(12):
        product = product_for_sale()
        place_order(basket=basket_with((product, 1), owner=buyer), user=buyer)
    client.force_login(buyer)

    # About 15 today, most of them the site layout (menus, basket); none per order.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("customer:order-list"))

    assert len(response.context["orders"]) == 12


def test_empty_order_history_invites_to_shop(client):
    client.force_login(UserFactory())

    page = client.get(reverse("customer:order-list")).content.decode()

    assert "您还没有下过订单" in page


def test_order_detail_shows_lines_address_status_and_bank_details_while_unpaid(client, mushrooms):
    from shop.checkout.payment_methods import BankTransfer

    buyer = UserFactory()
    order = place_order(basket=basket_with((mushrooms, 2), owner=buyer), user=buyer)
    BankTransfer().order_placed(order=order)
    client.force_login(buyer)

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()

    assert "待付款" in page
    assert "房县香菇 250克" in page
    assert "北京市朝阳区" in page
    assert "0200 0000 0000 0000 000" in page
    assert order.number in page


def test_buyer_cannot_see_someone_elses_order(client, mushrooms):
    order = place_order(basket=basket_with((mushrooms, 1)), user=UserFactory())
    client.force_login(UserFactory())

    response = client.get(reverse("customer:order", kwargs={"order_number": order.number}))

    assert response.status_code == 404


def test_guest_sees_the_status_page_after_confirming_their_email(client, mushrooms):
    order = place_order(basket=basket_with((mushrooms, 1)), guest_email="li.na@example.com")
    url = reverse(
        "customer:anon-order", kwargs={"order_number": order.number, "hash": order.verification_hash()}
    )

    asked = client.get(url)
    client.post(asked["Location"], {"email": "li.na@example.com"})
    page = client.get(url).content.decode()

    assert asked.status_code == 302
    assert "待付款" in page
    assert "房县香菇 250克" in page
