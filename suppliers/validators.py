"""Validators for suppliers' identifiers, places and uploaded files.

Each raises a ``ValidationError`` whose message says what is wrong, in the user's language.
"""

from __future__ import annotations

import re
import warnings

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.validators import normalise_cn_mobile, validate_cn_mobile
from suppliers import geo

# --- Unified social credit code (统一社会信用代码), GB 32100-2015 --------------------------------------
# 31 characters: digits and capital letters without I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{2}}\d{{6}}[{USCC_ALPHABET}]{{10}}$")


def normalise_uscc(value: str) -> str:
    return re.sub(r"[\s\-]", "", str(value or "")).upper()


def uscc_check_character(body: str) -> str:
    """The 18th character of a USCC whose first 17 characters are ``body`` (GB 32100-2015, 4.3)."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """18 characters: registering authority and kind, a 6-digit division code, organisation code, check."""
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)s."),
            code="uscc_length",
            params={"count": len(code)},
        )
    if not _USCC_RE.match(code):
        raise ValidationError(
            _(
                "A unified social credit code uses digits and capital letters except I, O, Z, S and V, "
                "and characters 3–8 are the digits of a division code."
            ),
            code="uscc_format",
        )
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The check character of “%(value)s” is wrong (expected %(expected)s): "
                "please check for a typo."
            ),
            code="uscc_check",
            params={"value": code, "expected": expected},
        )


# --- Food production licence (食品生产许可证编号) ---------------------------------------------------
_SC_RE = re.compile(r"^SC\d{14}$")


def normalise_sc_licence(value: str) -> str:
    return re.sub(r"\s", "", str(value or "")).upper()


def validate_sc_licence(value: str) -> None:
    """``SC`` followed by 14 digits (category, division code, sequence and check digit)."""
    if not _SC_RE.match(normalise_sc_licence(value)):
        raise ValidationError(
            _("A food production licence number is “SC” followed by 14 digits, e.g. SC12742032500012."),
            code="sc_licence",
        )


# --- Phone numbers ------------------------------------------------------------------------------
_LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")


def normalise_cn_phone(value: str) -> str:
    return normalise_cn_mobile(value)


def validate_cn_phone(value: str) -> None:
    """A mainland mobile number, or a landline with its area code (e.g. 0719-8123456 in Shiyan)."""
    digits = normalise_cn_phone(value)
    if digits.startswith("0"):
        if _LANDLINE_RE.match(digits):
            number = phonenumbers.parse(digits, "CN")
            if phonenumbers.is_valid_number(number):
                return
        raise ValidationError(
            _("Enter a landline with its area code (e.g. 0719-8123456) or an 11-digit mobile number."),
            code="cn_phone",
        )
    validate_cn_mobile(digits)


# --- Places ---------------------------------------------------------------------------------------
def validate_in_shiyan(latitude, longitude) -> None:
    """The point must lie inside Shiyan's territory (see suppliers.geo for the outline used)."""
    if latitude is None or longitude is None:
        return
    lat, lon = float(latitude), float(longitude)
    if geo.in_shiyan(lat, lon):
        return
    if geo.in_shiyan(lon, lat):
        raise ValidationError(
            _(
                "Latitude and longitude seem swapped: in Shiyan the latitude is about 32 "
                "and the longitude about 110."
            ),
            code="swapped_coordinates",
        )
    raise ValidationError(
        _(
            "%(lat)s, %(lon)s is outside Shiyan. Production bases must be in Shiyan "
            "(latitude 31.5–33.3 N, longitude 109.4–111.6 E)."
        ),
        code="outside_shiyan",
        params={"lat": latitude, "lon": longitude},
    )


# --- Uploads --------------------------------------------------------------------------------------
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}


def _check_size(upload) -> None:
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is 10 MB."),
            code="file_too_large",
            params={"size": f"{upload.size / 1024 / 1024:.1f}"},
        )


def _already_stored(upload) -> bool:
    """A file already in storage was checked when it was uploaded; it is not read again."""
    return bool(getattr(upload, "_committed", False))


def _rewind(upload) -> None:
    if hasattr(upload, "seek"):
        upload.seek(0)


def validate_image_upload(upload) -> None:
    """A JPEG, PNG or WebP image of at most 10 MB and ``PILLOW_MAX_IMAGE_PIXELS`` pixels.

    The pixel count is read from the header before anything is decoded, so a decompression bomb (a
    small file that expands to gigabytes) is refused without being expanded.
    """
    if not upload or _already_stored(upload):
        return
    _check_size(upload)
    max_pixels = settings.PILLOW_MAX_IMAGE_PIXELS
    _rewind(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise Image.DecompressionBombError
                image_format = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image is too large in pixels (at most %(mp)s megapixels): please upload a smaller one."),
            code="image_bomb",
            params={"mp": max_pixels // 1_000_000},
        )
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The file is not an image we can read: upload a JPEG, PNG or WebP photo."),
            code="not_an_image",
        )
    finally:
        _rewind(upload)
    if image_format not in IMAGE_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted: upload a JPEG, PNG or WebP photo."),
            code="image_format",
            params={"format": image_format},
        )


def is_pdf(upload) -> bool:
    """Does the content start like a PDF? The name and the browser's content type are ignored."""
    _rewind(upload)
    head = upload.read(5)
    _rewind(upload)
    return head == b"%PDF-"


def validate_pdf_upload(upload) -> None:
    """A PDF by its content (``%PDF-`` header) that parses, has pages and is not password-protected."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not upload or _already_stored(upload):
        return
    _check_size(upload)
    if not is_pdf(upload):
        raise ValidationError(_("The file is not a PDF."), code="not_a_pdf")
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(
                _("The PDF is password-protected: upload an unprotected copy so staff can read it."),
                code="pdf_encrypted",
            )
        if len(reader.pages) < 1:
            raise ValueError("no pages")
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise ValidationError(
            _("The PDF is damaged or incomplete and cannot be opened."),
            code="pdf_damaged",
        )
    finally:
        _rewind(upload)


def validate_document_upload(upload) -> None:
    """A scanned document: a PDF or an image, told apart by content, each checked as above."""
    if not upload or _already_stored(upload):
        return
    _check_size(upload)
    if is_pdf(upload):
        validate_pdf_upload(upload)
        return
    try:
        validate_image_upload(upload)
    except ValidationError as error:
        if error.code == "not_an_image":
            raise ValidationError(
                _("The file is neither a PDF nor an image: upload a PDF, JPEG, PNG or WebP scan."),
                code="not_a_document",
            )
        raise
