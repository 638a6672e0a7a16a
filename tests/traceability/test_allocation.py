"""Placing an order allocates its lines to batches, earliest best-before first, under row locks;
cancelling gives the units back; the buyer's order page shows each line's batches."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order.exceptions import InsufficientStock
from shop.order.services import order_cancel
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale
from tests.factories.traceability import net_stock, published
from traceability import recall as recalls
from traceability import services
from traceability.models import Batch, BatchAllocation

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def _on_sale(product) -> int:
    published_batches = Batch.objects.filter(product=product, status="published")
    return published_batches.aggregate(n=Sum("quantity_remaining"))["n"] or 0


def _allocated(order) -> list[tuple[str, int]]:
    return list(
        BatchAllocation.objects.filter(line__order=order)
        .order_by("batch__best_before", "batch_id")
        .values_list("batch__lot_code", "quantity")
    )


def test_a_line_is_taken_from_the_earliest_best_before_first_spanning_batches(tea):
    later = published(tea, quantity=10, best_before_in=300, lot_code="LATE-1")
    earliest = published(tea, quantity=3, best_before_in=100, lot_code="EARLY-1")
    middle = published(tea, quantity=4, best_before_in=200, lot_code="MID-1")

    order = place_order(basket=basket_with((tea.product, 9)))

    assert _allocated(order) == [("EARLY-1", 3), ("MID-1", 4), ("LATE-1", 2)]
    earliest.refresh_from_db()
    middle.refresh_from_db()
    later.refresh_from_db()
    assert (earliest.quantity_remaining, earliest.status) == (0, "sold_out")
    assert (middle.quantity_remaining, middle.status) == (0, "sold_out")
    assert (later.quantity_remaining, later.status) == (8, "published")
    assert net_stock(tea.stockrecord) == 8 == _on_sale(tea.product)


def test_when_the_batches_cannot_cover_a_line_the_whole_order_is_refused_with_a_clear_message(tea):
    batch = published(tea, quantity=5)
    other = product_for_sale(title="房县香菇 250克", stock=10)
    # The stock record says more than the batches hold (typed by hand before batches existed).
    StockRecord.objects.filter(pk=tea.stockrecord.pk).update(num_in_stock=50)

    with pytest.raises(InsufficientStock) as refused:
        place_order(basket=basket_with((other, 2), (tea.product, 6)))

    assert "仅剩 5 件" in str(refused.value)
    assert not Order.objects.exists()
    assert not BatchAllocation.objects.exists()
    batch.refresh_from_db()
    assert (batch.quantity_remaining, batch.status) == (5, "published")
    assert StockRecord.objects.get(product=other).num_allocated == 0


def test_a_product_on_hold_only_cannot_be_sold_even_if_its_stock_record_says_so(tea):
    batch = published(tea, quantity=5)
    services.batch_hold(batch=batch, reason="待复检")
    StockRecord.objects.filter(pk=tea.stockrecord.pk).update(num_in_stock=5)

    with pytest.raises(InsufficientStock) as refused:
        place_order(basket=basket_with((tea.product, 1)))

    assert "已售罄" in str(refused.value)


def test_products_not_sold_through_batches_are_left_alone():
    product = product_for_sale(stock=4)

    order = place_order(basket=basket_with((product, 4)))

    assert order.lines.get().quantity == 4
    assert not BatchAllocation.objects.exists()


def test_a_draft_batch_does_not_make_a_product_batch_managed(tea):
    from tests.factories.traceability import draft

    draft(tea, quantity=10)
    StockRecord.objects.filter(pk=tea.stockrecord.pk).update(num_in_stock=3)

    order = place_order(basket=basket_with((tea.product, 2)))

    assert not BatchAllocation.objects.filter(line__order=order).exists()


def test_cancelling_gives_the_units_back_and_a_sold_out_batch_goes_back_on_sale(tea):
    first = published(tea, quantity=2, best_before_in=100)
    second = published(tea, quantity=5, best_before_in=200)
    order = place_order(basket=basket_with((tea.product, 4)))
    assert net_stock(tea.stockrecord) == 3 == _on_sale(tea.product)

    order_cancel(order=order)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.quantity_remaining, first.status) == (2, "published")
    assert (second.quantity_remaining, second.status) == (5, "published")
    assert not BatchAllocation.objects.exists()
    assert net_stock(tea.stockrecord) == 7 == _on_sale(tea.product)


def test_cancelling_after_a_recall_keeps_the_returned_units_off_sale(tea):
    recalled = published(tea, quantity=3, best_before_in=100)
    good = published(tea, quantity=5, best_before_in=200)
    order = place_order(basket=basket_with((tea.product, 2)))
    recalls.batch_recall(batch=recalled, reason="农残超标")
    assert net_stock(tea.stockrecord) == 5 == _on_sale(tea.product)

    order_cancel(order=order)

    recalled.refresh_from_db()
    assert (recalled.status, recalled.quantity_remaining) == ("recalled", 3)
    assert net_stock(tea.stockrecord) == 5 == _on_sale(tea.product)
    assert good.pk


def test_the_database_refuses_a_negative_remaining_quantity(tea):
    batch = published(tea, quantity=2)

    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.filter(pk=batch.pk).update(quantity_remaining=-1)


def test_the_database_refuses_an_empty_allocation(tea):
    batch = published(tea, quantity=2)
    order = place_order(basket=basket_with((tea.product, 1)))

    with pytest.raises(IntegrityError), transaction.atomic():
        BatchAllocation.objects.filter(line__order=order).update(quantity=0)
    assert batch.pk


def test_the_buyers_order_page_shows_each_lines_batches_with_trace_links(client, tea, mushrooms):
    buyer = UserFactory()
    early = published(tea, quantity=1, best_before_in=100, lot_code="TEA-EARLY")
    late = published(tea, quantity=9, best_before_in=200, lot_code="TEA-LATE")
    fungi = published(mushrooms, quantity=5, lot_code="XG-2411")
    order = place_order(basket=basket_with((tea.product, 3), (mushrooms.product, 1), owner=buyer), user=buyer)
    client.force_login(buyer)

    page = client.get(reverse("customer:order", kwargs={"order_number": order.number})).content.decode()

    for batch in (early, late, fungi):
        assert batch.lot_code in page
        assert f"/t/{batch.trace_code}/" in page
    assert tea.supplier.short_name in page and tea.base.name in page


def test_the_order_page_query_count_does_not_grow_with_lines_or_batches(client, tea, mushrooms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer = UserFactory()
    for days in (100, 200, 300):
        published(tea, quantity=3, best_before_in=days)
    published(mushrooms, quantity=5)
    small = place_order(basket=basket_with((tea.product, 1), (mushrooms.product, 1), owner=buyer), user=buyer)
    big = place_order(basket=basket_with((tea.product, 6), (mushrooms.product, 2), owner=buyer), user=buyer)
    client.force_login(buyer)
    url = lambda order: reverse("customer:order", kwargs={"order_number": order.number})  # noqa: E731
    client.get(url(small))  # warm the site's caches (menus, settings)

    with CaptureQueriesContext(connection) as few:
        client.get(url(small))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(big))

    assert response.status_code == 200
    assert BatchAllocation.objects.filter(line__order=small).count() == 2
    assert BatchAllocation.objects.filter(line__order=big).count() == 4
    # Pinned: the batches cost one query (the prefetch) however many lines span however many batches.
    assert len(many) == len(few) <= 20
