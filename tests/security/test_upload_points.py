"""A valid PDF or PNG sent under a lying name (``x.html``, ``x.shtml``, ``x.svg``, ``x.pdf.html``) at
every upload point: the applicant form, the cooperative portal, the inspection form, Oscar's dashboard,
Wagtail's images and documents. Each is either refused or stored under a random name with the
extension of its content, and every view that serves it answers with a type read from the bytes,
``nosniff`` and ``Content-Security-Policy: sandbox`` (a download unless it is a PDF or a picture).
Pictures in ``/media/`` are served by nginx from an allow-list (tests/test_proxy.py).
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from suppliers.models import BasePhoto, Certification, Supplier, SupplierDocument
from tests.factories.suppliers import (
    CertificationFactory,
    ProductionBaseFactory,
    SupplierFactory,
    image_upload,
    make_uscc,
    pdf_bytes,
    portal_user_for,
)
from tests.factories.traceability import days_ago, draft, published, seller
from traceability.models import Inspection

pytestmark = pytest.mark.django_db

ProductImage = get_model("catalogue", "ProductImage")
LYING = ["x.html", "x.shtml", "x.svg", "x.pdf.html"]
RANDOM_NAME = re.compile(r"/[0-9a-f]{32}\.(pdf|png)$")


def png(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_upload("a.png", fmt="PNG").read(), content_type="text/html")


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="text/html")


def assert_stored(name: str, extension: str, storage) -> None:
    assert RANDOM_NAME.search(f"/{name}"), name
    assert name.endswith(f".{extension}"), name
    assert storage.exists(name), name


def assert_served_safely(response, content_type: str) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    inline = content_type == "application/pdf" or content_type.startswith("image/")
    assert response["Content-Disposition"].startswith("inline;" if inline else "attachment;")
    assert b"".join(response.streaming_content)[:5] in (b"%PDF-", b"\x89PNG\r")


def staff_client(client):
    client.force_login(get_user_model().objects.create_user("staff", "staff@example.com", "x", is_staff=True))
    return client


# --- The public application form (anonymous) ----------------------------------------------------------
@pytest.mark.parametrize("claimed", LYING)
def test_the_applicant_form_stores_papers_by_content_in_private_storage_and_staff_read_them_safely(
    client, claimed
):
    response = client.post(
        "/shop/suppliers/apply/",
        {
            "legal_name": "竹溪县龙王垭茶叶专业合作社",
            "short_name": "龙王垭茶",
            "kind": "cooperative",
            "uscc": make_uscc(501, county="zhuxi"),
            "county": "zhuxi",
            "address": "湖北省十堰市竹溪县中峰镇",
            "contact_name": "李春梅",
            "phone": "13971928888",
            "email": "lwy-tea@example.com",
            "households_supported": "86",
            "business_licence": pdf(claimed),
            "other_document": png(claimed),
            "consent": "on",
        },
    )

    assert response.status_code == 302
    supplier = Supplier.objects.get()
    documents = {d.kind: d for d in supplier.documents.all()}
    licence, other = documents["business_licence"], documents["other"]
    assert_stored(licence.file.name, "pdf", storages["private"])
    assert_stored(other.file.name, "png", storages["private"])
    assert not default_storage.exists(licence.file.name)

    staff = staff_client(client)
    for document, content_type in ((licence, "application/pdf"), (other, "image/png")):
        assert_served_safely(
            staff.get(reverse("supplier-review:document", args=[supplier.pk, document.pk])), content_type
        )


def test_application_papers_are_for_staff_only(client):
    supplier = SupplierFactory(status=Supplier.Status.APPLIED, partner=None, slug="")
    document = SupplierDocument.objects.create(supplier=supplier, kind="business_licence", file=pdf("x.html"))
    url = reverse("supplier-review:document", args=[supplier.pk, document.pk])

    assert client.get(url).status_code == 302
    client.force_login(portal_user_for(SupplierFactory()))
    assert client.get(url).status_code == 302
    assert staff_client(client).get(url).status_code == 200


# --- The cooperative portal ---------------------------------------------------------------------------
@pytest.fixture
def coop():
    supplier = SupplierFactory(short_name="房县菌菇")
    return supplier, ProductionBaseFactory(supplier=supplier)


@pytest.fixture
def portal(client, coop):
    client.force_login(portal_user_for(coop[0]))
    return client


@pytest.mark.parametrize("claimed", LYING)
def test_a_logo_with_a_lying_name_is_stored_as_the_picture_it_is(portal, coop, claimed):
    supplier = coop[0]
    data = {
        "short_name": supplier.short_name,
        "contact_name": supplier.contact_name,
        "phone": supplier.phone,
        "email": supplier.email,
        "address": supplier.address,
        "households_supported": "10",
        "logo": png(claimed),
    }

    response = portal.post(reverse("portal:profile"), data)

    assert response.status_code == 302, response.context["form"].errors
    supplier.refresh_from_db()
    assert_stored(supplier.logo.name, "png", default_storage)
    assert supplier.logo.url.endswith(".png") and supplier.logo.url.startswith("/media/suppliers/logos/")


@pytest.mark.parametrize("claimed", LYING)
def test_a_base_photo_with_a_lying_name_is_stored_as_the_picture_it_is(portal, coop, claimed):
    base = coop[1]

    response = portal.post(
        reverse("portal:base-photos", args=[base.pk]), {"image": png(claimed), "caption": ""}
    )

    assert response.status_code == 302
    assert_stored(BasePhoto.objects.get(base=base).image.name, "png", default_storage)


@pytest.mark.parametrize("claimed", LYING)
def test_a_certificate_scan_is_private_and_served_safely_to_owner_public_and_staff(
    client, portal, coop, claimed
):
    supplier = coop[0]
    data = {
        "kind": "green_food",
        "name": "",
        "number": "LB-15-1",
        "issuer": "中国绿色食品发展中心",
        "valid_from": days_ago(30).isoformat(),
        "valid_until": days_ago(-300).isoformat(),
        "scan": pdf(claimed),
    }

    response = portal.post(reverse("portal:certification-create"), data)

    assert response.status_code == 302, response.context["form"].errors
    certification = Certification.objects.get(supplier=supplier)
    assert_stored(certification.scan.name, "pdf", storages["private"])
    assert_served_safely(
        portal.get(reverse("portal:certification-scan", args=[certification.pk])), "application/pdf"
    )
    profile = portal.get(supplier.get_absolute_url()).content.decode()
    public_url = reverse("suppliers:certification-scan", args=[supplier.slug, certification.pk])
    assert public_url in profile and "/media/" not in public_url
    portal.logout()
    assert_served_safely(portal.get(public_url), "application/pdf")
    staff = staff_client(portal)
    assert_served_safely(
        staff.get(reverse("supplier-review:certification-scan", args=[supplier.pk, certification.pk])),
        "application/pdf",
    )


def test_only_scans_the_public_profile_shows_are_public(client):
    approved = SupplierFactory()
    expired = CertificationFactory(
        supplier=approved, valid_from=days_ago(400), valid_until=days_ago(1), scan=pdf("x.pdf")
    )
    valid = CertificationFactory(supplier=approved, scan=pdf("x.pdf"))
    applicant = SupplierFactory(status=Supplier.Status.SUSPENDED)
    suspended = CertificationFactory(supplier=applicant, scan=pdf("x.pdf"))

    def public(certification):
        supplier = certification.supplier
        return client.get(reverse("suppliers:certification-scan", args=[supplier.slug, certification.pk]))

    assert public(valid).status_code == 200
    assert public(expired).status_code == 404
    assert public(suspended).status_code == 404
    # Another supplier's slug with this certificate's number is not a way in either.
    other = SupplierFactory()
    assert client.get(reverse("suppliers:certification-scan", args=[other.slug, valid.pk])).status_code == 404


def test_another_suppliers_scan_is_not_found_in_the_portal(portal):
    theirs = CertificationFactory(supplier=SupplierFactory(), scan=pdf("x.pdf"))

    assert portal.get(reverse("portal:certification-scan", args=[theirs.pk])).status_code == 404


# --- Inspection reports (portal upload, portal and trace page downloads) ------------------------------
def _inspection_form(claimed):
    return {
        "laboratory": "十堰市农产品质量安全检测中心",
        "report_number": f"SY-{claimed}",
        "sampling_date": days_ago(4).isoformat(),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "items-0-analyte": "铅",
        "items-0-result": "0.15",
        "items-0-limit": "1.0",
        "items-0-unit": "mg/kg",
        "report_file": pdf(claimed),
    }


@pytest.mark.parametrize("claimed", LYING)
def test_an_inspection_report_is_private_and_served_safely_from_the_portal_and_the_trace_page(
    client, claimed
):
    shop = seller(product_class_slug="tea")
    client.force_login(shop.user())
    batch = draft(shop)

    response = client.post(
        reverse("trace_portal:inspection-create", args=[batch.pk]), _inspection_form(claimed)
    )

    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert_stored(inspection.report_file.name, "pdf", storages["private"])
    assert_served_safely(
        client.get(reverse("trace_portal:inspection-report", args=[batch.pk, inspection.pk])),
        "application/pdf",
    )
    # Before publishing there is no trace page, so no public report either.
    client.logout()
    assert client.get(f"/t/anything1/reports/{inspection.pk}/").status_code == 404

    from traceability import services

    batch = services.batch_publish(batch=batch)
    page = client.get(batch.get_absolute_url()).content.decode()
    url = reverse("traceability:report", args=[batch.trace_code, inspection.pk])
    assert url in page
    assert_served_safely(client.get(url), "application/pdf")


def test_the_trace_page_serves_only_its_own_batchs_reports(client):
    shop = seller(product_class_slug="tea")
    mine = published(shop)
    other = published(shop)
    from traceability import services

    report = services.inspection_record(
        batch=other,
        laboratory="湖北省农产品质量检测中心",
        report_number="OTHER-1",
        sampling_date=days_ago(2),
        items=[services.ItemSpec("铅", Decimal("0.1"), Decimal("1.0"))],
        report_file=pdf("x.pdf"),
    )

    assert client.get(reverse("traceability:report", args=[other.trace_code, report.pk])).status_code == 200
    assert client.get(reverse("traceability:report", args=[mine.trace_code, report.pk])).status_code == 404


def test_another_suppliers_report_is_not_found_in_the_portal(client):
    mine, theirs = seller(product_class_slug="tea"), seller(product_class_slug="tea")
    their_batch = draft(theirs)
    from traceability import services

    report = services.inspection_record(
        batch=their_batch,
        laboratory="湖北省农产品质量检测中心",
        report_number="THEIRS-1",
        sampling_date=days_ago(2),
        items=[services.ItemSpec("铅", Decimal("0.1"), Decimal("1.0"))],
        report_file=pdf("x.pdf"),
    )
    client.force_login(mine.user())

    response = client.get(reverse("trace_portal:inspection-report", args=[their_batch.pk, report.pk]))

    assert response.status_code == 404


# --- Oscar's dashboard: product images -----------------------------------------------------------------
@pytest.mark.parametrize("claimed", [*LYING, "x.png"])
def test_a_product_image_from_the_dashboard_is_refused_or_stored_as_the_picture_it_is(client, claimed):
    from catalogue.services import catalogue_structure_ensure
    from tests.dashboard.conftest import rendered_form
    from tests.factories.catalogue import ShiyanProductFactory

    structure = catalogue_structure_ensure()
    product = ShiyanProductFactory(product_class=structure.product_classes["dried-fungi"])
    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
    client.force_login(staff)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    data = rendered_form(client.get(url), "create_update_product_form")
    data.update({"images-0-original": png(claimed), "images-0-caption": "", "images-0-display_order": "0"})
    category = get_model("catalogue", "Category").objects.get(code="shiitake")
    data.update(
        {"attr_net_content": "250克", "productcategory_set-0-category": category.pk, "action": "save"}
    )

    response = client.post(url, data)

    images = list(ProductImage.objects.filter(product=product))
    if claimed == "x.png":
        assert response.status_code == 302 and len(images) == 1
    else:
        assert response.status_code == 200 and images == []  # Django's image field checks the extension
    for image in images:
        assert_stored(image.original.name, "png", default_storage)


# --- Wagtail: images and documents ---------------------------------------------------------------------
@pytest.fixture
def cms_admin(client):
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    client.force_login(get_user_model().objects.create_superuser("cms", "cms@example.com", "x"))
    return client


@pytest.mark.parametrize("claimed", [*LYING, "x.png"])
def test_a_wagtail_image_is_refused_or_stored_as_the_picture_it_is(cms_admin, claimed):
    response = cms_admin.post(
        "/cms-admin/images/add/", {"title": "香菇", "file": png(claimed), "collection": ""}
    )

    images = list(get_image_model().objects.all())
    if claimed == "x.png":
        assert response.status_code == 302 and len(images) == 1
    else:
        assert response.status_code == 200 and images == []  # Wagtail checks the extension too
    for image in images:
        assert_stored(image.file.name, "png", default_storage)
        assert image.file.name.startswith("original_images/")


@pytest.mark.parametrize(
    ("claimed", "content", "stored", "served_as"),
    [
        ("x.pdf", pdf_bytes(), "pdf", "application/pdf"),
        ("x.txt", b"<html><script>alert(document.cookie)</script>", "txt", "text/plain"),
        ("x.csv", b'<svg onload="alert(1)"/>,1\n', "csv", "text/csv"),
        ("x.docx", pdf_bytes(), "pdf", "application/pdf"),
    ],
)
def test_a_wagtail_document_is_stored_by_content_and_served_as_a_sandboxed_download(
    cms_admin, claimed, content, stored, served_as
):
    upload = SimpleUploadedFile(claimed, content, content_type="text/html")

    response = cms_admin.post(
        "/cms-admin/documents/add/", {"title": "招商手册", "file": upload, "collection": ""}
    )

    assert response.status_code == 302
    document = get_document_model().objects.get()
    assert document.file.name.startswith("documents/") and document.file.name.endswith(f".{stored}")
    assert RANDOM_NAME.search(f"/{Path(document.file.name).stem}.pdf")
    served = cms_admin.get(document.url)
    assert served.status_code == 200
    assert served["Content-Type"] == served_as
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"].startswith("sandbox")
    inline = served_as == "application/pdf"
    assert served["Content-Disposition"].startswith("inline;" if inline else "attachment;")
    assert "招商手册" in served["Content-Disposition"].replace(
        "%E6%8B%9B%E5%95%86%E6%89%8B%E5%86%8C", "招商手册"
    )


@pytest.mark.parametrize("claimed", LYING)
def test_a_wagtail_document_with_a_page_like_name_is_refused(cms_admin, claimed):
    response = cms_admin.post(
        "/cms-admin/documents/add/", {"title": "x", "file": pdf(claimed), "collection": ""}
    )

    assert response.status_code == 200
    assert not get_document_model().objects.exists()
