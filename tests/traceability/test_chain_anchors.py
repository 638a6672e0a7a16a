"""The event chain notices every silent change (issue 11): an event edited, the newest event deleted, all
of them deleted, the whole chain re-hashed, a batch, inspection or certificate field changed behind the
services. Each shows on the trace page and in the nightly check, which alerts the food-safety staff.
Anchors and roots are append-only in PostgreSQL; changes made through the services never alarm."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.html import escape

from core.models import OutboxMessage
from tests.factories.order import UserFactory
from tests.factories.traceability import (
    BatchFactory,
    certificate,
    draft,
    passed_inspection,
    published,
)
from tests.traceability.conftest import clear_trace_caches
from traceability import anchors, services
from traceability.chain import event_hash
from traceability.models import (
    Batch,
    BizStep,
    ChainAnchor,
    ChainRoot,
    ComplianceCertificate,
    Inspection,
    InspectionItem,
    TraceEvent,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def staff(db):
    user = UserFactory(is_staff=True, email="qa@shiyan-select.example")
    user.user_permissions.add(Permission.objects.get(codename="add_recall"))
    return user


@pytest.fixture
def batch(mushrooms):
    """Published dried shiitake with an inspection, a certificate resting on it, and a shipment."""
    batch = draft(mushrooms, quantity=60, lot_code="FX-XG-2604")
    inspection = passed_inspection(batch, number="SYJC-2026-0412")
    certificate(batch, basis="lab_test", inspection=inspection)
    batch = services.batch_publish(batch=batch)
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.SHIPPING,
        event_time=timezone.now(),
        place="十堰冷链物流中心",
        quantity=Decimal("60"),
    )
    return batch


def _rehash_all(batch):
    """What a careful forger does: change an event, then recompute every hash so the chain links up."""
    previous = ""
    for event in TraceEvent.objects.filter(batch=batch).order_by("sequence"):
        if event.biz_step == BizStep.SHIPPING:
            event.place = "伪造的仓库"
        event.previous_hash = previous
        event.content_hash = event_hash(event)
        TraceEvent.objects.filter(pk=event.pk).update(
            place=event.place, previous_hash=previous, content_hash=event.content_hash
        )
        previous = event.content_hash


def _edit_event(batch):
    TraceEvent.objects.filter(batch=batch, biz_step=BizStep.SHIPPING).update(place="伪造的仓库")


def _delete_newest(batch):
    TraceEvent.objects.filter(pk=batch.events.order_by("-sequence").first().pk).delete()


def _delete_all(batch):
    TraceEvent.objects.filter(batch=batch).update(corrects=None)
    TraceEvent.objects.filter(batch=batch).delete()


def _edit_batch(batch):
    Batch.objects.filter(pk=batch.pk).update(harvest_date=batch.harvest_date - timezone.timedelta(days=1))


def _edit_best_before(batch):
    Batch.objects.filter(pk=batch.pk).update(best_before=batch.best_before + timezone.timedelta(days=365))


def _edit_inspection(batch):
    Inspection.objects.filter(batch=batch).update(conclusion="合格（改）")


def _edit_inspection_result(batch):
    InspectionItem.objects.filter(inspection__batch=batch, result__isnull=False).update(
        result=Decimal("0.01")
    )


def _edit_certificate(batch):
    ComplianceCertificate.objects.filter(batch=batch).update(issuer="冒名的合作社")


SILENT_CHANGES = [
    _edit_event,
    _delete_newest,
    _delete_all,
    _rehash_all,
    _edit_batch,
    _edit_best_before,
    _edit_inspection,
    _edit_inspection_result,
    _edit_certificate,
]


@pytest.mark.parametrize(
    "change", SILENT_CHANGES, ids=[change.__name__.strip("_") for change in SILENT_CHANGES]
)
def test_every_silent_change_shows_on_the_trace_page_and_in_the_nightly_check(
    client, batch, staff, change, django_capture_on_commit_callbacks
):
    assert anchors.batch_chain_check(batch).ok
    page = client.get(f"/t/{batch.trace_code}/").content.decode()
    assert 'class="tr-verified"' in page and "tr-alert--tampered" not in page

    change(batch)
    clear_trace_caches()

    report = anchors.batch_chain_check(Batch.objects.get(pk=batch.pk))
    assert not report.ok and report.reason
    page = client.get(f"/t/{batch.trace_code}/").content.decode()
    assert "tr-alert--tampered" in page and 'class="tr-verified"' not in page
    assert escape(report.reason) in page

    with django_capture_on_commit_callbacks(execute=True):
        result = anchors.chains_verify()
    assert [item["batch_id"] for item in result["broken"]] == [batch.pk]
    assert result["broken"][0]["reason"] == report.reason
    [alert] = OutboxMessage.objects.filter(kind="traceability.chain_alert")
    assert alert.payload["count"] == 1
    [message] = [m for m in mail.outbox if staff.email in m.to]
    assert "FX-XG-2604" in message.body and report.reason in message.body


def test_deleting_the_newest_and_all_events_says_so(batch):
    count = batch.events.count()
    _delete_newest(batch)
    assert anchors.batch_chain_check(batch).broken_sequence == count

    _delete_all(batch)
    report = anchors.batch_chain_check(batch)
    assert not report.ok and report.count == 0 and str(count) in report.reason


def test_changes_through_the_services_never_alarm(batch, tea, staff, django_capture_on_commit_callbacks):
    services.batch_hold(batch=batch, reason="复检")
    services.batch_release(batch=batch)
    made = draft(tea, quantity=10)
    services.trace_event_record(batch=made, biz_step=BizStep.STORING, event_time=timezone.now(), place="仓库")
    services.batch_update(batch=made, notes="改了备注", quantity=12)
    services.trace_event_delete(event=made.events.get())
    gone = draft(tea, quantity=5)
    services.batch_delete(batch=gone)
    other = published(tea, quantity=5)

    with django_capture_on_commit_callbacks(execute=True):
        result = anchors.chains_verify()

    assert result["broken"] == [] and result["roots"] == []
    assert result["checked"] >= 3
    assert not OutboxMessage.objects.filter(kind="traceability.chain_alert").exists()
    for stored in Batch.objects.filter(pk__in=[batch.pk, made.pk, other.pk]):
        assert anchors.batch_chain_check(stored).ok, stored.lot_code


def test_a_published_batch_deleted_behind_the_services_is_reported(tea):
    batch = published(tea, quantity=5)
    TraceEvent.objects.filter(batch=batch).delete()
    Batch.objects.filter(pk=batch.pk).delete()

    result = anchors.chains_verify()

    assert [item["batch_id"] for item in result["broken"]] == [batch.pk]


def test_anchors_and_roots_refuse_update_and_delete_in_postgresql(batch):
    anchors.chain_root_record()
    anchor = ChainAnchor.objects.filter(batch_id=batch.pk).last()

    for attempt in (
        lambda: ChainAnchor.objects.filter(pk=anchor.pk).update(head_hash="0" * 64),
        lambda: ChainAnchor.objects.filter(pk=anchor.pk).delete(),
        lambda: ChainRoot.objects.update(root_hash="0" * 64),
        lambda: ChainRoot.objects.all().delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()

    assert ChainAnchor.objects.get(pk=anchor.pk).anchor_hash == anchor.anchor_hash


def test_a_daily_root_is_written_once_and_the_roots_verify(batch, tea):
    today = timezone.localdate()
    first = anchors.chain_root_record(day=today - timezone.timedelta(days=1))
    published(tea, quantity=3)
    second = anchors.chain_root_record(day=today)

    assert anchors.chain_root_record(day=today) == second
    assert second.previous_hash == first.root_hash and second.batch_count == first.batch_count + 1
    assert anchors.roots_problems() == []


def test_the_nightly_check_is_on_the_beat_schedule():
    from shop.schedule import CELERY_BEAT_SCHEDULE

    assert (
        CELERY_BEAT_SCHEDULE["traceability-chains-verify"]["task"] == "traceability.tasks.chains_verify_task"
    )


def test_batches_that_existed_before_anchors_are_anchored_on_trust(tea):
    old = BatchFactory(product=tea.product, base=tea.base, status="sold_out", trace_code="OldCode000000001")
    assert not anchors.batch_chain_check(old).ok  # never anchored

    migration = importlib.import_module("traceability.migrations.0009_chain_anchors_roots")
    migration.anchor_existing_batches(apps, None)

    [anchor] = ChainAnchor.objects.filter(batch_id=old.pk)
    assert anchor.on_trust and anchors.batch_chain_check(old).ok
    Batch.objects.filter(pk=old.pk).update(quantity=51)
    assert not anchors.batch_chain_check(Batch.objects.get(pk=old.pk)).ok
