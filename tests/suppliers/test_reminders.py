"""The daily job e-mails a supplier 30 and 7 days before a certificate expires, once per threshold."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_sweep
from suppliers.models import CertificationReminder, Supplier
from suppliers.tasks import certification_expiry_reminders_send_task
from tests.factories.suppliers import CertificationFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _run_on(day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 0)))
    # The job's transaction commits; the reminders it records in the outbox are then delivered.
    with mock.patch("django.utils.timezone.now", return_value=moment):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return certification_expiry_reminders_send_task.delay().get()


def test_a_certificate_gets_one_reminder_at_30_days_and_one_at_7_however_often_the_job_runs():
    today = timezone.localdate()
    supplier = SupplierFactory(email="coop@example.com")
    CertificationFactory(
        supplier=supplier, number="LB-2026-001", valid_until=today + datetime.timedelta(days=40)
    )

    for offset in range(0, 41):
        day = today + datetime.timedelta(days=offset)
        _run_on(day)
        _run_on(day)  # a second run the same day (a restart, a duplicate beat) sends nothing more

    assert sorted(CertificationReminder.objects.values_list("threshold_days", flat=True)) == [7, 30]
    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [["coop@example.com"], ["coop@example.com"]]
    assert "LB-2026-001" in mail.outbox[0].body
    assert "30" in mail.outbox[0].subject and "7" in mail.outbox[1].subject


def test_a_certificate_first_seen_5_days_before_expiry_gets_only_the_7_day_reminder():
    today = timezone.localdate()
    CertificationFactory(valid_until=today + datetime.timedelta(days=5))

    _run_on(today)
    _run_on(today + datetime.timedelta(days=1))

    assert list(CertificationReminder.objects.values_list("threshold_days", flat=True)) == [7]
    assert len(mail.outbox) == 1


def test_expired_far_off_and_rejected_suppliers_certificates_get_no_reminder():
    today = timezone.localdate()
    CertificationFactory(valid_until=today - datetime.timedelta(days=1))
    CertificationFactory(valid_until=today + datetime.timedelta(days=90))
    CertificationFactory(
        supplier=SupplierFactory(status=Supplier.Status.REJECTED, partner=None, slug=""),
        valid_until=today + datetime.timedelta(days=3),
    )

    assert _run_on(today) == 0
    assert mail.outbox == []


def test_a_failed_send_waits_in_the_outbox_and_the_sweeper_sends_it_once():
    today = timezone.localdate()
    CertificationFactory(valid_until=today + datetime.timedelta(days=20))

    with mock.patch("suppliers.services.send_mail", side_effect=ConnectionError("mail server down")):
        _run_on(today)
    assert CertificationReminder.objects.count() == 0
    [waiting] = OutboxMessage.objects.filter(kind="suppliers.certification_reminder")
    assert waiting.state == "pending" and "mail server down" in waiting.last_error

    _run_on(today)  # the job again: the reminder is recorded already, nothing new
    outbox_sweep(now=waiting.next_attempt_at)  # once its backoff has passed (the job ran "at 08:00")
    outbox_sweep(now=waiting.next_attempt_at + datetime.timedelta(minutes=10))

    assert OutboxMessage.objects.filter(kind="suppliers.certification_reminder").count() == 1
    assert CertificationReminder.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_new_expiry_date_gets_reminders_of_its_own():
    from suppliers import services

    today = timezone.localdate()
    certification = CertificationFactory(valid_until=today + datetime.timedelta(days=10))
    _run_on(today)

    services.certification_update(
        certification=certification, valid_until=today + datetime.timedelta(days=400)
    )

    assert CertificationReminder.objects.count() == 0


def test_the_beat_schedule_runs_the_job_daily():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["suppliers-certification-expiry-reminders"]
    assert entry["task"] == certification_expiry_reminders_send_task.name
    assert entry["schedule"].hour == {8} and entry["schedule"].minute == {0}
