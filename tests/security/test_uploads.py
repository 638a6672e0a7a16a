"""The upload rule (core/uploads.py): every stored file gets a random name whose extension comes from
its content, whatever name the uploader gave; private papers live outside MEDIA_ROOT; files are
served so that they can never run as a page on our origin.

The walker tests go through every FileField and ImageField of every installed model, so a field added
later (ours, Oscar's, Wagtail's) that stores outside the rule fails here.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import models

from core import uploads
from tests.factories.suppliers import image_upload, pdf_bytes

#: The fields whose files are private: stored under PRIVATE_MEDIA_ROOT, served by views only (papers)
#: or never (batch sheets waiting for a worker).
PRIVATE_FIELDS = {
    "suppliers.SupplierDocument.file",
    "suppliers.Certification.scan",
    "traceability.Inspection.report_file",
    "traceability.BatchImport.file",
    # Statements of account (issue 13, part 5): served only to the organisation and its managers.
    "channels.Statement.pdf",
    "channels.Statement.xlsx",
    # Delivery notes, receiving packets, purchase ledgers (issue 13, part 7): the organisation's only.
    "channels.GeneratedDocument.file",
}
LYING_NAMES = ["x.html", "x.shtml", "x.svg", "x.pdf.html", "x.htm", "x.js", "x", "x.php.png"]
pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^[\w/-]*[0-9a-f]{32}\.(pdf|jpg|png|gif|webp|avif|docx|xlsx|txt|csv|bin)$")


def png_bytes() -> bytes:
    return image_upload("x.png", fmt="PNG").read()


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field


def _label(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def test_the_walker_finds_the_upload_points_of_every_room():
    labels = {_label(model, field) for model, field in _file_fields()}

    # Ours, Oscar's catalogue and Wagtail's images, documents and avatars at least.
    assert labels >= PRIVATE_FIELDS | {
        "suppliers.Supplier.logo",
        "suppliers.BasePhoto.image",
        "catalogue.ProductImage.original",
        "catalogue.Category.image",
        "wagtailimages.Image.file",
        "wagtaildocs.Document.file",
        "wagtailusers.UserProfile.avatar",
    }


def test_every_file_field_of_every_installed_model_stores_through_the_upload_rule():
    outside = [
        _label(model, field)
        for model, field in _file_fields()
        if not isinstance(field.storage, uploads.UploadStorage)
    ]

    assert outside == [], "these fields store files without core.uploads' naming rule"


def test_exactly_the_private_papers_are_in_the_private_storage():
    private = {
        _label(model, field)
        for model, field in _file_fields()
        if isinstance(field.storage, uploads.PrivateUploadStorage)
    }

    assert private == PRIVATE_FIELDS


@pytest.fixture
def root_collection():
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


@pytest.mark.parametrize("claimed", LYING_NAMES)
def test_a_file_with_a_lying_name_is_stored_under_its_contents_extension_in_every_field(
    claimed, root_collection
):
    for model, field in _file_fields():
        content, extension = (png_bytes(), "png")
        instance = model()
        name = field.generate_filename(instance, claimed)

        stored = field.storage.save(name, ContentFile(content, name=claimed))

        label = _label(model, field)
        assert stored.endswith(f".{extension}"), (label, stored)
        assert STORED_NAME.match(stored), (label, stored)
        assert ".." not in stored and "html" not in stored and "svg" not in stored, (label, stored)
        with field.storage.open(stored, "rb") as handle:
            assert handle.read() == content
        field.storage.delete(stored)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n...", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n....", uploads.PNG),
        (b"\xff\xd8\xff\xe0..JFIF", uploads.JPEG),
        (b"GIF89a....", uploads.GIF),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", uploads.WEBP),
        (b"\x00\x00\x00\x1cftypavif\x00", uploads.AVIF),
        (b"<html><script>alert(document.cookie)</script></html>", uploads.TEXT),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', uploads.TEXT),
        ("品名,数量\n房县香菇,10\n".encode("gb18030"), uploads.TEXT),
        (b"\x00\x01\x02\x03binary\xff\xfe", uploads.BINARY),
        (b"", uploads.BINARY),
    ],
)
def test_the_kind_of_a_file_is_read_from_its_bytes_never_its_name(content, kind):
    assert uploads.detect(ContentFile(content), claimed_name="x.png") == kind
    assert uploads.detect(ContentFile(content), claimed_name="x.html") == kind


def _zip(names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


def test_word_and_excel_files_are_told_apart_from_other_zips_by_their_parts():
    docx = _zip(["[Content_Types].xml", "word/document.xml"])
    xlsx = _zip(["[Content_Types].xml", "xl/workbook.xml"])
    other = _zip(["index.html"])

    assert uploads.detect(ContentFile(docx), claimed_name="x.html") == uploads.DOCX
    assert uploads.detect(ContentFile(xlsx), claimed_name="x.pdf") == uploads.XLSX
    assert uploads.detect(ContentFile(other), claimed_name="x.docx") == uploads.BINARY


def test_only_text_sent_as_csv_keeps_csv_and_it_is_still_only_text():
    text = ContentFile(b"a,b\n1,2\n")

    assert uploads.detect(text, claimed_name="data.csv") == uploads.CSV
    assert uploads.detect(text, claimed_name="data.html") == uploads.TEXT
    assert not uploads.CSV.inline and not uploads.TEXT.inline


def test_only_pdf_and_raster_images_are_shown_inline_and_only_images_are_public_in_media():
    inline = {kind.extension for kind in uploads.KINDS if kind.inline}

    assert inline == {"pdf", "jpg", "png", "gif", "webp", "avif"}
    assert set(uploads.PUBLIC_IMAGE_EXTENSIONS) == {"jpg", "jpeg", "png", "gif", "webp", "avif"}


def test_a_file_our_code_makes_keeps_its_name_but_not_a_lying_extension():
    kept = default_storage.save(
        "renditions/ab/cd/400x400-cu-q80-123abc.webp", uploads.GeneratedFile(b"RIFF\x00\x00\x00\x00WEBPVP8 ")
    )
    lying = default_storage.save("renditions/ab/cd/page.html", uploads.GeneratedFile(png_bytes()))

    assert kept == "renditions/ab/cd/400x400-cu-q80-123abc.webp"
    assert lying == "renditions/ab/cd/page.png"


def test_a_name_that_climbs_out_of_its_folder_is_refused_by_every_storage():
    from django.core.exceptions import SuspiciousFileOperation

    for storage in (default_storage, storages["private"]):
        with pytest.raises(SuspiciousFileOperation):
            storage.save("suppliers/../../../etc/x.html", ContentFile(png_bytes()))


def test_private_papers_are_stored_outside_the_public_media_folder(settings):
    name = storages["private"].save("suppliers/documents/x.html", ContentFile(pdf_bytes()))

    assert (Path(settings.PRIVATE_MEDIA_ROOT) / name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert not Path(settings.PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    # Its URL is the staff-only view, never /media/.
    assert storages["private"].url(name) == f"/shop/dashboard/files/{name}"


def _served(content: bytes, claimed: str, **kwargs):
    name = storages["private"].save(f"x/{Path(claimed).name}", ContentFile(content))

    class Stored:
        storage = storages["private"]

    stored = Stored()
    stored.name = name
    response = uploads.file_response(stored, **kwargs)
    return response, b"".join(response.streaming_content)


@pytest.mark.parametrize("claimed", LYING_NAMES)
def test_a_served_pdf_is_a_sandboxed_inline_pdf_whatever_it_was_called(claimed):
    response, body = _served(pdf_bytes(), claimed, download_name="检测报告 SY-1")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="sy-1.pdf"' in response["Content-Disposition"]
    assert "filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A-sy-1.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "private, no-store"
    assert body.startswith(b"%PDF-")


def test_a_served_page_or_script_is_a_plain_text_download_never_html():
    response, body = _served(b"<html><script>alert(1)</script></html>", "x.html")

    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_missing_file_is_404_not_an_error():
    from django.http import Http404

    class Missing:
        storage = storages["private"]
        name = "suppliers/documents/gone.pdf"

    with pytest.raises(Http404):
        uploads.file_response(Missing())


def test_the_staff_file_view_serves_private_files_to_staff_only(client):
    from oscar.test.factories import UserFactory

    name = storages["private"].save("suppliers/documents/x.html", ContentFile(pdf_bytes()))
    url = storages["private"].url(name)

    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(is_staff=True))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert client.get("/shop/dashboard/files/../../etc/passwd").status_code == 404
    assert client.get("/shop/dashboard/files/suppliers/documents/none.pdf").status_code == 404


def test_restore_brings_an_old_file_in_line_and_into_the_private_storage(settings):
    # A file stored before the rule: a PDF under the uploader's ".html" name, in the public folder.
    old = "suppliers/documents/0123.html"
    path = Path(settings.MEDIA_ROOT) / old
    path.parent.mkdir(parents=True)
    path.write_bytes(pdf_bytes())

    new = uploads.restore(old, source=default_storage, target=storages["private"])

    assert STORED_NAME.match(new) and new.startswith("suppliers/documents/") and new.endswith(".pdf")
    assert not path.exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / new).is_file()
    # A second run finds it in line and leaves it alone.
    assert uploads.restore(new, source=default_storage, target=storages["private"]) == new
