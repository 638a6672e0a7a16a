"""The demo's batches: every product's net stock sits in its published batches, with the records a
real batch has, and a second seed writes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from traceability.chain import chain_verify
from traceability.models import Batch, BatchInput, FarmInput, Inspection
from traceability.rules import product_needs_certificate

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")


def test_the_demo_backfills_batches_that_hold_exactly_each_products_stock_and_seeds_once():
    call_command("seed_demo", stdout=io.StringIO())

    for record in StockRecord.objects.select_related("product"):
        held = Batch.objects.filter(product=record.product, status="published").aggregate(
            n=Sum("quantity_remaining")
        )
        assert (held["n"] or 0) == record.num_in_stock - (record.num_allocated or 0), record.product.title
        assert Batch.objects.filter(product=record.product).exists(), record.product.title

    published = Batch.objects.filter(status="published").select_related(
        "product__product_class", "base__supplier"
    )
    for batch in published:
        assert (
            batch.trace_code
            and batch.base.supplier.partner_id == StockRecord.objects.get(product=batch.product).partner_id
        )
        assert chain_verify(batch.events.order_by("sequence")).ok, batch.lot_code
        assert {"commissioning", "packing", "stocking"} <= set(
            batch.events.values_list("biz_step", flat=True)
        )
        if product_needs_certificate(batch.product):
            assert batch.certificate.inspection is not None, batch.lot_code
    assert Batch.objects.filter(status="on_hold").count() == 1
    assert Batch.objects.filter(
        status="draft", base__supplier__partner__code="fangxian-mushroom-coop"
    ).exists()
    assert BatchInput.objects.filter(output__product__title__contains="礼盒").exists()
    assert BatchInput.objects.filter(output__product__title__contains="香菇酱").exists()
    tea_items = set(
        Inspection.objects.filter(batch__product__title__contains="贡茶").values_list(
            "items__analyte", flat=True
        )
    )
    assert {"毒死蜱", "吡虫啉"} <= tea_items
    fungi_items = set(
        Inspection.objects.filter(batch__product__title__contains="木耳").values_list(
            "items__analyte", flat=True
        )
    )
    assert {"铅", "镉"} <= fungi_items
    assert FarmInput.objects.filter(kind="pesticide", pre_harvest_interval_days__gt=0).exists()
    citrus = Batch.objects.filter(product__title__contains="蜜橘", status="published").first()
    wine = Batch.objects.filter(product__title__contains="五年陈酿").first()
    assert (
        (citrus.best_before - citrus.harvest_date).days
        < 40
        < 700
        < (wine.best_before - wine.harvest_date).days
    )

    counts = Batch.objects.count()
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo", stdout=io.StringIO())
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == [] and Batch.objects.count() == counts
