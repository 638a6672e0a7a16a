"""Demo pictures: one per product, by category, lettered only when a CJK font is on the machine."""

import io

import pytest
from PIL import Image

from catalogue.demo import images


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_picture_is_a_square_jpeg_for_every_motif():
    for motif in images.MOTIFS:
        picture = _open(images.product_image(motif=motif, label="", seed=motif))

        assert (picture.format, picture.size) == ("JPEG", (images.SIZE, images.SIZE))


def test_the_same_product_always_gets_the_same_picture_and_two_products_differ():
    first = images.product_image(motif="tea", label="", seed="6937004000012")

    assert images.product_image(motif="tea", label="", seed="6937004000012") == first
    assert images.product_image(motif="tea", label="", seed="6937004000029") != first


def test_without_a_cjk_font_the_picture_has_no_lettering(monkeypatch):
    monkeypatch.setattr(images, "_CJK_FONT_CANDIDATES", (("/nonexistent/font.ttc", 0),))
    monkeypatch.setattr(images, "_CJK_FONT_GLOBS", ())
    images.cjk_font_path.cache_clear()
    try:
        font = images.cjk_font_path()
    finally:
        images.cjk_font_path.cache_clear()

    assert font is None
    assert images.product_image(
        motif="citrus", label="丹江口蜜橘", seed="1", font=font
    ) == images.product_image(motif="citrus", label="", seed="1")


@pytest.mark.skipif(images.cjk_font_path() is None, reason="no CJK font on this machine")
def test_with_a_cjk_font_the_short_name_is_lettered_below_the_motif():
    plain = _open(images.product_image(motif="citrus", label="", seed="1"))
    lettered = _open(
        images.product_image(motif="citrus", label="丹江口蜜橘", seed="1", font=images.cjk_font_path())
    )

    band = (0, int(images.SIZE * 0.8), images.SIZE, images.SIZE)
    # The name is drawn in the citrus colour on a white band: many more colours there.
    assert len(lettered.crop(band).getcolors(1 << 16)) > len(plain.crop(band).getcolors(1 << 16))
