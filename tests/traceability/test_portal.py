"""The cooperative portal's batch pages: a supplier sees and changes only its own batches."""

import datetime
import io

import pytest
from django.urls import reverse

from tests.factories.traceability import (
    BatchFactory,
    certificate,
    days_ago,
    draft,
    net_stock,
    published,
    seller,
    today,
)
from tests.traceability.sheets import HEADER_ZH, csv_bytes, xlsx_bytes
from traceability import services
from traceability.models import ApiToken, Batch, FarmInput, Inspection, TraceEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def coop(mushrooms, client):
    """The mushroom cooperative's portal user, signed in."""
    client.force_login(mushrooms.user())
    return mushrooms


@pytest.fixture
def rival(db):
    """Another supplier with a draft, a published batch and an API token."""
    other = seller(product_class_slug="tea", title="别家的茶 100克")
    other.draft = draft(other, lot_code="RIVAL-D")
    other.published = published(other, lot_code="RIVAL-P")
    other.token, _key = services.api_token_create(supplier=other.supplier, name="别家")
    return other


def _form(coop, **fields):
    data = {
        "product": coop.product.pk,
        "base": coop.base.pk,
        "lot_code": "",
        "harvest_date": days_ago(6).isoformat(),
        "packing_date": days_ago(5).isoformat(),
        "best_before": (today() + datetime.timedelta(days=365)).isoformat(),
        "quantity": "90",
        "unit": "piece",
        "notes": "",
        "inputs-TOTAL_FORMS": "3",
        "inputs-INITIAL_FORMS": "0",
        "inputs-MIN_NUM_FORMS": "0",
        "inputs-MAX_NUM_FORMS": "10",
    }
    data.update(fields)
    return data


def test_signed_out_visitors_go_to_login_and_non_suppliers_are_refused(client, db):
    from oscar.test.factories import UserFactory

    assert client.get("/shop/portal/batches/").status_code == 302
    client.force_login(UserFactory())
    assert client.get("/shop/portal/batches/").status_code == 403


def test_the_list_shows_only_the_suppliers_own_batches(client, coop, rival):
    mine = draft(coop, lot_code="MINE-1")

    page = client.get("/shop/portal/batches/").content.decode()

    assert mine.lot_code in page and "RIVAL-D" not in page and "RIVAL-P" not in page


def test_the_list_filters_by_status_and_paginates(client, coop):
    for n in range(30):
        BatchFactory(product=coop.product, base=coop.base, lot_code=f"PG-{n:02d}")
    published(coop, lot_code="ON-SALE") if False else None

    first = client.get("/shop/portal/batches/", {"status": "draft"})
    second = client.get("/shop/portal/batches/", {"status": "draft", "page": 2})

    assert len(first.context["batches"]) == 25 and len(second.context["batches"]) == 5
    assert "status=draft" in second.content.decode()


def test_a_batch_is_recorded_through_the_form_with_a_generated_lot_code(client, coop):
    response = client.post("/shop/portal/batches/new/", _form(coop))

    batch = Batch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/portal/batches/{batch.pk}/"
    assert batch.lot_code == f"{days_ago(6):%y%m%d}-01" and batch.created_by is not None


def test_the_form_offers_only_the_suppliers_products_and_bases(client, coop, rival):
    page = client.get("/shop/portal/batches/new/").content.decode()

    assert coop.product.get_title() in page and "别家的茶" not in page and rival.base.name not in page
    response = client.post(
        "/shop/portal/batches/new/", _form(coop, product=rival.product.pk, base=rival.base.pk)
    )
    assert response.status_code == 200 and response.context["form"].errors.keys() == {"product", "base"}
    assert not Batch.objects.filter(base=coop.base).exists()


def test_bad_input_in_the_form_is_explained_on_its_fields_and_nothing_is_saved(client, coop):
    response = client.post(
        "/shop/portal/batches/new/",
        _form(coop, lot_code="批次1", quantity="0", best_before=days_ago(30).isoformat()),
    )

    errors = response.context["form"].errors
    assert {"lot_code", "quantity"} <= set(errors)
    assert not Batch.objects.filter(base=coop.base).exists()


def test_a_service_refusal_lands_on_the_form(client, coop):
    draft(coop, lot_code="SAME-1")

    response = client.post("/shop/portal/batches/new/", _form(coop, lot_code="SAME-1"))

    assert "SAME-1" in response.context["form"].errors["lot_code"][0]


def test_a_batch_made_from_another_batch_through_the_form(client, coop):
    source = draft(coop, quantity=100)

    client.post(
        "/shop/portal/batches/new/",
        _form(coop, **{"inputs-0-input": source.pk, "inputs-0-quantity": "42.5", "inputs-0-unit": "kg"}),
    )

    made = Batch.objects.exclude(pk=source.pk).get()
    assert [(i.input_id, str(i.quantity)) for i in made.inputs.all()] == [(source.pk, "42.500")]


def test_publishing_from_the_portal_puts_the_batch_on_sale(client, coop):
    batch = draft(coop, quantity=30)
    page = client.get(f"/shop/portal/batches/{batch.pk}/").content.decode()
    assert "承诺达标合格证" in page  # what is missing is said before publishing

    client.post(f"/shop/portal/batches/{batch.pk}/publish/")
    assert Batch.objects.get(pk=batch.pk).status == "draft"
    certificate(batch)
    client.post(f"/shop/portal/batches/{batch.pk}/publish/")

    batch.refresh_from_db()
    assert batch.status == "published" and net_stock(coop.stockrecord) == 30


def test_hold_and_release_from_the_portal(client, coop):
    batch = published(coop, quantity=20)

    client.post(f"/shop/portal/batches/{batch.pk}/hold/", {"reason": "发现霉变，待复检"})
    assert Batch.objects.get(pk=batch.pk).status == "on_hold" and net_stock(coop.stockrecord) == 0
    client.post(f"/shop/portal/batches/{batch.pk}/release/")
    assert Batch.objects.get(pk=batch.pk).status == "published" and net_stock(coop.stockrecord) == 20


def test_a_record_and_a_correction_are_added_from_the_portal(client, coop):
    batch = published(coop)
    when = (datetime.datetime.now() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    client.post(
        f"/shop/portal/batches/{batch.pk}/events/new/",
        {"biz_step": "shipping", "event_time": when, "place": "武汉"},
    )
    wrong = batch.events.get(biz_step="shipping")
    client.post(
        f"/shop/portal/batches/{batch.pk}/events/new/",
        {
            "biz_step": "shipping",
            "event_time": when,
            "place": "北京",
            "corrects": wrong.pk,
            "reason": "写错目的地",
        },
    )

    correction = batch.events.order_by("-sequence").first()
    assert (correction.corrects, correction.place, correction.details["correction_reason"]) == (
        wrong,
        "北京",
        "写错目的地",
    )


def test_an_inspection_with_items_and_a_pdf_from_the_portal(client, coop):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.suppliers import pdf_bytes

    batch = draft(coop)
    data = {
        "laboratory": "十堰市农产品质量安全检测中心",
        "report_number": "SY-2026-77",
        "sampling_date": days_ago(4).isoformat(),
        "report_date": days_ago(2).isoformat(),
        "conclusion": "所检项目符合 GB 2762",
        "items-TOTAL_FORMS": "5",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "items-0-analyte": "铅",
        "items-0-result": "0.15",
        "items-0-limit": "1.0",
        "items-0-unit": "mg/kg",
        "items-1-analyte": "镉",
        "items-1-result": "",
        "items-1-limit": "0.2",
        "items-1-unit": "mg/kg",
        "report_file": SimpleUploadedFile("report.pdf", pdf_bytes(), content_type="application/pdf"),
    }

    response = client.post(f"/shop/portal/batches/{batch.pk}/inspections/new/", data)

    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.passed and inspection.items.count() == 2
    assert len(inspection.report_sha256) == 64


def test_the_certificate_form_issues_the_certificate(client, coop):
    batch = draft(coop)

    client.post(
        f"/shop/portal/batches/{batch.pk}/certificate/",
        {
            "issuer": "房县菌菇专业合作社",
            "contact": "0719-3221234",
            "basis": "process_control",
            "product_name": "房县花菇",
            "quantity": "12.5",
            "unit": "kg",
            "origin": "湖北省十堰市房县军店镇",
        },
    )

    assert batch.certificate.contact == "0719-3221234" and str(batch.certificate.quantity) == "12.500"


def test_the_label_sheet_prints_qr_product_lot_dates_and_the_certificate(client, coop):
    batch = draft(coop, lot_code="FX-LBL-1")
    certificate(batch)
    batch = services.batch_publish(batch=batch)

    response = client.get(f"/shop/portal/batches/{batch.pk}/labels/", {"count": 12})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="lb-label lb-label--cert"') == 12 and page.count('class="lb-sheet"') == 2
    assert page.count("<svg") >= 12 and "FX-LBL-1" in page and "承诺达标合格证" in page
    assert str(batch.best_before) in page and batch.trace_code in page


def test_a_draft_has_no_labels_yet(client, coop):
    assert client.get(f"/shop/portal/batches/{draft(coop).pk}/labels/").status_code == 404


def test_an_uploaded_sheet_imports_or_lists_its_errors(client, coop, django_capture_on_commit_callbacks):
    good = xlsx_bytes(
        [
            [
                "SKU-X",
                coop.base.name,
                "UP-1",
                days_ago(5),
                "",
                today() + datetime.timedelta(days=90),
                10,
                "件",
                "",
            ]
        ],
        header=HEADER_ZH,
    )
    coop.stockrecord.partner_sku = "SKU-X"
    coop.stockrecord.save()
    bad = csv_bytes(
        [["SKU-X", coop.base.name, "UP-2", "昨天", "", "2030-01-01", "0", "", ""]], header=HEADER_ZH
    )

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/shop/portal/batches/upload/", {"sheet": io.BytesIO(bad)})
    refused = client.get(posted.url)
    assert refused.status_code == 200 and refused.context["job"].error_count == 2
    assert "采收/生产日期" in refused.content.decode() and not Batch.objects.exists()

    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post("/shop/portal/batches/upload/", {"sheet": SimpleUploadedFile("b.xlsx", good)})
    accepted = client.get(posted.url)
    assert accepted.status_code == 200 and Batch.objects.get().lot_code == "UP-1"
    assert accepted.context["job"].status == "imported"


def test_the_templates_download(client, coop):
    xlsx = client.get("/shop/portal/batches/template.xlsx")
    csv = client.get("/shop/portal/batches/template.csv")

    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")


def test_farm_inputs_are_recorded_and_listed(client, coop, rival):
    response = client.post(
        "/shop/portal/farm-inputs/new/",
        {
            "base": coop.base.pk,
            "product": "",
            "kind": "pesticide",
            "name": "10%吡虫啉可湿性粉剂",
            "dose": "20克/亩",
            "applied_on": days_ago(3).isoformat(),
            "pre_harvest_interval_days": "7",
            "plot": "一号棚",
        },
    )
    refused = client.post(
        "/shop/portal/farm-inputs/new/",
        {
            "base": rival.base.pk,
            "kind": "fertiliser",
            "name": "有机肥",
            "dose": "1吨/亩",
            "applied_on": days_ago(3).isoformat(),
            "pre_harvest_interval_days": "0",
        },
    )

    assert (
        response.status_code == 302
        and refused.status_code == 200
        and "base" in refused.context["form"].errors
    )
    assert list(FarmInput.objects.values_list("name", flat=True)) == ["10%吡虫啉可湿性粉剂"]
    assert "10%吡虫啉可湿性粉剂" in client.get("/shop/portal/farm-inputs/").content.decode()


def test_an_api_key_is_shown_once_and_can_be_revoked(client, coop):
    response = client.post("/shop/portal/api-tokens/", {"name": "仓库电脑"})

    key = response.context["new_key"]
    token = ApiToken.objects.get()
    assert key.startswith("shy_") and key not in client.get("/shop/portal/api-tokens/").content.decode()
    assert token.key_hash == services.api_token_hash(key)
    client.post(f"/shop/portal/api-tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


PER_BATCH = [
    ("get", "trace_portal:batch"),
    ("get", "trace_portal:batch-update"),
    ("post", "trace_portal:batch-update"),
    ("get", "trace_portal:batch-delete"),
    ("post", "trace_portal:batch-delete"),
    ("post", "trace_portal:batch-publish"),
    ("post", "trace_portal:batch-hold"),
    ("post", "trace_portal:batch-release"),
    ("get", "trace_portal:event-create"),
    ("post", "trace_portal:event-create"),
    ("get", "trace_portal:inspection-create"),
    ("post", "trace_portal:inspection-create"),
    ("get", "trace_portal:certificate"),
    ("post", "trace_portal:certificate"),
    ("get", "trace_portal:labels"),
]


def _snapshot():
    return (
        list(
            Batch.objects.order_by("pk").values_list(
                "pk", "status", "quantity", "quantity_remaining", "lot_code"
            )
        ),
        TraceEvent.objects.count(),
        Inspection.objects.count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
    )


@pytest.mark.parametrize(("method", "name"), PER_BATCH)
@pytest.mark.parametrize("which", ["draft", "published"])
def test_another_suppliers_batch_is_not_found_and_nothing_changes(client, coop, rival, method, name, which):
    batch = getattr(rival, which)
    before = _snapshot()
    payload = {"reason": "x", "lot_code": "HACK", "quantity": "1", "biz_step": "shipping", "place": "x"}

    response = getattr(client, method)(reverse(name, kwargs={"pk": batch.pk}), payload)

    assert response.status_code == 404
    assert _snapshot() == before


def test_another_suppliers_api_token_cannot_be_revoked(client, coop, rival):
    response = client.post(f"/shop/portal/api-tokens/{rival.token.pk}/revoke/")

    rival.token.refresh_from_db()
    assert response.status_code == 404 and rival.token.revoked_at is None


def test_the_edit_and_certificate_forms_start_from_what_is_known(client, coop):
    batch = draft(coop, quantity=33, lot_code="PRE-1", notes="第二批")

    edit = client.get(f"/shop/portal/batches/{batch.pk}/edit/").context["form"]
    cert = client.get(f"/shop/portal/batches/{batch.pk}/certificate/").context["form"]

    assert (edit["lot_code"].value(), edit["quantity"].value(), edit["notes"].value()) == (
        "PRE-1",
        33,
        "第二批",
    )
    assert (
        cert["issuer"].value() == coop.supplier.legal_name and cert["contact"].value() == coop.supplier.phone
    )
    assert cert["quantity"].value() == 33 and coop.base.township in cert["origin"].value()
