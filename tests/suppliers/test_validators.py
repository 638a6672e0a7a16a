import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suppliers import geo
from suppliers.validators import (
    uscc_check_character,
    validate_cn_phone,
    validate_document_upload,
    validate_image_upload,
    validate_in_shiyan,
    validate_pdf_upload,
    validate_sc_licence,
    validate_uscc,
)
from tests.factories.suppliers import image_upload, make_uscc, pdf_bytes


def _code(call, value):
    with pytest.raises(ValidationError) as excinfo:
        call(value)
    return excinfo.value.code


# --- USCC -----------------------------------------------------------------------------------------
def test_the_example_code_of_gb_32100_passes_the_check_character():
    validate_uscc("91350100M000100Y43")
    assert uscc_check_character("91350100M000100Y4") == "3"


def test_generated_cooperative_uscc_is_valid_and_lower_case_is_accepted():
    code = make_uscc(42)

    validate_uscc(code)
    validate_uscc(code.lower())


def test_uscc_with_a_wrong_check_character_names_the_expected_one():
    code = make_uscc(7)
    wrong = code[:17] + ("0" if code[17] != "0" else "1")

    with pytest.raises(ValidationError) as excinfo:
        validate_uscc(wrong)

    assert excinfo.value.code == "uscc_check"
    assert code[17] in str(excinfo.value.messages[0])


def test_uscc_of_the_wrong_length_or_with_forbidden_letters_is_refused():
    assert _code(validate_uscc, "9342032500001") == "uscc_length"
    assert _code(validate_uscc, "93420325MA000000I0") == "uscc_format"  # I is not in the alphabet
    assert _code(validate_uscc, "93ABCDEFMA00000010") == "uscc_format"  # division code must be digits


# --- SC licence and phones ------------------------------------------------------------------------
def test_sc_licence_is_sc_and_14_digits():
    validate_sc_licence("SC12742032500012")
    validate_sc_licence("sc 1274 2032 5000 12")
    assert _code(validate_sc_licence, "SC1274203250001") == "sc_licence"
    assert _code(validate_sc_licence, "QS12742032500012") == "sc_licence"


def test_mobile_and_shiyan_landline_are_accepted():
    validate_cn_phone("139 7191 2345")
    validate_cn_phone("+86 13971912345")
    validate_cn_phone("0719-8123456")


def test_bad_phone_numbers_say_what_is_expected():
    assert _code(validate_cn_phone, "12345") == "cn_mobile"
    assert _code(validate_cn_phone, "0719-12") == "cn_phone"


# --- Coordinates ------------------------------------------------------------------------------------
def test_county_seats_fall_inside_their_own_county_outline():
    seats = {
        "fangxian": (32.06, 110.73),
        "zhuxi": (32.32, 109.71),
        "zhushan": (32.22, 110.23),
        "yunxi": (33.00, 110.42),
        "yunyang": (32.83, 110.81),
        "danjiangkou": (32.54, 111.51),
        "zhangwan": (32.65, 110.77),
        "maojian": (32.59, 110.81),
    }
    for county, (lat, lon) in seats.items():
        assert geo.county_at(lat, lon) == county


def test_coordinates_in_shiyan_pass_and_beijing_or_xiangyang_do_not():
    validate_in_shiyan(32.06, 110.73)
    assert _code(lambda v: validate_in_shiyan(*v), (39.90, 116.40)) == "outside_shiyan"
    assert _code(lambda v: validate_in_shiyan(*v), (32.01, 112.12)) == "outside_shiyan"


def test_swapped_latitude_and_longitude_are_recognised():
    assert _code(lambda v: validate_in_shiyan(*v), (110.73, 32.06)) == "swapped_coordinates"


# --- Uploads ------------------------------------------------------------------------------------------
def test_a_real_jpeg_passes_the_image_check():
    validate_image_upload(image_upload())


def test_a_text_file_named_like_a_photo_is_not_an_image():
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture", content_type="image/jpeg")

    assert _code(validate_image_upload, fake) == "not_an_image"


def test_an_image_over_10_mb_is_refused_before_decoding(settings):
    big = SimpleUploadedFile(
        "big.jpg", b"\xff\xd8" + b"0" * (10 * 1024 * 1024 + 1), content_type="image/jpeg"
    )

    assert _code(validate_image_upload, big) == "file_too_large"


def test_a_decompression_bomb_is_refused_from_its_header(settings):
    # A 1-bit PNG of 20 000 × 20 000 pixels is a few kilobytes on disk and 400 megapixels decoded.
    settings.PILLOW_MAX_IMAGE_PIXELS = 40_000_000
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")
    assert buffer.tell() < 1024 * 1024
    bomb = SimpleUploadedFile("bomb.png", buffer.getvalue(), content_type="image/png")

    assert _code(validate_image_upload, bomb) == "image_bomb"


def test_a_gif_is_refused_with_the_accepted_formats():
    assert _code(validate_image_upload, image_upload("a.gif", fmt="GIF")) == "image_format"


def test_a_pdf_is_recognised_by_content_whatever_its_name():
    disguised = SimpleUploadedFile("scan.jpg", pdf_bytes(), content_type="image/jpeg")

    validate_pdf_upload(disguised)
    validate_document_upload(disguised)


def test_a_file_named_pdf_that_is_not_one_is_refused():
    fake = SimpleUploadedFile("licence.pdf", b"Hello, I am text", content_type="application/pdf")

    assert _code(validate_pdf_upload, fake) == "not_a_pdf"
    assert _code(validate_document_upload, fake) == "not_a_document"


def test_a_truncated_pdf_with_a_valid_header_is_refused():
    broken = SimpleUploadedFile(
        "licence.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", content_type="application/pdf"
    )

    assert _code(validate_pdf_upload, broken) == "pdf_damaged"


def test_an_image_is_an_acceptable_scanned_document():
    validate_document_upload(image_upload("licence.png", fmt="PNG"))
