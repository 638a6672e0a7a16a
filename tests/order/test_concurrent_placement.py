"""Twenty buyers race for the last five units on PostgreSQL: exactly five orders, never oversold."""

import os

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout import flow
from tests.concurrency import race
from tests.factories.order import china, product_for_sale

Country = get_model("address", "Country")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

ON_POSTGRES = connection.vendor == "postgresql"
POSTGRES_REQUIRED = os.environ.get("POSTGRES_REQUIRED") == "1"

pytestmark = [
    pytest.mark.postgres,
    # Row locks are the point: SQLite would serialise the buyers anyway.
    pytest.mark.skipif(
        not (ON_POSTGRES or POSTGRES_REQUIRED), reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BUYERS = 20
UNITS_LEFT = 5


def test_twenty_buyers_racing_for_the_last_five_units_get_exactly_five_orders():
    assert ON_POSTGRES, "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    china()
    product = product_for_sale(title="房县黄酒 限量装", price="128.00", stock=UNITS_LEFT)
    buyers = [Client() for _ in range(BUYERS)]
    for number, buyer in enumerate(buyers):
        flow.guest_checkout_to_preview(buyer, product, email=f"buyer{number}@example.com")
    outcomes = race(lambda number: flow.place_order(buyers[number])["Location"], BUYERS, timeout=120)

    stock = StockRecord.objects.get(product=product)
    assert outcomes.count(reverse("checkout:thank-you")) == UNITS_LEFT
    assert outcomes.count(reverse("basket:summary")) == BUYERS - UNITS_LEFT
    assert Order.objects.count() == UNITS_LEFT
    assert (stock.num_in_stock, stock.num_allocated, stock.net_stock_level) == (UNITS_LEFT, UNITS_LEFT, 0)
