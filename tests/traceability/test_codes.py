"""QR codes (SVG, PNG) of the absolute trace URL, and GS1 Digital Link /01/<gtin>/10/<lot> resolution."""

import io

import pytest
import segno
from PIL import Image

from tests.factories.traceability import draft, published, seller
from traceability import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def labelled(settings):
    settings.SHOP_BASE_URL = "https://shop.example.cn"
    grower = seller(product_class_slug="tea", title="武当针井 特级 100克", gtin="6937006000014")
    return published(grower, lot_code="WD-2604/A")


def test_the_qr_svg_encodes_the_absolute_trace_url(client, labelled):
    response = client.get(f"/t/{labelled.trace_code}/qr.svg")

    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    expected = io.BytesIO()
    segno.make(f"https://shop.example.cn/t/{labelled.trace_code}/", error="m", micro=False).save(
        expected, kind="svg", scale=8, border=4, xmldecl=True
    )
    assert response.content == expected.getvalue()


def test_the_qr_png_is_a_square_png_image(client, labelled):
    response = client.get(f"/t/{labelled.trace_code}/qr.png")

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.width == image.height >= 200
    assert "max-age" in response["Cache-Control"]


def test_a_draft_or_unknown_batch_has_no_qr(client, tea):
    assert client.get("/t/NoSuchCode123456/qr.svg").status_code == 404
    assert draft(tea).trace_code is None


@pytest.mark.parametrize("gtin", ["06937006000014", "6937006000014"])
def test_a_digital_link_redirects_to_the_batchs_trace_page(client, labelled, gtin):
    response = client.get(f"/01/{gtin}/10/WD-2604%2FA")

    assert response.status_code == 307
    assert response["Location"].endswith(f"/t/{labelled.trace_code}/")


@pytest.mark.parametrize(
    "stored",
    [
        ("12345670", "00000012345670"),
        ("614141000036", "00614141000036"),
        ("10614141000033", "10614141000033"),
    ],
)
def test_gtin_8_12_and_14_are_padded_to_14_digits(client, stored):
    gtin, gtin14 = stored
    batch = published(seller(product_class_slug="tea", gtin=gtin), lot_code="L1")

    response = client.get(f"/01/{gtin14}/10/L1")

    assert response.status_code == 307 and response["Location"].endswith(batch.get_absolute_url())


@pytest.mark.parametrize(
    "path",
    [
        "/01/06937006000015/10/WD-2604%2FA",  # wrong check digit
        "/01/6937006/10/WD-2604%2FA",  # not a GTIN length
        "/01/06937006000014/10/NO-SUCH-LOT",
        "/01/06937001000019/10/WD-2604%2FA",  # another product's GTIN
    ],
)
def test_a_wrong_gtin_or_lot_is_not_found(client, labelled, path):
    assert client.get(path).status_code == 404


def test_a_draft_batch_does_not_resolve(client):
    grower = seller(product_class_slug="tea", gtin="6937006000021")
    draft(grower, lot_code="DRAFT-1")

    assert client.get("/01/06937006000021/10/DRAFT-1").status_code == 404


def test_the_product_page_links_to_the_trace_page_of_the_batch_on_sale_now(client, tea):
    later = published(tea, quantity=5, best_before_in=300)
    sooner = published(tea, quantity=5, best_before_in=100)
    services.batch_hold(batch=published(tea, quantity=5, best_before_in=50), reason="复检")

    page = client.get(tea.product.get_absolute_url()).content.decode()

    assert f"/t/{sooner.trace_code}/" in page and sooner.lot_code in page
    assert f"/t/{later.trace_code}/" not in page


def test_a_product_without_batches_shows_no_trace_link(client, tea):
    page = client.get(tea.product.get_absolute_url()).content.decode()

    assert "/t/" not in page
