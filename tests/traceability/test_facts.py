"""Dates and quantities make sense (issue 11): no sampling before harvest, no event before the batch was
harvested or made, no event quantity above the batch's, no input used beyond what it held; refused with
a clear message in the services, the portal forms and the API, and nothing is half-saved."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories.traceability import days_ago, draft, published, seller, today
from traceability import services
from traceability.models import Batch, BatchInput, Inspection, InspectionItem, TraceEvent

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _counts():
    return (
        Batch.objects.count(),
        BatchInput.objects.count(),
        TraceEvent.objects.count(),
        Inspection.objects.count(),
        InspectionItem.objects.count(),
    )


def _inspect(batch, sampling_date):
    return services.inspection_record(
        batch=batch,
        laboratory="十堰市农产品质量安全检测中心",
        report_number="SY-EARLY-1",
        sampling_date=sampling_date,
        items=[services.ItemSpec("铅", Decimal("0.1"), Decimal("1.0"))],
    )


def _noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- Services --------------------------------------------------------------------------------------
def test_a_sample_taken_before_the_harvest_is_refused_and_nothing_is_saved(tea):
    batch = draft(tea, harvest=10)
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        _inspect(batch, days_ago(11))

    assert "sampling_date" in refused.value.message_dict
    assert _counts() == before
    assert _inspect(batch, days_ago(10)).passed  # on the harvest day itself it is fine


def test_an_event_before_the_batch_was_harvested_or_made_is_refused(tea):
    batch = published(tea, harvest=10)
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        services.trace_event_record(
            batch=batch, biz_step="shipping", event_time=_noon(days_ago(12)), place="武汉"
        )

    assert "event_time" in refused.value.message_dict
    assert _counts() == before


@pytest.mark.parametrize("quantity", [Decimal("40.001"), Decimal("41"), Decimal("0"), Decimal("-1")])
def test_an_event_counting_more_than_the_batch_or_nothing_is_refused(tea, quantity):
    batch = published(tea, quantity=40)
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        services.trace_event_record(
            batch=batch, biz_step="shipping", event_time=timezone.now(), place="武汉", quantity=quantity
        )

    assert "quantity" in refused.value.message_dict
    assert _counts() == before


def test_an_event_counting_the_whole_batch_is_fine(tea):
    batch = published(tea, quantity=40)

    event = services.trace_event_record(
        batch=batch, biz_step="shipping", event_time=timezone.now(), place="武汉", quantity=Decimal("40")
    )

    assert event.quantity == 40


def test_a_correction_cannot_move_an_event_before_the_harvest(tea):
    batch = published(tea, harvest=10)
    shipped = services.trace_event_record(
        batch=batch, biz_step="shipping", event_time=timezone.now(), place="武汉"
    )

    with pytest.raises(ValidationError):
        services.trace_event_correct(event=shipped, reason="时间写错", event_time=_noon(days_ago(30)))
    assert TraceEvent.objects.filter(corrects=shipped).count() == 0


def test_using_more_of_an_input_than_it_held_is_refused_and_no_batch_is_made(tea):
    leaves = seller(product_class_slug="fresh-tea-leaves", title="鲜叶", supplier=tea.supplier)
    leaf = published(leaves, quantity=300, unit="kg", harvest=20)
    before = _counts()

    with pytest.raises(ValidationError) as refused:
        draft(tea, inputs=[services.InputSpec(leaf, Decimal("300.5"), "kg")])

    assert leaf.lot_code in " ".join(refused.value.message_dict["inputs"])
    assert _counts() == before


# --- Portal forms -----------------------------------------------------------------------------------
def test_the_portal_event_form_says_why_and_records_nothing(client, mushrooms):
    from tests.factories.traceability import certificate

    batch = draft(mushrooms, quantity=40, harvest=10)
    certificate(batch)
    batch = services.batch_publish(batch=batch)
    client.force_login(mushrooms.user())
    before = _counts()

    response = client.post(
        f"/shop/portal/batches/{batch.pk}/events/new/",
        {
            "biz_step": "shipping",
            "event_time": (timezone.localtime() - datetime.timedelta(days=12)).strftime("%Y-%m-%dT%H:%M"),
            "place": "武汉",
            "quantity": "41",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "event_time" in errors and "quantity" in errors
    assert _counts() == before


def test_the_portal_inspection_form_refuses_a_sample_before_the_harvest(client, mushrooms):
    batch = draft(mushrooms, harvest=5)
    client.force_login(mushrooms.user())
    before = _counts()

    response = client.post(
        f"/shop/portal/batches/{batch.pk}/inspections/new/",
        {
            "laboratory": "十堰市农产品质量安全检测中心",
            "report_number": "SY-2026-88",
            "sampling_date": days_ago(6).isoformat(),
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-analyte": "铅",
            "items-0-result": "0.1",
            "items-0-limit": "1.0",
            "items-0-unit": "mg/kg",
        },
    )

    assert response.status_code == 200
    assert "sampling_date" in response.context["form"].errors
    assert _counts() == before


# --- API ------------------------------------------------------------------------------------------
def test_the_api_refuses_an_input_quantity_above_the_input_batch_and_creates_nothing(client, tea):
    tea.stockrecord.partner_sku = "SY-FACTS-1"
    tea.stockrecord.save()
    leaves = seller(product_class_slug="fresh-tea-leaves", title="鲜叶", supplier=tea.supplier)
    leaf = published(leaves, quantity=300, unit="kg", harvest=20)
    _token, key = services.api_token_create(supplier=tea.supplier, name="仓库电脑")
    before = _counts()

    response = client.post(
        "/api/v1/batches/",
        data=json.dumps(
            {
                "product": "SY-FACTS-1",
                "base_id": tea.base.pk,
                "harvest_date": days_ago(7).isoformat(),
                "best_before": (today() + datetime.timedelta(days=300)).isoformat(),
                "quantity": 60,
                "inputs": [{"batch_id": leaf.pk, "quantity": "301", "unit": "kg"}],
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 422, response.content
    assert leaf.lot_code in " ".join(response.json()["errors"]["inputs"])
    assert _counts() == before
