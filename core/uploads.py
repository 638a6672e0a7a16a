"""Uploaded files: what they are (read from their bytes), what they are called when stored, how they
are served.

One rule for every upload point (suppliers, traceability, Oscar's dashboard, Wagtail, the Django
admin): a stored file is named ``<folder>/<random>.<extension>``, where the extension comes from the
file's content, never from the name the uploader gave it. A PNG sent as ``x.html`` is stored as
``….png``; bytes we do not recognise are stored as ``….bin``. The rule lives in the storage
(``UploadStorage``, the ``default`` storage, and ``PrivateUploadStorage``, the ``private`` one), so
it holds for any field that stores through them, including fields of apps we do not own;
``tests/security/test_uploads.py`` walks every ``FileField`` of every installed model to keep it so.

Private papers (application documents, certificate scans, inspection reports) are stored under
``PRIVATE_MEDIA_ROOT``, outside ``MEDIA_ROOT``, so no web server serves them as files: they go out
only through views that check who asks, and every such view answers with ``file_response``:
``Content-Disposition: attachment`` (inline only for PDF and raster images), ``nosniff`` and
``Content-Security-Policy: sandbox``.
"""

from __future__ import annotations

import codecs
import posixpath
import uuid
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404
from django.utils.functional import cached_property
from django.utils.text import slugify

#: How many bytes are read to tell a file's kind (text is judged on this much too).
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    """A kind of file we recognise by content: the extension it is stored under and how it is served."""

    extension: str
    content_type: str
    #: Safe to show in the browser (PDF, raster images); everything else is a download.
    inline: bool = False
    #: A raster image that the web server may serve straight from ``/media/``.
    image: bool = False


PDF = Kind("pdf", "application/pdf", inline=True)
JPEG = Kind("jpg", "image/jpeg", inline=True, image=True)
PNG = Kind("png", "image/png", inline=True, image=True)
GIF = Kind("gif", "image/gif", inline=True, image=True)
WEBP = Kind("webp", "image/webp", inline=True, image=True)
AVIF = Kind("avif", "image/avif", inline=True, image=True)
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TEXT = Kind("txt", "text/plain")
CSV = Kind("csv", "text/csv")
BINARY = Kind("bin", "application/octet-stream")

KINDS = (PDF, JPEG, PNG, GIF, WEBP, AVIF, DOCX, XLSX, TEXT, CSV, BINARY)
KINDS_BY_EXTENSION = {kind.extension: kind for kind in KINDS} | {"jpeg": JPEG}
#: The extensions nginx serves from /media/ (deploy/nginx.conf); everything else there is 404.
PUBLIC_IMAGE_EXTENSIONS = tuple(kind.extension for kind in KINDS if kind.image) + ("jpeg",)

# Control characters that never occur in a text file (tab, line feed, form feed, carriage return
# and escape do).
_BINARY_BYTES = bytes(set(range(32)) - {9, 10, 12, 13, 27})


def _read_head(file, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a file object, leaving its position where it was."""
    position = file.tell() if hasattr(file, "tell") else None
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        head = file.read(size)
    finally:
        if position is not None:
            file.seek(position)
    return head if isinstance(head, bytes) else str(head).encode("utf-8")


def _office_kind(file) -> Kind:
    """A ZIP is a Word or Excel file when it holds their parts, else just bytes."""
    position = file.tell()
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return BINARY
    finally:
        file.seek(position)
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return BINARY


def _is_text(head: bytes) -> bool:
    if not head or any(byte in _BINARY_BYTES for byte in head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # Incremental: the head may end in the middle of a multi-byte character.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect(file, *, claimed_name: str = "") -> Kind:
    """The kind of ``file`` from its bytes; ``claimed_name`` only tells a CSV from other text.

    A text file is text whatever it holds (HTML, SVG, script): it is stored as ``.txt`` (or ``.csv``
    when sent as one) and always served as a download, so it never runs as a page.
    """
    head = _read_head(file)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return AVIF
    if head.startswith(b"PK\x03\x04") and hasattr(file, "seek"):
        return _office_kind(file)
    if _is_text(head):
        return CSV if claimed_name.lower().endswith(".csv") else TEXT
    return BINARY


def kind_of_name(name: str) -> Kind:
    """The kind a stored name says (its extension was set from the content when it was stored)."""
    return KINDS_BY_EXTENSION.get(posixpath.splitext(name)[1].lower().lstrip("."), BINARY)


def stored_name(name: str, content, *, keep_stem: bool = False) -> str:
    """Where ``content`` offered as ``name`` is stored: ``name``'s folder, a random stem and the
    extension of the detected kind (``keep_stem`` keeps the stem, for names our own code makes)."""
    folder, base = posixpath.split(str(name).replace("\\", "/"))
    kind = detect(content, claimed_name=base)
    stem = base.split(".", 1)[0] if keep_stem else ""
    stem = slugify(stem)[:60] or uuid.uuid4().hex
    return posixpath.join(folder, f"{stem}.{kind.extension}")


def follows_rule(name: str, storage) -> bool:
    """Does the stored file ``name`` carry the extension of its content?"""
    with storage.open(name, "rb") as handle:
        return kind_of_name(name) == detect(handle, claimed_name=name)


def restore(name: str, *, source, target) -> str:
    """Store the file ``name`` of ``source`` again, in ``target``, under the rule (same folder, random
    stem, extension from content), and delete the old one. Returns the name to record: ``name`` itself
    when it already follows the rule in ``target`` or when the file is missing from both.

    For data migrations that bring files stored before the rule (or before private storage) in line.
    """
    if not name:
        return name
    if target.exists(name) and (source is target or not source.exists(name)):
        if follows_rule(name, target):
            return name
        source = target
    if not source.exists(name):
        return name
    with source.open(name, "rb") as handle:
        new_name = target.save(name, File(handle, name=posixpath.basename(name)))
    source.delete(name)
    return new_name


def restore_field(model, field_name: str, *, source=None) -> int:
    """``restore`` every file of one field (into the field's own storage); returns how many moved."""
    field = model._meta.get_field(field_name)
    target = field.storage
    moved = 0
    rows = model._base_manager.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    for pk, name in rows.values_list("pk", field_name).iterator():
        new_name = restore(name, source=source or target, target=target)
        if new_name != name:
            model._base_manager.filter(pk=pk).update(**{field_name: new_name})
            moved += 1
    return moved


class GeneratedFile(ContentFile):
    """A file our own code makes under a name of its choosing (e.g. a thumbnail whose name is a pure
    function of its source): the storage keeps the stem, but still takes the extension from content."""


class UploadStorage(FileSystemStorage):
    """The storage of every uploaded file: random name, extension from content (see the module)."""

    def save(self, name, content, max_length=None):
        if name is None:
            name = content.name
        name = stored_name(name, content, keep_stem=isinstance(content, GeneratedFile))
        return super().save(name, content, max_length=max_length)


class PrivateUploadStorage(UploadStorage):
    """Papers nobody may fetch as plain files: stored under ``PRIVATE_MEDIA_ROOT``.

    ``url()`` points at a staff-only view (the Django admin links files through it); pages for
    suppliers and the public link to views that check who may see which document.
    """

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        from django.urls import reverse

        return reverse("private-file", kwargs={"name": name})

    def _clear_cached_properties(self, setting, **kwargs):
        # FileSystemStorage calls this on every setting change (tests move the folder per test).
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage():
    """The ``private`` storage (a callable, so a field's migration names this function, not a path)."""
    return storages["private"]


def file_response(
    field_file,
    *,
    download_name: str = "",
    public: bool = False,
) -> FileResponse:
    """Serve a stored file so that it can never run as a page on our origin.

    The content type comes from the bytes; PDF and raster images are shown inline, anything else is
    a download. ``nosniff`` stops the browser guessing another type, and ``Content-Security-Policy:
    sandbox`` makes even an inline document a sandboxed, script-less, origin-less page.
    ``download_name`` (without extension) names the file for the user; the extension is the kind's.
    """
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise Http404 from None
    kind = detect(handle, claimed_name=field_file.name)
    name = f"{slugify(download_name, allow_unicode=True) or 'document'}.{kind.extension}"
    ascii_name = f"{slugify(download_name) or 'document'}.{kind.extension}"  # for old browsers
    response = FileResponse(handle, content_type=kind.content_type)
    disposition = "inline" if kind.inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
