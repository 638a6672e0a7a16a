"""Recording batches: dates, quantities and lot codes that cannot be right are refused; lot codes are
made when not given; lineage records what a batch was made from."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories.traceability import days_ago, draft, seller, today
from traceability import services
from traceability.models import Batch, BatchUnit

pytestmark = pytest.mark.django_db


def test_a_batch_without_a_lot_code_gets_a_short_ascii_one_from_its_harvest_day(tea):
    first = draft(tea, harvest=3)
    second = draft(tea, harvest=3)

    stem = days_ago(3).strftime("%y%m%d")
    assert (first.lot_code, second.lot_code) == (f"{stem}-01", f"{stem}-02")
    assert first.lot_code.isascii() and len(first.lot_code) <= 20


def test_generated_lot_codes_are_unique_per_product_not_across_products(tea, mushrooms):
    on_tea = draft(tea, harvest=3)
    on_mushrooms = draft(mushrooms, harvest=3)

    assert on_tea.lot_code == on_mushrooms.lot_code


def test_a_batch_records_who_created_it_and_starts_as_a_draft_with_its_quantity_left(tea):
    user = tea.user()

    batch = draft(tea, quantity=25, created_by=user)

    assert (batch.created_by, batch.status, batch.quantity_remaining, batch.trace_code) == (
        user,
        Batch.Status.DRAFT,
        25,
        None,
    )


def test_a_lot_code_already_used_for_the_product_is_refused_with_the_reason(tea):
    draft(tea, lot_code="ZX-2604-01")

    with pytest.raises(ValidationError) as error:
        draft(tea, lot_code="ZX-2604-01")

    assert "ZX-2604-01" in error.value.message_dict["lot_code"][0]
    assert Batch.objects.count() == 1


@pytest.mark.parametrize("lot_code", ["批次01", "ZX 01", "-ZX01", "A" * 21, "ZX01é"])
def test_a_lot_code_that_is_not_short_gs1_ascii_is_refused(tea, lot_code):
    with pytest.raises(ValidationError) as error:
        draft(tea, lot_code=lot_code)

    assert "lot_code" in error.value.message_dict
    assert not Batch.objects.exists()


def test_the_database_refuses_a_second_batch_with_the_same_lot_of_a_product(tea):
    batch = draft(tea, lot_code="ZX-01")

    with pytest.raises(IntegrityError), transaction.atomic():
        Batch.objects.create(
            product=batch.product,
            base=batch.base,
            lot_code="ZX-01",
            harvest_date=batch.harvest_date,
            best_before=batch.best_before,
            quantity=1,
            quantity_remaining=1,
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"harvest_date": today() + datetime.timedelta(days=1)}, "harvest_date"),
        ({"best_before": days_ago(20)}, "best_before"),
        ({"packing_date": days_ago(30)}, "packing_date"),
        ({"packing_date": today() + datetime.timedelta(days=2)}, "packing_date"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -5}, "quantity"),
    ],
)
def test_dates_in_the_future_or_out_of_order_and_empty_quantities_are_refused(tea, fields, field):
    values = {
        "product": tea.product,
        "base": tea.base,
        "harvest_date": days_ago(10),
        "packing_date": days_ago(9),
        "best_before": today() + datetime.timedelta(days=100),
        "quantity": 10,
    }
    values.update(fields)

    with pytest.raises(ValidationError) as error:
        services.batch_create(**values)

    assert field in error.value.message_dict
    assert not Batch.objects.exists()


def test_a_batch_made_from_other_batches_records_them_with_the_quantities_used(tea):
    leaves = seller(product_class_slug="fresh-tea-leaves", title="竹溪贡茶 鲜叶", supplier=tea.supplier)
    morning = draft(leaves, quantity=300, unit=BatchUnit.KG, harvest=12)
    afternoon = draft(leaves, quantity=120, unit=BatchUnit.KG, harvest=12)

    tea_batch = draft(
        tea,
        harvest=10,
        inputs=[
            services.InputSpec(morning, Decimal("280.5"), BatchUnit.KG),
            services.InputSpec(afternoon, Decimal("100"), BatchUnit.KG),
        ],
    )

    assert [(i.input, i.quantity, i.unit) for i in tea_batch.inputs.order_by("pk")] == [
        (morning, Decimal("280.500"), "kg"),
        (afternoon, Decimal("100.000"), "kg"),
    ]
    assert list(morning.outputs.values_list("output", flat=True)) == [tea_batch.pk]


def test_a_batch_cannot_be_made_from_another_suppliers_batch(tea):
    other = seller(product_class_slug="fresh-tea-leaves", title="别人的鲜叶")
    theirs = draft(other, quantity=50)

    with pytest.raises(ValidationError) as error:
        draft(tea, inputs=[services.InputSpec(theirs, Decimal(10), BatchUnit.KG)])

    assert "inputs" in error.value.message_dict
    assert Batch.objects.filter(product=tea.product).count() == 0


def test_a_draft_can_be_edited_but_a_published_batch_cannot(tea):
    batch = draft(tea, quantity=10)

    services.batch_update(batch=batch, quantity=12, notes="补录")
    services.batch_publish(batch=batch)

    with pytest.raises(ValidationError):
        services.batch_update(batch=batch, quantity=20)
    batch.refresh_from_db()
    assert (batch.quantity, batch.notes) == (12, "补录")


def test_deleting_a_draft_removes_it_but_a_published_batch_stays(tea):
    kept = services.batch_publish(batch=draft(tea))
    gone = draft(tea)

    services.batch_delete(batch=gone)
    with pytest.raises(ValidationError):
        services.batch_delete(batch=kept)

    assert list(Batch.objects.all()) == [kept]


def test_the_batch_page_address_is_its_trace_page_once_it_has_a_code(tea):
    batch = draft(tea)
    assert batch.get_absolute_url() == ""

    batch = services.batch_publish(batch=batch)

    assert batch.get_absolute_url() == f"/t/{batch.trace_code}/"
