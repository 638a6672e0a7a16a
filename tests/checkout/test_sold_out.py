"""A product that sells out while the buyer is checking out: clear message, nothing ordered."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order.exceptions import InsufficientStock
from shop.order.signals import order_stock_allocated
from tests.checkout import flow

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_buyer_whose_product_sold_out_before_placing_is_sent_back_to_the_basket(client, mushrooms):
    flow.guest_checkout_to_preview(client, mushrooms, quantity=3)
    StockRecord.objects.filter(product=mushrooms).update(num_allocated=8)  # others bought 8 of 10

    response = flow.place_order(client)

    assert response["Location"] == reverse("basket:summary")
    assert any("房县香菇 250克" in message for message in messages_of(response))
    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 8


def test_shortage_found_inside_the_placement_rolls_everything_back(client, mushrooms):
    """A higher room (batch allocation) refuses the order after the stock record was allocated."""
    flow.guest_checkout_to_preview(client, mushrooms, quantity=2)

    def no_batch_left(sender, order, **kwargs):
        line = order.lines.get()
        raise InsufficientStock(product_title=line.title, requested=line.quantity, available=1)

    order_stock_allocated.connect(no_batch_left, dispatch_uid="test-no-batch-left")
    try:
        response = flow.place_order(client)
    finally:
        order_stock_allocated.disconnect(dispatch_uid="test-no-batch-left")

    assert response["Location"] == reverse("basket:summary")
    assert messages_of(response) == [
        "抱歉，“房县香菇 250克”仅剩 1 件（您要购买 2 件）。订单未提交，请在购物车中修改数量。"
    ]
    assert not Order.objects.exists()
    assert not ShippingAddress.objects.exists()
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0
    basket = Basket.objects.get()
    assert (basket.status, basket.num_items) == (Basket.OPEN, 2)


def test_buyer_can_place_the_order_after_fixing_the_quantity(client, mushrooms):
    flow.guest_checkout_to_preview(client, mushrooms, quantity=3)
    StockRecord.objects.filter(product=mushrooms).update(num_allocated=8)
    flow.place_order(client)
    basket = Basket.objects.get()
    line = basket.all_lines()[0]

    client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-MIN_NUM_FORMS": 0,
            "form-MAX_NUM_FORMS": 1000,
            "form-0-id": line.pk,
            "form-0-quantity": 2,
        },
    )
    client.get(reverse("checkout:shipping-method"))
    response = flow.place_order(client)

    assert response["Location"] == reverse("checkout:thank-you")
    assert Order.objects.get().lines.get().quantity == 2
    assert StockRecord.objects.get(product=mushrooms).net_stock_level == 0
