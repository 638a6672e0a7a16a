"""Fifty buyers race on PostgreSQL for a product whose 10 units are spread over 3 batches: exactly 10
units sold, no batch below zero, the others told clearly that it sold out (no error page)."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from tests.checkout import flow
from tests.factories.order import china
from tests.factories.traceability import net_stock, published, seller
from traceability.models import Batch, BatchAllocation

Country = get_model("address", "Country")
Order = get_model("order", "Order")

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BUYERS = 50


@pytest.fixture(scope="module", autouse=True)
def _migration_data_restored_afterwards(django_db_setup, django_db_blocker):
    """Put back what data migrations created once a transactional test flushed it (see test_concurrency)."""
    yield
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not (
            Group.objects.filter(name="Cooperative users").exists() and Country.objects.exists()
        ):
            connection.creation.deserialize_db_from_string(contents)


def test_fifty_buyers_racing_for_ten_units_over_three_batches_buy_exactly_ten():
    assert connection.vendor == "postgresql", "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    china()
    grower = seller(product_class_slug="tea", title="竹溪贡茶 限量 50克")
    batches = [published(grower, quantity=q, best_before_in=100 + 10 * q) for q in (3, 3, 4)]
    buyers = [Client() for _ in range(BUYERS)]
    for number, buyer in enumerate(buyers):
        flow.guest_checkout_to_preview(buyer, grower.product, email=f"buyer{number}@example.com")
    start = threading.Barrier(BUYERS)
    outcomes = [None] * BUYERS

    def buy(number):
        try:
            start.wait(timeout=60)
            response = flow.place_order(buyers[number])
            outcomes[number] = response.get("Location") or f"status {response.status_code}"
        except Exception as error:  # a crash must fail the test, not vanish in the thread
            outcomes[number] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(number,)) for number in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert outcomes.count(reverse("checkout:thank-you")) == 10, outcomes
    assert outcomes.count(reverse("basket:summary")) == BUYERS - 10, outcomes
    assert Order.objects.count() == 10
    assert BatchAllocation.objects.aggregate(n=Sum("quantity"))["n"] == 10
    remaining = list(
        Batch.objects.filter(pk__in=[b.pk for b in batches]).values_list("quantity_remaining", "status")
    )
    assert remaining == [(0, "sold_out")] * 3
    assert net_stock(grower.stockrecord) == 0
    told = buyers[outcomes.index(reverse("basket:summary"))].get(reverse("basket:summary")).content.decode()
    assert "已售罄" in told or "仅剩" in told
