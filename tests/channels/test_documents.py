"""Delivery documents: the delivery note lists each batch's lot, dates, quantity, supplier and trace
QR; the receiving packet merges the suppliers' licences, every batch's certificate and inspection
report into one PDF (images become pages, a paper that cannot be merged is listed as attached
separately); the purchase ledger is an XLSX of the month. Made by a worker, polled by the page, and
reachable only by the organisation, its channel's managers and staff (404 for anyone else, every URL)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory
from pypdf import PdfReader

from channels import documents
from channels.models import Delivery, GeneratedDocument, Membership
from channels.services import standing as service
from core.sales_channels import SalesChannel
from suppliers.models import Certification, SupplierDocument
from tests.channels.test_standing import World
from tests.factories.channels import OrganisationFactory, channel_manager, member_of
from tests.factories.suppliers import image_upload, pdf_bytes, pdf_upload
from tests.factories.traceability import passed_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world():
    world = World()
    world.schedule(day=timezone.localdate() + datetime.timedelta(days=1), quantity=12)
    service.standing_orders_place()
    world.delivery = Delivery.objects.get()
    return world


def _make(world, kind, **fields) -> GeneratedDocument:
    document = documents.document_request(kind=kind, organisation=world.school, by=world.admin, **fields)
    assert documents.document_generate(document_id=document.pk)
    document.refresh_from_db()
    assert document.state == GeneratedDocument.State.DONE and document.progress == 100
    return document


def _pdf(document) -> PdfReader:
    with document.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def test_the_delivery_note_lists_each_batch_with_its_lot_dates_supplier_and_qr(world):
    document = _make(world, GeneratedDocument.Kind.DELIVERY_NOTE, delivery=world.delivery)
    reader = _pdf(document)
    text = reader.pages[0].extract_text()
    batch = world.batch
    assert batch.lot_code in text
    assert batch.best_before.strftime("%Y-%m-%d") in text
    assert (batch.packing_date or batch.harvest_date).strftime("%Y-%m-%d") in text
    assert world.delivery.organisation_order.order.number in text
    assert "PO-STAND-1" in text
    assert "/XObject" in str(reader.pages[0]["/Resources"])  # the trace QR image
    assert document.file_name.startswith("songhuodan-")
    # A second delivery of the task does nothing.
    assert not documents.document_generate(document_id=document.pk)


def test_the_receiving_packet_merges_licences_certificates_and_reports_and_lists_what_it_cannot(world):
    supplier = world.seller.supplier
    SupplierDocument.objects.create(
        supplier=supplier, kind=SupplierDocument.Kind.BUSINESS_LICENCE, file=pdf_upload("licence.pdf")
    )
    today = timezone.localdate()
    Certification.objects.create(
        supplier=supplier,
        kind=Certification.Kind.SC_LICENCE,
        number="SC11142030000001",
        issuer="十堰市市场监督管理局",
        valid_from=today - datetime.timedelta(days=100),
        valid_until=today + datetime.timedelta(days=300),
        scan=image_upload("sc.png", fmt="PNG"),
    )
    Certification.objects.create(
        supplier=supplier,
        kind=Certification.Kind.GREEN_FOOD,
        number="LB-BROKEN-77",
        issuer="中国绿色食品发展中心",
        valid_from=today - datetime.timedelta(days=100),
        valid_until=today + datetime.timedelta(days=300),
        scan=SimpleUploadedFile(
            "broken.pdf", b"%PDF-1.4\nthis is not a pdf at all", content_type="application/pdf"
        ),
    )
    inspection = passed_inspection(world.batch, number="SY-REPORT-42")
    inspection.report_sha256 = "0" * 64
    inspection.report_file.save("report.pdf", io.BytesIO(pdf_bytes()))

    document = _make(world, GeneratedDocument.Kind.RECEIVING_PACKET, delivery=world.delivery)
    reader = _pdf(document)
    cover = "".join(page.extract_text() for page in reader.pages[:1])
    # cover + business licence + SC scan (image → page) + the batch's certificate + the lab report
    assert len(reader.pages) == 5
    assert "SC11142030000001" in cover and "SY-REPORT-42" in cover
    assert world.batch.certificate.number in cover
    # The broken scan is not merged, and said so on the cover.
    attached = cover[cover.index("另附") :]
    assert "LB-BROKEN-77" in attached and "SC11142030000001" not in attached


def test_the_purchase_ledger_has_a_row_per_batch_of_the_month(world):
    from openpyxl import load_workbook

    month = world.delivery.date.replace(day=1)
    document = _make(world, GeneratedDocument.Kind.PURCHASE_LEDGER, month=month)
    with document.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 1
    row = rows[0]
    assert row[0].date() == world.delivery.date
    assert row[1] == "房县香菇 250克" and row[3] == 12 and float(row[4]) == 31.0 and float(row[5]) == 372.0
    assert row[7] == world.batch.lot_code and row[10] == world.batch.certificate.number
    assert row[12] == world.delivery.organisation_order.order.number and row[13] == "PO-STAND-1"
    # Another month: empty.
    other = _make(world, GeneratedDocument.Kind.PURCHASE_LEDGER, month=month - datetime.timedelta(days=40))
    with other.file.open("rb") as handle:
        assert load_workbook(io.BytesIO(handle.read())).active.max_row == 2


def test_a_failing_build_fails_the_document_and_the_sweeper_fails_dead_workers(world):
    document = documents.document_request(
        kind=GeneratedDocument.Kind.DELIVERY_NOTE, organisation=world.school, delivery=world.delivery, by=None
    )
    GeneratedDocument.objects.filter(pk=document.pk).update(
        state=GeneratedDocument.State.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    queued = documents.document_request(
        kind=GeneratedDocument.Kind.DELIVERY_NOTE, organisation=world.school, delivery=world.delivery, by=None
    )
    GeneratedDocument.objects.filter(pk=queued.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    assert documents.documents_sweep() == {"failed": 1, "queued_again": 1}
    document.refresh_from_db()
    assert document.state == GeneratedDocument.State.FAILED and "stopped" in document.error
    # Made by the eager queue (the sweeper queued it again).
    queued.refresh_from_db()
    assert queued.state in (GeneratedDocument.State.QUEUED, GeneratedDocument.State.DONE)


# --- Who may see ------------------------------------------------------------------------------------
def _urls(world, document):
    delivery = world.delivery
    return [
        ("get", reverse("channels:delivery", args=[delivery.pk])),
        ("post", reverse("channels:delivery-document", args=[delivery.pk, "delivery-note"])),
        ("post", reverse("channels:delivery-document", args=[delivery.pk, "receiving-packet"])),
        ("post", reverse("channels:ledger", args=[world.school.pk])),
        ("get", reverse("channels:document", args=[document.pk])),
        ("get", reverse("channels:document", args=[document.pk]) + "?format=json"),
        ("get", reverse("channels:document-download", args=[document.pk])),
    ]


def _who(world, who):
    if who == "member":
        return member_of(world.school)
    if who == "admin":
        return world.admin
    if who == "manager":
        return channel_manager(SalesChannel.SCHOOL)
    if who == "staff":
        return UserFactory(is_staff=True)
    if who == "other organisation":
        return member_of(OrganisationFactory(channel=SalesChannel.SCHOOL), role=Membership.Role.ADMIN)
    if who == "other channel's manager":
        return channel_manager(SalesChannel.RESTAURANT, SalesChannel.ENTERPRISE)
    return UserFactory()


@pytest.mark.parametrize("who", ["member", "admin", "manager", "staff"])
def test_the_organisation_its_managers_and_staff_reach_every_document_url(world, client, who):
    document = _make(world, GeneratedDocument.Kind.DELIVERY_NOTE, delivery=world.delivery)
    client.force_login(_who(world, who))
    for method, url in _urls(world, document):
        data = {"month": "2026-09"} if "ledger" in url else {}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        if method == "post":
            assert response.status_code == 302 and "/documents/" in response["Location"]
    response = client.get(reverse("channels:document-download", args=[document.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


@pytest.mark.parametrize("who", ["other organisation", "other channel's manager", "someone"])
def test_anyone_else_gets_404_on_every_document_url_and_nothing_is_queued(world, client, who):
    document = _make(world, GeneratedDocument.Kind.DELIVERY_NOTE, delivery=world.delivery)
    client.force_login(_who(world, who))
    for method, url in _urls(world, document):
        response = client.post(url, {"month": "2026-09"}) if method == "post" else client.get(url)
        assert response.status_code == 404, (url, response.status_code)
    assert GeneratedDocument.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    document = _make(world, GeneratedDocument.Kind.DELIVERY_NOTE, delivery=world.delivery)
    for method, url in _urls(world, document):
        response = client.post(url) if method == "post" else client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_the_document_page_polls_until_ready(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("channels:delivery-document", args=[world.delivery.pk, "delivery-note"]))
    document = GeneratedDocument.objects.get()
    assert response["Location"] == reverse("channels:document", args=[document.pk])
    if document.state == GeneratedDocument.State.QUEUED:  # no eager worker in this test run
        page = client.get(response["Location"]).content.decode()
        assert 'http-equiv="refresh"' in page
        documents.document_generate(document_id=document.pk)
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("channels:document-download", args=[document.pk]) in page
    assert client.get(response["Location"] + "?format=json").json()["state"] == "done"
