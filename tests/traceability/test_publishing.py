"""Publishing, holding and releasing keep the stock invariant: a product's net stock at its supplier's
partner equals the units left in its published batches."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from oscar.core.loading import get_model

from tests.factories.traceability import (
    certificate,
    days_ago,
    draft,
    failed_inspection,
    net_stock,
    passed_inspection,
    published,
    seller,
    spray,
)
from traceability import services
from traceability.models import Batch

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


def _published_remaining(product) -> int:
    return (
        Batch.objects.filter(product=product, status="published").aggregate(n=Sum("quantity_remaining"))["n"]
        or 0
    )


def test_publishing_adds_the_batch_to_the_stock_and_mints_an_unguessable_trace_code(tea):
    batch = draft(tea, quantity=40)

    batch = services.batch_publish(batch=batch, by=tea.user())

    assert batch.status == "published" and batch.published_at and batch.quantity_remaining == 40
    assert len(batch.trace_code) >= 16 and batch.trace_code.replace("-", "").replace("_", "").isalnum()
    assert net_stock(tea.stockrecord) == 40 == _published_remaining(tea.product)


def test_trace_codes_differ_for_every_batch(tea):
    codes = {published(tea, quantity=1).trace_code for _ in range(20)}

    assert len(codes) == 20


def test_net_stock_equals_what_is_left_in_published_batches_through_publish_hold_and_release(tea):
    first = published(tea, quantity=30)
    second = published(tea, quantity=20)
    assert net_stock(tea.stockrecord) == 50 == _published_remaining(tea.product)

    services.batch_hold(batch=first, reason="包装破损待查")
    assert net_stock(tea.stockrecord) == 20 == _published_remaining(tea.product)

    services.batch_release(batch=first)
    assert net_stock(tea.stockrecord) == 50 == _published_remaining(tea.product)
    assert Batch.objects.get(pk=second.pk).status == "published"


def test_a_hold_takes_off_only_what_remains_of_the_batch(tea):
    batch = published(tea, quantity=30)
    # An order took 12 units: the allocation lowers the batch and allocates in the stock record.
    Batch.objects.filter(pk=batch.pk).update(quantity_remaining=18)
    StockRecord.objects.filter(pk=tea.stockrecord.pk).update(num_allocated=12)

    services.batch_hold(batch=batch, reason="复检")

    record = StockRecord.objects.get(pk=tea.stockrecord.pk)
    assert (record.num_in_stock, record.num_allocated) == (12, 12)
    assert net_stock(record) == 0 == _published_remaining(tea.product)


def test_publishing_creates_the_stock_record_when_missing_but_only_with_a_price():
    grower = seller(product_class_slug="tea", title="武当道茶 一级 250克")
    grower.stockrecord.delete()
    batch = draft(grower, quantity=15)

    with pytest.raises(ValidationError) as error:
        services.batch_publish(batch=batch)
    assert "price" in " ".join(error.value.messages) or "价" in " ".join(error.value.messages)
    assert Batch.objects.get(pk=batch.pk).status == "draft"

    services.batch_publish(batch=batch, price=Decimal("68.00"))
    record = StockRecord.objects.get(partner=grower.supplier.partner, product=grower.product)
    assert (record.price, record.price_currency, record.num_in_stock) == (Decimal("68.00"), "CNY", 15)


def test_a_given_price_replaces_the_stock_records_price(tea):
    services.batch_publish(batch=draft(tea), price=Decimal("99.00"))

    assert StockRecord.objects.get(pk=tea.stockrecord.pk).price == Decimal("99.00")


def test_backfill_publishing_does_not_add_stock_again():
    grower = seller(product_class_slug="tea", stock=60)

    services.batch_publish(batch=draft(grower, quantity=60), add_stock=False)

    assert net_stock(grower.stockrecord) == 60 == _published_remaining(grower.product)


def test_a_published_batch_cannot_be_published_twice(tea):
    batch = published(tea, quantity=10)

    with pytest.raises(ValidationError):
        services.batch_publish(batch=batch)

    assert net_stock(tea.stockrecord) == 10


def test_farm_produce_without_its_compliance_certificate_cannot_be_published(mushrooms):
    batch = draft(mushrooms, quantity=10)

    with pytest.raises(ValidationError) as error:
        services.batch_publish(batch=batch)

    assert "承诺达标合格证" in " ".join(error.value.messages)
    assert Batch.objects.get(pk=batch.pk).status == "draft" and net_stock(mushrooms.stockrecord) == 0
    certificate(batch)
    assert services.batch_publish(batch=batch).status == "published"


def test_processed_food_needs_no_certificate(tea):
    assert services.batch_publish(batch=draft(tea)).status == "published"


def test_a_batch_with_a_failed_inspection_cannot_be_published(tea):
    batch = draft(tea)
    failed_inspection(batch)
    passed_inspection(batch)  # a later pass does not wash out a failure

    with pytest.raises(ValidationError):
        services.batch_publish(batch=batch)

    assert net_stock(tea.stockrecord) == 0


def test_a_new_failed_inspection_puts_a_published_batch_on_hold_and_off_sale(tea):
    batch = published(tea, quantity=25)

    inspection = failed_inspection(batch, number="HB-2026-0917")

    batch.refresh_from_db()
    assert batch.status == "on_hold" and "HB-2026-0917" in batch.status_reason and "铅" in batch.status_reason
    assert net_stock(tea.stockrecord) == 0 == _published_remaining(tea.product)
    assert not inspection.passed
    with pytest.raises(ValidationError):
        services.batch_release(batch=batch)
    assert net_stock(tea.stockrecord) == 0


def test_an_expired_batch_cannot_be_published_or_released(tea):
    batch = draft(tea, harvest=400, best_before_in=-2)

    with pytest.raises(ValidationError):
        services.batch_publish(batch=batch)


def test_a_batch_harvested_inside_a_later_recorded_interval_cannot_be_published(tea):
    batch = draft(tea, harvest=4)
    spray(tea.base, applied_days_ago=6, interval=7)

    with pytest.raises(ValidationError) as error:
        services.batch_publish(batch=batch)

    assert str(days_ago(6)) in " ".join(error.value.messages)


def test_only_a_batch_on_sale_can_go_on_hold_and_a_hold_needs_a_reason(tea):
    batch = draft(tea)

    with pytest.raises(ValidationError):
        services.batch_hold(batch=batch, reason="test")
    with pytest.raises(ValidationError):
        services.batch_hold(batch=services.batch_publish(batch=batch), reason=" ")


def test_a_suspended_supplier_cannot_publish(tea):
    tea.supplier.status = "suspended"
    tea.supplier.save()

    with pytest.raises(ValidationError):
        services.batch_publish(batch=draft(tea))
