"""Placing an order locks and allocates stock; a shortage leaves nothing behind."""

import pytest
from oscar.core.loading import get_model

from shop.order.exceptions import InsufficientStock
from shop.order.signals import order_stock_allocated
from tests.factories.order import basket_with, place_order, product_for_sale

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def test_placing_an_order_allocates_each_line_from_its_stock_record(mushrooms):
    tea = product_for_sale(title="武当道茶 100克", price="88.00", stock=5)
    basket = basket_with((mushrooms, 2), (tea, 5))

    order = place_order(basket=basket)

    assert order.status == "Pending payment"
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 2
    assert StockRecord.objects.get(product=tea).net_stock_level == 0


def test_placement_refuses_more_than_is_left_and_writes_nothing(mushrooms):
    basket = basket_with((mushrooms, 4))  # priced while 10 were left
    place_order(basket=basket_with((mushrooms, 7)))  # someone else takes 7

    with pytest.raises(InsufficientStock) as refused:
        place_order(basket=basket)

    assert (refused.value.requested, refused.value.available) == (4, 3)
    assert (
        str(refused.value)
        == "抱歉，“房县香菇 250克”仅剩 3 件（您要购买 4 件）。订单未提交，请在购物车中修改数量。"
    )
    assert Order.objects.count() == 1
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 7


def test_a_short_second_line_rolls_back_the_first_lines_allocation(mushrooms):
    tea = product_for_sale(title="武当道茶 100克", price="88.00", stock=1)
    basket = basket_with((mushrooms, 2), (tea, 1))
    StockRecord.objects.filter(product=tea).update(num_allocated=1)

    with pytest.raises(InsufficientStock):
        place_order(basket=basket)

    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0
    assert not Order.objects.exists()


def test_sold_out_message_says_nothing_is_left():
    product = product_for_sale(title="丹江口柑橘 5斤", stock=1)
    basket = basket_with((product, 1))
    place_order(basket=basket_with((product, 1)))

    with pytest.raises(InsufficientStock) as refused:
        place_order(basket=basket)

    assert str(refused.value) == "抱歉，您结算期间“丹江口柑橘 5斤”已售罄。订单未提交。"


def test_products_that_do_not_track_stock_are_not_limited():
    product = product_for_sale(stock=0)
    product.product_class.track_stock = False
    product.product_class.save()

    order = place_order(basket=basket_with((product, 3)))

    assert order.lines.get().quantity == 3
    assert StockRecord.objects.get(product=product).num_allocated == 0


def test_order_stock_allocated_is_sent_inside_the_transaction_after_allocation(mushrooms):
    seen = []

    def receiver(sender, order, **kwargs):
        seen.append((order.number, StockRecord.objects.get(product=mushrooms).num_allocated))

    order_stock_allocated.connect(receiver, dispatch_uid="test-seen")
    try:
        order = place_order(basket=basket_with((mushrooms, 3)))
    finally:
        order_stock_allocated.disconnect(dispatch_uid="test-seen")

    assert seen == [(order.number, 3)]


def test_a_receiver_refusing_the_order_rolls_back_order_address_and_stock(mushrooms):
    def refuse(sender, order, **kwargs):
        raise InsufficientStock(product_title="房县香菇 250克", requested=1, available=0)

    order_stock_allocated.connect(refuse, dispatch_uid="test-refuse")
    try:
        with pytest.raises(InsufficientStock):
            place_order(basket=basket_with((mushrooms, 1)))
    finally:
        order_stock_allocated.disconnect(dispatch_uid="test-refuse")

    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0
