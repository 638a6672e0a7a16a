"""Trace events: EPCIS-shaped, hash-chained per batch, append-only once the batch is published;
a harvest inside a pesticide's pre-harvest interval is refused with the reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories.traceability import days_ago, draft, published, spray
from traceability import services
from traceability.chain import chain_verify, event_hash
from traceability.models import BizStep, Disposition, EventLocked, EventType, TraceEvent

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(days_ago(days), datetime.time(hour)))


def test_an_event_defaults_its_epcis_type_action_and_disposition_from_the_business_step(tea):
    batch = draft(tea)

    shipped = services.trace_event_record(
        batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(2), place="十堰冷链物流中心", actor="顺丰冷运"
    )

    assert (shipped.event_type, shipped.action, shipped.disposition) == (
        "ObjectEvent",
        "OBSERVE",
        "in_transit",
    )
    assert shipped.event_timezone_offset == "+08:00"
    assert shipped.record_time >= shipped.event_time


def test_a_packing_event_with_a_case_id_is_an_aggregation_event(tea):
    batch = draft(tea)

    packed = services.trace_event_record(
        batch=batch,
        biz_step=BizStep.PACKING,
        event_time=_at(2),
        base=tea.base,
        parent_id="https://id.gs1.org/00/069370040000000017",
    )

    assert (packed.event_type, packed.action) == (EventType.AGGREGATION, "ADD")


def test_each_event_links_to_the_hash_of_the_one_before_it(tea):
    batch = draft(tea)

    first = services.trace_event_record(
        batch=batch, biz_step=BizStep.STORING, event_time=_at(5), base=tea.base
    )
    second = services.trace_event_record(
        batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(4), place="十堰"
    )

    assert (first.sequence, first.previous_hash) == (1, "")
    assert (second.sequence, second.previous_hash) == (2, first.content_hash)
    assert len(second.content_hash) == 64 and second.content_hash == event_hash(second)
    assert chain_verify(batch.events.order_by("sequence")).ok


def test_an_event_needs_a_place_and_cannot_be_in_the_future(tea):
    batch = draft(tea)

    with pytest.raises(ValidationError) as nowhere:
        services.trace_event_record(batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(1))
    with pytest.raises(ValidationError) as future:
        services.trace_event_record(
            batch=batch,
            biz_step=BizStep.SHIPPING,
            event_time=timezone.now() + datetime.timedelta(hours=2),
            place="十堰",
        )

    assert "place" in nowhere.value.message_dict and "event_time" in future.value.message_dict
    assert not TraceEvent.objects.exists()


def test_an_event_at_another_suppliers_base_is_refused(tea, mushrooms):
    batch = draft(tea)

    with pytest.raises(ValidationError) as error:
        services.trace_event_record(
            batch=batch, biz_step=BizStep.STORING, event_time=_at(1), base=mushrooms.base
        )

    assert "base" in error.value.message_dict


def test_a_silent_edit_in_the_database_is_detected_at_the_edited_event(tea):
    batch = published(tea)
    services.trace_event_record(batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(1), place="十堰")
    events = list(batch.events.order_by("sequence"))
    assert chain_verify(events).ok

    TraceEvent.objects.filter(pk=events[1].pk).update(place="北京")  # behind the application's back

    report = chain_verify(batch.events.order_by("sequence"))
    assert (report.ok, report.broken_sequence) == (False, 2)


def test_a_deleted_or_relinked_event_breaks_the_chain_where_it_happened(tea):
    batch = published(tea)
    for day in (3, 2, 1):
        services.trace_event_record(batch=batch, biz_step=BizStep.STORING, event_time=_at(day), base=tea.base)
    events = list(batch.events.order_by("sequence"))

    TraceEvent.objects.filter(pk=events[3].pk).delete()
    deleted = chain_verify(batch.events.order_by("sequence"))
    TraceEvent.objects.filter(pk=events[4].pk).update(sequence=4)
    relinked = chain_verify(batch.events.order_by("sequence"))

    assert (deleted.ok, deleted.broken_sequence) == (False, 5)
    assert (relinked.ok, relinked.broken_sequence) == (False, 4)


def test_a_rehashed_forgery_is_still_caught_by_the_next_event(tea):
    batch = published(tea)
    services.trace_event_record(batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(1), place="十堰")
    first = batch.events.order_by("sequence").first()

    first.place, first.base_id = "伪造的地方", None
    TraceEvent.objects.filter(pk=first.pk).update(
        place=first.place, base=None, content_hash=event_hash(first)
    )

    report = chain_verify(batch.events.order_by("sequence"))
    assert (report.ok, report.broken_sequence) == (False, 2)


def test_events_of_a_published_batch_cannot_be_edited_or_deleted(tea):
    batch = published(tea)
    event = batch.events.order_by("sequence").first()

    with pytest.raises(ValidationError):
        services.trace_event_update(event=event, place="别处")
    with pytest.raises(EventLocked):
        event.actor = "别人"
        event.save()
    with pytest.raises(EventLocked):
        event.delete()
    with pytest.raises(ValidationError):
        services.trace_event_delete(event=event)

    assert chain_verify(batch.events.order_by("sequence")).ok


def test_a_correction_is_a_new_event_pointing_at_the_one_it_corrects(tea):
    batch = published(tea)
    wrong = services.trace_event_record(
        batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(2), place="武汉"
    )

    right = services.trace_event_correct(event=wrong, reason="发往北京，不是武汉", place="北京新发地")

    wrong.refresh_from_db()
    assert wrong.place == "武汉"
    assert (right.corrects, right.place, right.details["correction_reason"]) == (
        wrong,
        "北京新发地",
        "发往北京，不是武汉",
    )
    assert right.sequence == wrong.sequence + 1
    assert chain_verify(batch.events.order_by("sequence")).ok


def test_a_draft_batchs_event_can_be_changed_and_the_chain_is_rehashed(tea):
    batch = draft(tea)
    first = services.trace_event_record(
        batch=batch, biz_step=BizStep.STORING, event_time=_at(3), base=tea.base
    )
    second = services.trace_event_record(
        batch=batch, biz_step=BizStep.SHIPPING, event_time=_at(2), place="十堰"
    )

    services.trace_event_update(event=first, actor="王德军")
    services.trace_event_delete(event=second)
    services.trace_event_record(batch=batch, biz_step=BizStep.RECEIVING, event_time=_at(1), place="北京")

    events = list(batch.events.order_by("sequence"))
    assert [(e.sequence, e.biz_step, e.actor) for e in events] == [
        (1, "storing", "王德军"),
        (2, "receiving", ""),
    ]
    assert chain_verify(events).ok


def test_a_harvest_before_the_pesticides_interval_has_passed_is_refused_with_the_reason(tea):
    spray(tea.base, applied_days_ago=12, interval=7, name="10%吡虫啉可湿性粉剂")

    with pytest.raises(ValidationError) as error:
        draft(tea, harvest=8)  # 4 days after spraying; the interval is 7

    message = error.value.message_dict["harvest_date"][0]
    assert "10%吡虫啉可湿性粉剂" in message and str(days_ago(5)) in message
    assert not tea.product.batches.exists()


def test_a_harvest_after_the_interval_or_on_another_base_or_crop_is_accepted(tea):
    spray(tea.base, applied_days_ago=12, interval=7)
    other_base = type(tea.base).objects.create(
        supplier=tea.supplier,
        name="另一基地",
        county="zhuxi",
        township="中峰镇",
        latitude="32.3",
        longitude="109.7",
        area_mu="50",
        main_crops="茶",
    )
    spray(other_base, applied_days_ago=12, interval=7, product=None)
    from tests.factories.catalogue import ShiyanProductFactory

    spray(tea.base, applied_days_ago=3, interval=21, product=ShiyanProductFactory())  # another crop

    assert draft(tea, harvest=5)  # 7 days after: allowed
    assert draft(tea, harvest=13)  # before the spray


def test_a_harvest_event_inside_the_interval_is_refused_too(tea):
    batch = draft(tea, harvest=20)
    spray(tea.base, applied_days_ago=6, interval=10)

    with pytest.raises(ValidationError) as error:
        services.trace_event_record(
            batch=batch, biz_step=BizStep.COMMISSIONING, event_time=_at(2), base=tea.base
        )

    assert "event_time" in error.value.message_dict


def test_publishing_records_the_harvest_and_packing_then_the_batch_going_on_sale(tea):
    batch = published(tea, quantity=30)

    events = list(batch.events.order_by("sequence"))
    assert [(e.biz_step, e.event_type, e.action, e.disposition) for e in events] == [
        ("commissioning", "ObjectEvent", "ADD", "active"),
        ("packing", "ObjectEvent", "OBSERVE", "in_progress"),
        ("stocking", "ObjectEvent", "OBSERVE", "sellable_accessible"),
    ]
    assert events[0].date_only and timezone.localtime(events[0].event_time).date() == batch.harvest_date
    assert events[0].quantity == Decimal(30) and events[0].base == tea.base


def test_a_batch_made_from_others_is_commissioned_by_a_transformation_event(tea):
    from tests.factories.traceability import seller

    leaves = seller(product_class_slug="fresh-tea-leaves", title="鲜叶", supplier=tea.supplier)
    leaf = draft(leaves, quantity=200, unit="kg", harvest=12)
    batch = published(tea, inputs=[services.InputSpec(leaf, Decimal(180), "kg")])

    first = batch.events.order_by("sequence").first()
    assert (first.event_type, first.action, first.details) == (
        EventType.TRANSFORMATION,
        "",
        {"inputs": [leaf.lot_code]},
    )


def test_the_disposition_can_be_given_explicitly(tea):
    batch = draft(tea)

    event = services.trace_event_record(
        batch=batch,
        biz_step=BizStep.RECEIVING,
        event_time=_at(1),
        place="北京",
        disposition=Disposition.RETURNED,
    )

    assert event.disposition == "returned"
