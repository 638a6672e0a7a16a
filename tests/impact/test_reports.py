"""The yearly PDF report: asked for by staff, built in Celery with progress, e-mailed when ready."""

import pytest
from django.core import mail
from django.urls import reverse
from oscar.test.factories import UserFactory

from impact import rollup
from impact.models import YearReport

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_yearly_report_is_built_in_the_background_and_e_mailed(
    known, client, django_capture_on_commit_callbacks
):
    rollup.rollups_rebuild()
    staff = UserFactory(is_staff=True, email="staff@example.com")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("impact:reports"), {"year": "2026"})
    report = YearReport.objects.get()
    assert response.url == reverse("impact:report", args=[report.pk])
    assert (report.state, report.progress) == (YearReport.State.DONE, 100)
    assert bytes(report.pdf).startswith(b"%PDF")
    status = client.get(reverse("impact:report", args=[report.pk]), {"format": "json"}).json()
    assert status == {"state": "done", "progress": 100}
    download = client.get(reverse("impact:report-pdf", args=[report.pk]))
    assert download["Content-Type"] == "application/pdf" and download.content.startswith(b"%PDF")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["staff@example.com"]
    assert reverse("impact:report", args=[report.pk]) in mail.outbox[0].body


def test_a_report_page_refreshes_while_it_is_built_and_bad_years_are_refused(known, client):
    client.force_login(UserFactory(is_staff=True))
    report = YearReport.objects.create(year=2026, state=YearReport.State.RUNNING, progress=40)
    page = client.get(reverse("impact:report", args=[report.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and "40%" in page
    response = client.post(reverse("impact:reports"), {"year": "1999"}, follow=True)
    assert YearReport.objects.count() == 1
    assert "2016" in response.content.decode()


def test_reports_are_for_staff_only(known, client):
    report = YearReport.objects.create(year=2026, state=YearReport.State.DONE, pdf=b"%PDF-1.4")
    client.force_login(UserFactory())
    assert client.get(reverse("impact:report-pdf", args=[report.pk])).status_code == 302
    assert client.post(reverse("impact:reports"), {"year": "2026"}).status_code == 302
    assert YearReport.objects.count() == 1
