"""RenditionThumbnailer: Oscar's OSCAR_THUMBNAILER interface over Pillow, WebP out."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from oscar.apps.catalogue.abstract_models import MissingProductImage
from PIL import Image

from catalogue.thumbnails import RenditionThumbnailer
from tests.catalogue.builders import image_bytes


@pytest.fixture
def stored_image():
    def store(size=(800, 600), name="products/pack.jpg", data=None):
        return default_storage.open(
            default_storage.save(name, ContentFile(data or image_bytes(size, fmt="JPEG"))), "rb"
        )

    return store


def _rendered_size(rendition):
    with default_storage.open(rendition.name, "rb") as fh, Image.open(fh) as image:
        return image.format, image.size


def test_a_rendition_is_a_webp_that_fits_the_box(stored_image):
    source = stored_image((800, 600))

    rendition = RenditionThumbnailer().generate_thumbnail(source, size="400x400")

    assert rendition.url.startswith("/media/renditions/") and rendition.url.endswith(".webp")
    assert _rendered_size(rendition) == ("WEBP", (400, 300))


def test_a_cropped_rendition_fills_the_box_exactly(stored_image):
    source = stored_image((800, 600))

    rendition = RenditionThumbnailer().generate_thumbnail(source, size="200x200", crop="center")

    assert _rendered_size(rendition) == ("WEBP", (200, 200))


@pytest.mark.parametrize(("size", "expected"), [("x155", (207, 155)), ("100x", (100, 75))])
def test_oscar_geometry_with_one_side_keeps_the_aspect_ratio(stored_image, size, expected):
    rendition = RenditionThumbnailer().generate_thumbnail(stored_image((800, 600)), size=size)

    assert _rendered_size(rendition)[1] == expected


def test_a_small_image_is_not_blown_up_unless_asked(stored_image):
    source = stored_image((60, 40))

    kept = RenditionThumbnailer().generate_thumbnail(source, size="400x400", upscale=False)
    enlarged = RenditionThumbnailer().generate_thumbnail(source, size="400x400", upscale=True)

    assert _rendered_size(kept)[1] == (60, 40)
    assert _rendered_size(enlarged)[1] == (400, 267)


@pytest.mark.django_db
def test_the_name_is_derived_from_source_and_options_and_made_once(stored_image, django_assert_num_queries):
    source = stored_image()
    thumbnailer = RenditionThumbnailer()
    first = thumbnailer.generate_thumbnail(source, size="100x100")
    modified = default_storage.get_modified_time(first.name)

    with django_assert_num_queries(0):
        again = RenditionThumbnailer().generate_thumbnail(source, size="100x100")
    other = thumbnailer.generate_thumbnail(source, size="100x100", crop="center")

    assert again.name == first.name
    assert default_storage.get_modified_time(first.name) == modified  # served, not rebuilt
    assert other.name != first.name


def test_a_decompression_bomb_is_refused_with_the_placeholder(stored_image, settings):
    settings.PILLOW_MAX_IMAGE_PIXELS = 10_000
    source = stored_image((200, 200), name="products/bomb.png", data=image_bytes((200, 200), fmt="PNG"))

    rendition = RenditionThumbnailer().generate_thumbnail(source, size="100x100")

    assert rendition.is_placeholder
    assert rendition.url.endswith("img/placeholder.svg")


def test_a_real_pixel_flood_never_gets_decoded(stored_image):
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # 144 Mpx, a few kB on disk
    source = stored_image(name="products/flood.png", data=buffer.getvalue())

    rendition = RenditionThumbnailer().generate_thumbnail(source, size="100x100")

    assert rendition.is_placeholder


def test_a_file_that_is_not_an_image_gets_the_placeholder(stored_image):
    source = stored_image(name="products/fake.jpg", data=b"<html>not a picture</html>")

    assert RenditionThumbnailer().generate_thumbnail(source, size="100x100").is_placeholder


def test_a_missing_file_gets_the_placeholder():
    class Gone:
        name = "products/never-uploaded.jpg"

    assert RenditionThumbnailer().generate_thumbnail(Gone(), size="100x100").is_placeholder


def test_oscars_missing_product_image_is_the_placeholder():
    rendition = RenditionThumbnailer().generate_thumbnail(MissingProductImage(), size="100x100")

    assert rendition.is_placeholder


def test_deleting_thumbnails_removes_every_rendition_of_that_source(stored_image):
    source = stored_image()
    keep = stored_image(name="products/other.jpg")
    thumbnailer = RenditionThumbnailer()
    gone = [thumbnailer.generate_thumbnail(source, size=s) for s in ("100x100", "x50")]
    kept = thumbnailer.generate_thumbnail(keep, size="100x100")

    thumbnailer.delete_thumbnails(source)

    assert not any(default_storage.exists(r.name) for r in gone)
    assert default_storage.exists(kept.name)


def test_a_nonsense_size_is_a_programming_error(stored_image):
    with pytest.raises(ValueError):
        RenditionThumbnailer().generate_thumbnail(stored_image(), size="big")
