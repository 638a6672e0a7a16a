"""Staff admin: events of a published batch cannot be edited or deleted there either."""

import pytest
from oscar.test.factories import UserFactory

from tests.factories.traceability import draft, published
from traceability.chain import chain_verify
from traceability.models import TraceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_a_published_batchs_event_is_read_only_in_the_admin(staff, tea):
    batch = published(tea)
    event = batch.events.order_by("sequence").first()
    url = f"/django-admin/traceability/traceevent/{event.pk}/change/"

    page = staff.get(url)
    edit = staff.post(url, {"place": "别处", "actor": "改过", "biz_step": event.biz_step})
    delete = staff.post(f"/django-admin/traceability/traceevent/{event.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert edit.status_code == 403 and delete.status_code == 403
    event.refresh_from_db()
    assert event.actor != "改过" and chain_verify(batch.events.order_by("sequence")).ok


def test_a_draft_batchs_event_edited_in_the_admin_keeps_the_chain_valid(staff, tea):
    from django.utils import timezone

    from traceability import services

    batch = draft(tea)
    event = services.trace_event_record(
        batch=batch, biz_step="storing", event_time=timezone.now(), place="冷库"
    )
    services.trace_event_record(batch=batch, biz_step="shipping", event_time=timezone.now(), place="十堰")
    local = timezone.localtime(event.event_time)

    response = staff.post(
        f"/django-admin/traceability/traceevent/{event.pk}/change/",
        {
            "batch": batch.pk,
            "event_type": event.event_type,
            "action": event.action,
            "biz_step": event.biz_step,
            "disposition": event.disposition,
            "event_time_0": local.strftime("%Y-%m-%d"),
            "event_time_1": local.strftime("%H:%M:%S"),
            "event_timezone_offset": "+08:00",
            "place": "二号冷库",
            "actor": "",
            "details": "{}",
            "parent_id": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert TraceEvent.objects.get(pk=event.pk).place == "二号冷库"
    assert chain_verify(batch.events.order_by("sequence")).ok


def test_the_admin_verifies_chains_and_cannot_add_events_or_inspections(staff, tea):
    batch = published(tea)
    TraceEvent.objects.filter(batch=batch, sequence=2).update(actor="偷偷改")

    response = staff.post(
        "/django-admin/traceability/batch/",
        {"action": "verify_chains", "_selected_action": [batch.pk]},
        follow=True,
    )

    assert "2" in response.content.decode() and "校验通过" not in response.content.decode()
    assert staff.get("/django-admin/traceability/traceevent/add/").status_code == 403
    assert staff.get("/django-admin/traceability/inspection/add/").status_code == 403
