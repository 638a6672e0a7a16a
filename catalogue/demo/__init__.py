"""Demo catalogue: the Shiyan category tree, twelve partners and their products with pictures.

``seed(command)`` is called by ``manage.py seed_demo``. It is idempotent: partners are found by
``code``, products by GTIN (also their UPC), so a second run creates nothing and writes nothing.
A product that drifted from ``data.py`` is brought back (title, texts, price, attributes, marks),
but stock is set only when a stock record is first created: after that, orders and published
batches own it, and resetting it could break their allocations.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils.html import escape
from oscar.core.loading import get_model
from oscar.core.utils import slugify

from catalogue.services import PRODUCT_CLASSES, CatalogueStructure, catalogue_structure_ensure

from .data import PARTNERS, PRODUCTS, DemoPartner, DemoProduct
from .images import cjk_font_path, product_image

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")
AttributeOption = get_model("catalogue", "AttributeOption")

LOW_STOCK_THRESHOLD = 10
# (product class slug, attribute code) → option group code, for attributes whose values are options.
OPTION_GROUPS = {
    (spec.slug, attribute.code): attribute.option_group
    for spec in PRODUCT_CLASSES
    for attribute in spec.attributes
    if attribute.option_group
}
# The picture a category's products get; sub-categories override their parent.
MOTIF_BY_CATEGORY = {
    "tea": "tea",
    "green-tea": "tea",
    "black-tea": "black-tea",
    "shiitake": "shiitake",
    "black-fungus": "black-fungus",
    "citrus": "citrus",
    "olive-oil": "olive-oil",
    "yellow-wine": "yellow-wine",
    "noodles": "noodles",
    "dried-fish": "dried-fish",
    "herbs": "herbs",
}


@dataclass
class SeedReport:
    created: int = 0
    updated: int = 0
    images: int = 0
    partners_created: int = 0
    notes: list[str] = field(default_factory=list)


def seed(command) -> SeedReport:
    """Create or bring up to date the demo catalogue; print one line of what changed."""
    started = time.monotonic()
    structure = catalogue_structure_ensure()
    report = SeedReport()
    partners = {spec.code: _partner_ensure(spec, report=report) for spec in PARTNERS}
    partner_specs = {spec.code: spec for spec in PARTNERS}
    font = cjk_font_path()
    gtins = [partner_specs[spec.partner].gtin(spec.item) for spec in PRODUCTS]
    existing = {
        product.upc: product
        for product in Product.objects.filter(upc__in=gtins).prefetch_related(
            "categories", "quality_marks", "images", "stockrecords"
        )
    }
    for spec in PRODUCTS:
        partner_spec = partner_specs[spec.partner]
        product = _product_sync(
            spec,
            gtin=partner_spec.gtin(spec.item),
            county=partner_spec.county,
            structure=structure,
            existing=existing,
            report=report,
        )
        _stockrecord_ensure(product, spec=spec, partner=partners[spec.partner], partner_spec=partner_spec)
        _image_ensure(product, spec=spec, font=font, report=report)
    elapsed = time.monotonic() - started
    command.stdout.write(
        f"  catalogue: {len(PARTNERS)} partners ({report.partners_created} new), {len(PRODUCTS)} products "
        f"({report.created} new, {report.updated} updated), {report.images} pictures drawn "
        f"{'with' if font else 'without'} CJK lettering, {elapsed:.1f} s"
    )
    return report


def _partner_ensure(spec: DemoPartner, *, report: SeedReport):
    partner, created = Partner.objects.get_or_create(code=spec.code, defaults={"name": spec.name})
    report.partners_created += created
    if not created and partner.name != spec.name:
        partner.name = spec.name
        partner.save(update_fields=["name"])
    return partner


def _description_html(sentences: tuple[str, ...]) -> str:
    # The last sentence is the practical one (how to store, cook or brew): its own paragraph.
    body, tip = sentences[:-1], sentences[-1]
    return f"<p>{escape(''.join(body))}</p>\n<p>{escape(tip)}</p>"


def _product_sync(spec: DemoProduct, *, gtin, county, structure: CatalogueStructure, existing, report):
    product_class = structure.product_classes[spec.product_class]
    product = existing.get(gtin)
    creating = product is None
    if creating:
        # The slug is set once: a later title change must not break links already shared.
        product = Product(upc=gtin, structure=Product.STANDALONE, slug=slugify(spec.title))
    wanted = {
        "title": spec.title,
        "description": _description_html(spec.description),
        "product_class_id": product_class.pk,
        "brand": spec.brand,
        "origin_county": county,
        "gtin": gtin,
        "priority": spec.priority,
        "is_public": True,
    }
    changed = [name for name, value in wanted.items() if getattr(product, name) != value]
    for name in changed:
        setattr(product, name, wanted[name])
    if "product_class_id" in changed:
        product.product_class = product_class
    attributes_changed = _attributes_set(product, spec=spec, structure=structure, creating=creating)
    if creating or changed or attributes_changed:
        product.full_clean()
        product.save()  # also saves the attribute values
    category = structure.categories[spec.category]
    marks = [structure.quality_marks[code] for code in spec.marks]
    categories_changed = creating or list(product.categories.all()) != [category]
    marks_changed = creating or {m.pk for m in product.quality_marks.all()} != {m.pk for m in marks}
    if categories_changed:
        product.categories.set([category])
    if marks_changed:
        product.quality_marks.set(marks)
    if creating:
        report.created += 1
    elif changed or attributes_changed or categories_changed or marks_changed:
        report.updated += 1
    return product


def _attributes_set(product, *, spec: DemoProduct, structure: CatalogueStructure, creating: bool) -> bool:
    """Put the spec's attribute values on ``product.attr``; True when any differs from the database."""
    current = {} if creating else {value.attribute.code: value.value for value in product.attr.get_values()}
    changed = False
    for code, value in spec.attributes.items():
        option_group = OPTION_GROUPS.get((spec.product_class, code))
        if option_group:
            value = structure.option(option_group, value)
        old = current.get(code)
        same = (
            old.pk == value.pk
            if isinstance(value, AttributeOption) and isinstance(old, AttributeOption)
            else old == value
        )
        if not same:
            product.attr.set(code, value)
            changed = True
    return changed


def _stockrecord_ensure(product, *, spec: DemoProduct, partner, partner_spec: DemoPartner) -> None:
    record = next((r for r in product.stockrecords.all() if r.partner_id == partner.pk), None)
    if record is None:
        record = StockRecord(
            product=product,
            partner=partner,
            partner_sku=f"SY{partner_spec.number:02d}-{spec.item:03d}",
            num_in_stock=spec.stock,
            low_stock_threshold=LOW_STOCK_THRESHOLD,
        )
    elif record.price == Decimal(spec.price):
        return
    record.price = Decimal(spec.price)
    record.full_clean()
    record.save()


def _image_ensure(product, *, spec: DemoProduct, font, report: SeedReport) -> None:
    images = list(product.images.all())
    code = f"demo-{product.upc}"
    image = next((i for i in images if i.code == code), None)
    if images and image is None:
        return  # staff gave it a real photograph: leave it alone
    if image is not None and image.original and image.original.storage.exists(image.original.name):
        return
    data = product_image(
        motif=MOTIF_BY_CATEGORY[spec.category],
        label=spec.short_name,
        seed=product.upc,
        font=font,
        gift="礼盒" in spec.title,
    )
    image = image or ProductImage(product=product, code=code, caption=spec.title, display_order=0)
    # Oscar's upload path dates the folder; a redrawn picture (media folder wiped) gets a new one.
    image.original.save(f"{product.upc}.jpg", ContentFile(data), save=False)
    image.save()
    report.images += 1
