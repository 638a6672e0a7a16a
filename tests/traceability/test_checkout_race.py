"""Races on PostgreSQL. Fifty buyers for a product whose 10 units are spread over 3 batches: exactly 10
units sold, no batch below zero, the others told clearly that it sold out (no error page). A recall
in the middle of twenty checkouts: no deadlock, and no recalled unit sold."""

import threading
import time

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


def _buyer_thread(buyers, start, outcomes):
    """A thread body: buyer ``number`` waits at ``start``, places their order, and leaves where it
    redirected them (or the error) in ``outcomes[number]``."""

    def buy(number):
        try:
            start.wait(timeout=60)
            response = flow.place_order(buyers[number])
            outcomes[number] = response.get("Location") or f"status {response.status_code}"
        except Exception as error:  # a crash must fail the test, not vanish in the thread
            outcomes[number] = repr(error)
        finally:
            connection.close()

    return buy


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

    buy = _buyer_thread(buyers, start, outcomes)

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


def test_a_recall_racing_twenty_checkouts_never_lets_a_recalled_unit_be_sold():
    """Staff recall the earliest batch (sold first) while twenty buyers place orders. Both sides lock
    stock record, then batches, in primary-key order: no deadlock, no error, and every unit of the
    recalled batch is either sold before the recall or taken off sale by it, never both."""
    from django.contrib.auth import get_user_model

    from traceability.recall import batch_recall

    assert connection.vendor == "postgresql", "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    buyers_count = 20
    china()
    grower = seller(product_class_slug="tea", title="竹溪贡茶 召回 50克")
    first = published(grower, quantity=8, best_before_in=60)
    later = published(grower, quantity=8, best_before_in=120)
    staff = get_user_model().objects.create_user("qa", "qa@example.com", "x", is_staff=True)
    buyers = [Client() for _ in range(buyers_count)]
    for number, buyer in enumerate(buyers):
        flow.guest_checkout_to_preview(buyer, grower.product, email=f"recall{number}@example.com")
    start = threading.Barrier(buyers_count + 1)
    outcomes = [None] * buyers_count
    recall_outcome = []

    buy = _buyer_thread(buyers, start, outcomes)

    def recall():
        try:
            start.wait(timeout=60)
            # Recall in the thick of it: once the first orders are in, with more on their way.
            for _ in range(400):
                if Order.objects.count() >= 2:
                    break
                time.sleep(0.005)
            recall_outcome.append(
                batch_recall(batch=Batch.objects.get(pk=first.pk), reason="农残复检超标", by=staff)
            )
        except Exception as error:
            recall_outcome.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(number,)) for number in range(buyers_count)]
    threads.append(threading.Thread(target=recall))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert not isinstance(recall_outcome[0], Exception), recall_outcome
    placed = outcomes.count(reverse("checkout:thank-you"))
    assert placed + outcomes.count(reverse("basket:summary")) == buyers_count, outcomes
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.status == Batch.Status.RECALLED
    sold = {
        batch.pk: BatchAllocation.objects.filter(batch=batch).aggregate(n=Sum("quantity"))["n"] or 0
        for batch in (first, later)
    }
    assert sold[first.pk] + first.quantity_remaining == 8
    assert sold[later.pk] + later.quantity_remaining == 8
    assert placed == Order.objects.count()
    # Orders placed before the recall were not paid yet: their recalled lines came off the bill
    # (each held one unit, so the order was cancelled) and the units went back to the recalled batch.
    assert sold[first.pk] == 0
    assert sum(sold.values()) == Order.objects.exclude(status="Cancelled").count()
    # What is still on sale is exactly what the later batch has left: the recalled batch's
    # remaining units left the stock record, and none of them was sold after.
    grower.stockrecord.refresh_from_db()
    assert net_stock(grower.stockrecord) == later.quantity_remaining
    assert sum(sold.values()) == 16 - first.quantity_remaining - later.quantity_remaining
