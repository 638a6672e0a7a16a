"""Inspections and compliance certificates: pass/fail follows the items, the report PDF is checked by
content and hashed, a certificate's lab-test basis rests on a passed inspection of the same batch."""

import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from tests.factories.suppliers import pdf_bytes
from tests.factories.traceability import certificate, days_ago, draft, failed_inspection, passed_inspection
from traceability import rules, services
from traceability.models import ComplianceCertificate, Inspection, InspectionItem
from traceability.services import ItemSpec

pytestmark = pytest.mark.django_db


def _record(batch, items, **fields):
    values = {
        "laboratory": "十堰市农产品质量安全检测中心",
        "report_number": "SYJC-2026-0412",
        "sampling_date": days_ago(6),
        "report_date": days_ago(3),
    }
    values.update(fields)
    return services.inspection_record(batch=batch, items=items, **values)


def test_an_inspection_passes_when_every_item_is_within_its_limit_or_not_detected(mushrooms):
    batch = draft(mushrooms)

    inspection = _record(
        batch,
        [
            ItemSpec("铅", Decimal("0.12"), Decimal("1.0")),
            ItemSpec("镉", None, Decimal("0.2"), method="GB 5009.15"),
        ],
    )

    assert inspection.passed
    assert [(i.analyte, i.passed) for i in inspection.items.all()] == [("铅", True), ("镉", True)]


def test_one_item_above_its_limit_fails_the_inspection(mushrooms):
    batch = draft(mushrooms)

    inspection = _record(
        batch,
        [ItemSpec("铅", Decimal("0.1"), Decimal("1.0")), ItemSpec("镉", Decimal("0.5"), Decimal("0.2"))],
    )

    assert not inspection.passed and [i.passed for i in inspection.items.all()] == [True, False]


def test_an_exceedance_marked_as_passed_is_refused(mushrooms):
    with pytest.raises(ValidationError) as error:
        _record(draft(mushrooms), [ItemSpec("毒死蜱", Decimal("2"), Decimal("1"), passed=True)])

    assert "毒死蜱" in error.value.message_dict["items"][0]
    assert not Inspection.objects.exists()


def test_the_database_refuses_a_passed_item_above_its_limit(mushrooms):
    inspection = _record(draft(mushrooms), [ItemSpec("铅", None, Decimal("1"))])

    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionItem.objects.create(
            inspection=inspection, analyte="镉", result=Decimal(3), limit=Decimal(1), passed=True
        )


def test_an_item_without_a_limit_needs_a_verdict(mushrooms):
    with pytest.raises(ValidationError):
        _record(draft(mushrooms), [ItemSpec("感官", Decimal("1"), None)])

    inspection = _record(
        draft(mushrooms), [ItemSpec("感官", Decimal("1"), None, passed=True)], report_number="X-2"
    )
    assert inspection.passed


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"items": []}, "items"),
        ({"sampling_date": days_ago(-3)}, "sampling_date"),
        ({"report_date": days_ago(9)}, "report_date"),
    ],
)
def test_an_inspection_without_items_or_with_impossible_dates_is_refused(mushrooms, fields, field):
    items = fields.pop("items", [ItemSpec("铅", None, Decimal(1))])

    with pytest.raises(ValidationError) as error:
        _record(draft(mushrooms), items, **fields)

    assert field in error.value.message_dict
    assert not Inspection.objects.exists()


def test_the_same_report_of_the_same_lab_is_recorded_once(mushrooms):
    batch = draft(mushrooms)
    _record(batch, [ItemSpec("铅", None, Decimal(1))])

    with pytest.raises(ValidationError) as error:
        _record(batch, [ItemSpec("铅", None, Decimal(1))])

    assert "report_number" in error.value.message_dict


def test_the_report_pdf_is_kept_with_its_sha256(mushrooms):
    data = pdf_bytes()

    inspection = _record(
        draft(mushrooms), [ItemSpec("铅", None, Decimal(1))], report_file=SimpleUploadedFile("报告.pdf", data)
    )

    assert inspection.report_sha256 == hashlib.sha256(data).hexdigest()
    assert inspection.report_file.name.startswith(
        "traceability/reports/"
    ) and inspection.report_file.name.endswith(".pdf")


def test_a_report_that_is_not_a_pdf_by_its_content_is_refused(mushrooms):
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")

    with pytest.raises(ValidationError) as error:
        _record(draft(mushrooms), [ItemSpec("铅", None, Decimal(1))], report_file=fake)

    assert "report_file" in error.value.message_dict
    assert not Inspection.objects.exists()


def test_an_inspection_is_recorded_in_the_batchs_event_chain(mushrooms):
    batch = draft(mushrooms)

    inspection = failed_inspection(batch, number="F-1")

    event = batch.events.get()
    assert (event.biz_step, event.disposition, event.inspection) == (
        "inspecting",
        "non_conformant",
        inspection,
    )


def test_a_certificate_carries_the_promise_and_defaults_from_the_batch(mushrooms):
    batch = draft(mushrooms, quantity=80)

    cert = certificate(batch)

    assert cert.product_name == mushrooms.product.get_title() and cert.quantity == Decimal(80)
    assert cert.origin.startswith("湖北省十堰市") and mushrooms.base.township in cert.origin
    assert cert.promise == rules.CERTIFICATE_PROMISE and cert.number.startswith("HGZ")


def test_a_lab_test_basis_needs_a_passed_inspection_of_the_same_batch(mushrooms):
    batch = draft(mushrooms)
    other = draft(mushrooms)
    failed = failed_inspection(batch, number="F-2")

    for inspection in (None, failed, passed_inspection(other, number="P-other")):
        with pytest.raises(ValidationError):
            certificate(batch, basis=ComplianceCertificate.Basis.LAB_TEST, inspection=inspection)

    good = passed_inspection(batch, number="P-1")
    cert = certificate(batch, basis=ComplianceCertificate.Basis.LAB_TEST, inspection=good)
    assert cert.inspection == good


def test_a_certificate_with_a_bad_contact_phone_is_refused(mushrooms):
    with pytest.raises(ValidationError) as error:
        certificate(draft(mushrooms), contact="12345")

    assert "contact" in error.value.message_dict


def test_a_published_batchs_certificate_cannot_be_replaced(mushrooms):
    batch = draft(mushrooms)
    certificate(batch, issuer="王德军")
    services.batch_publish(batch=batch)

    with pytest.raises(ValidationError):
        certificate(batch, issuer="别人")

    assert ComplianceCertificate.objects.get().issuer == "王德军"


@pytest.mark.parametrize(
    ("slug", "flag", "needs"),
    [
        ("my-greens", True, True),  # any slug: the flag decides
        ("fresh-fruit", False, False),  # a farm-produce slug without the flag needs none
        ("tea", False, False),
    ],
)
def test_the_certificate_rule_reads_the_product_class_flag_not_its_slug(slug, flag, needs):
    from tests.factories.catalogue import ShiyanProductFactory
    from tests.factories.traceability import product_class

    klass = product_class(slug, needs_certificate=flag)
    assert rules.product_needs_certificate(ShiyanProductFactory(product_class=klass)) is needs


def test_the_migration_flags_the_classes_that_matched_by_slug_and_the_catalogue_its_farm_produce():
    import importlib

    from django.apps import apps
    from oscar.core.loading import get_model

    from catalogue.services import PRODUCT_CLASSES

    ProductClass = get_model("catalogue", "ProductClass")
    for slug in ("fresh-fruit", "dried-fungi", "fresh-tea-leaves", "eggs", "tea", "olive-oil"):
        ProductClass.objects.create(slug=slug, name=slug, needs_certificate=False)
    migration = importlib.import_module("catalogue.migrations.0037_product_class_needs_certificate")

    migration.flag_certificate_classes(apps, None)

    assert sorted(ProductClass.objects.filter(needs_certificate=True).values_list("slug", flat=True)) == [
        "dried-fungi",
        "eggs",
        "fresh-fruit",
        "fresh-tea-leaves",
    ]
    assert sorted(spec.slug for spec in PRODUCT_CLASSES if spec.needs_certificate) == [
        "dried-fungi",
        "fresh-fruit",
    ]
