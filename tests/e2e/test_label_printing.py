"""Label sheets print as they say: 10 labels of 99.1 × 57 mm on each A4 page, nothing spilling over.

Chromium prints the sheet to PDF (as "Save as PDF" does at actual size); the pages are counted in
the PDF and each label's printed box is measured in millimetres under print media.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from tests.factories.traceability import certificate, draft, seller
from traceability import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

MM = 96 / 25.4  # CSS pixels per millimetre


@pytest.fixture
def signed_in_page(browser, live_server):
    """A desktop page in Chinese, signed in as the dried-mushroom cooperative's portal user."""
    mushrooms = seller(product_class_slug="dried-fungi", title="房县花菇 特级 250克")
    batch = draft(mushrooms, lot_code="FX-PRINT-1")
    certificate(batch)
    batch = services.batch_publish(batch=batch)
    client = Client()
    client.force_login(mushrooms.user())
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    yield page, batch
    context.close()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_a_label_sheet_prints_ten_labels_to_each_a4_page(signed_in_page):
    page, batch = signed_in_page
    printed = {}
    for count in (1, 10, 11, 20, 25):
        page.goto(f"/shop/portal/batches/{batch.pk}/labels/?count={count}")
        assert page.locator(".lb-label").count() == count
        pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
        printed[count] = pdf_pages(pdf)

    assert printed == {1: 1, 10: 1, 11: 2, 20: 2, 25: 3}


def test_each_printed_label_is_99_by_57_mm_in_two_columns_of_five(signed_in_page):
    page, batch = signed_in_page
    page.goto(f"/shop/portal/batches/{batch.pk}/labels/?count=10")
    page.emulate_media(media="print")

    boxes = [label.bounding_box() for label in page.locator(".lb-label").all()]

    assert {round(box["width"] / MM, 1) for box in boxes} == {99.1}
    assert {round(box["height"] / MM, 1) for box in boxes} == {57.0}
    lefts = sorted({round(box["x"] / MM, 1) for box in boxes})
    tops = sorted({round(box["y"] / MM, 1) for box in boxes})
    assert lefts == [4.6, 106.2] or lefts == [4.7, 106.2], lefts
    assert len(tops) == 5 and tops[0] == pytest.approx(6.0, abs=0.1)
    assert tops[-1] + 57 == pytest.approx(291, abs=0.1)  # 6 mm margins above and below
