"""Small builders for storefront tests, on top of tests/factories/catalogue.py."""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from tests.factories.catalogue import product_in_stock

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
QualityMark = get_model("catalogue", "QualityMark")


def category(name, slug, parent=None):
    """A real treebeard node (Oscar's CategoryFactory fakes the path)."""
    if parent is None:
        return Category.add_root(name=name, slug=slug)
    return Category.objects.get(pk=parent.pk).add_child(name=name, slug=slug)


def quality_mark(code, name, order=0):
    mark, _ = QualityMark.objects.get_or_create(code=code, defaults={"name": name, "display_order": order})
    return mark


def image_bytes(size=(60, 40), color=(120, 80, 60), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def add_picture(product, *, size=(60, 40)):
    return ProductImage.objects.create(
        product=product, original=SimpleUploadedFile("pack.png", image_bytes(size), "image/png")
    )


def shelf_product(*, title, in_category=None, marks=(), picture=False, age_days=None, **fields):
    """A public product in stock, optionally filed, marked, pictured and back-dated."""
    product = product_in_stock(title=title, **fields)
    if in_category is not None:
        ProductCategory.objects.create(product=product, category=in_category)
    if marks:
        product.quality_marks.add(*marks)
    if picture:
        add_picture(product)
    if age_days is not None:
        Product.objects.filter(pk=product.pk).update(date_created=timezone.now() - timedelta(days=age_days))
        product.refresh_from_db()
    return product


def titles(response, key="products"):
    return [product.title for product in response.context[key]]
