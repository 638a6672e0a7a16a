"""Row locks on PostgreSQL: publishing, holding and releasing the same batch at once never count its
stock twice or lose it (StockRecord, then Batch, locked in that order by every service)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection

from tests.factories.traceability import draft, net_stock, published, seller
from traceability import services
from traceability.models import Batch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _at_once(*calls):
    """Run the calls in threads released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_a_batch_published_twice_at_once_is_published_and_stocked_once():
    grower = seller(product_class_slug="tea")
    batch = draft(grower, quantity=25)

    results = _at_once(*[lambda: services.batch_publish(batch=Batch.objects.get(pk=batch.pk))] * 4)

    assert sum(isinstance(r, Batch) for r in results) == 1
    assert all(isinstance(r, Batch | ValidationError) for r in results)
    assert net_stock(grower.stockrecord) == 25


def test_holds_and_releases_racing_keep_stock_equal_to_published_batches():
    grower = seller(product_class_slug="tea")
    batches = [published(grower, quantity=10) for _ in range(3)]

    calls = []
    for batch in batches:
        calls.append(lambda b=batch: services.batch_hold(batch=Batch.objects.get(pk=b.pk), reason="并发冻结"))
        calls.append(lambda b=batch: services.batch_hold(batch=Batch.objects.get(pk=b.pk), reason="并发冻结"))
    _at_once(*calls)
    held = Batch.objects.filter(status="on_hold").count()
    _at_once(*[lambda b=batch: services.batch_release(batch=Batch.objects.get(pk=b.pk)) for batch in batches])

    assert held == 3
    on_sale = Batch.objects.filter(status="published")
    assert net_stock(grower.stockrecord) == sum(b.quantity_remaining for b in on_sale) == 30
