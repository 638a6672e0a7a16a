"""What Oscar's receivers did line by line on every placement still happens, now once per order
(``shop.partner.receivers``, ``shop.order.analytics``): low-stock alerts opened and closed,
customers waiting for a product told, the purchase analytics counted."""

import pytest
from oscar.core.loading import get_model

from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale

pytestmark = pytest.mark.django_db

ProductAlert = get_model("customer", "ProductAlert")
ProductRecord = get_model("analytics", "ProductRecord")
StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")
UserRecord = get_model("analytics", "UserRecord")


def test_an_order_opens_a_low_stock_alert_for_each_record_it_takes_below_threshold_and_only_those():
    low = product_for_sale(title="房县香菇 250克", stock=10)
    plenty = product_for_sale(title="竹溪木耳 500克", stock=100)
    StockRecord.objects.filter(product__in=[low, plenty]).update(low_stock_threshold=5)

    place_order(basket=basket_with((low, 6), (plenty, 6)))

    alerts = StockAlert.objects.filter(status=StockAlert.OPEN)
    assert [(alert.stockrecord.product, alert.threshold) for alert in alerts] == [(low, 5)]

    # A second order does not open a second alert; a restock closes it (a single record's save).
    place_order(basket=basket_with((low, 1)))
    assert StockAlert.objects.filter(status=StockAlert.OPEN).count() == 1
    record = StockRecord.objects.get(product=low)
    record.num_in_stock = 50
    record.save()
    alert = StockAlert.objects.get()
    assert alert.status == StockAlert.CLOSED and alert.date_closed is not None


def test_customers_waiting_for_a_product_of_the_order_are_told_as_oscar_did():
    waited = product_for_sale(title="房县香菇 250克", stock=10)
    other = product_for_sale(title="竹溪木耳 500克", stock=10)
    alert = ProductAlert.objects.create(product=waited, user=UserFactory(), status=ProductAlert.ACTIVE)
    elsewhere = product_for_sale(title="武当道茶 100克", stock=10)  # not in the order
    quiet = ProductAlert.objects.create(product=elsewhere, user=UserFactory(), status=ProductAlert.ACTIVE)

    place_order(basket=basket_with((waited, 2), (other, 2)))

    alert.refresh_from_db()
    assert alert.status == ProductAlert.CLOSED  # told: it is still available to buy
    assert ProductAlert.objects.get(pk=quiet.pk).status == ProductAlert.ACTIVE  # not ordered: left alone


def test_an_order_counts_its_units_in_the_purchase_analytics_new_and_existing_records():
    counted = product_for_sale(title="房县香菇 250克", stock=20)
    new = product_for_sale(title="竹溪木耳 500克", stock=20)
    ProductRecord.objects.create(product=counted, num_purchases=4)
    buyer = UserFactory()

    order = place_order(basket=basket_with((counted, 3), (new, 2), owner=buyer), user=buyer)

    assert ProductRecord.objects.get(product=counted).num_purchases == 7
    assert ProductRecord.objects.get(product=new).num_purchases == 2
    record = UserRecord.objects.get(user=buyer)
    assert (record.num_orders, record.num_order_lines, record.num_order_items) == (1, 2, 5)
    assert record.total_spent == order.total_incl_tax
