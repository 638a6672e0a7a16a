"""Narrow, read-only doors from the CMS into the shop's rooms: catalogue, partner, suppliers, traceability.

Blocks never read another room's models directly; they call these functions, which return plain
records. Prices and availability come from Oscar's strategy (``partner.strategy.Selector``), never
from a copy. The suppliers and traceability rooms are optional here: each door checks with
``apps.get_model`` that the model and the fields it relies on exist, and otherwise returns nothing,
so a block that depends on them renders nothing until they are installed.

What the doors assume of the two rooms being built alongside (the contract to keep, or to change here):

- ``suppliers.Supplier``: ``partner`` (one-to-one to ``partner.Partner``), ``status`` whose public value
  is ``"approved"`` (anything else, e.g. ``"suspended"``, hides the supplier and its products from
  every block), ``get_absolute_url()`` (``/shop/suppliers/<slug>/``); shown when present:
  ``short_name``, ``name``/``legal_name``, ``get_kind_display()``, ``get_county_display()``,
  ``households_supported``, ``logo``.
- ``suppliers.ProductionBase``: ``supplier`` (FK to Supplier), ``name``, ``latitude``, ``longitude``;
  optional ``county``, ``get_absolute_url()``.
- ``traceability.Batch``: ``product`` (FK to Product), ``lot_code``, ``status`` whose public value is
  ``"published"`` (recalled, on-hold and draft batches are never shown), ``get_trace_url()`` or
  ``get_absolute_url()`` (``/t/<code>/``); shown when present: ``harvest_date``, ``base``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db.models import Prefetch, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch
from oscar.core.loading import get_class, get_model

logger = logging.getLogger(__name__)

SUPPLIER_PUBLIC_STATUS = "approved"
BATCH_PUBLIC_STATUS = "published"
LOW_STOCK_DEFAULT = 5


# --- Optional rooms ---------------------------------------------------------------------------


def _optional_model(app_label: str, model_name: str, *, fields: tuple[str, ...] = ()):
    """The model when its app is installed and it has ``fields``; otherwise None (room not there yet)."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:
        return None
    for name in fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            logger.warning(
                "cms.shop_data: %s.%s has no field %r; block left empty", app_label, model_name, name
            )
            return None
    return model


def supplier_model():
    return _optional_model("suppliers", "Supplier", fields=("partner", "status"))


def production_base_model():
    return _optional_model(
        "suppliers", "ProductionBase", fields=("supplier", "name", "latitude", "longitude")
    )


def batch_model():
    return _optional_model("traceability", "Batch", fields=("product", "lot_code", "status"))


def invalidating_models() -> list:
    """Models whose saves change what a shop-data block shows (their signals bump the block cache)."""
    models = [
        get_model("catalogue", "Product"),
        get_model("catalogue", "Category"),
        get_model("catalogue", "ProductImage"),
        get_model("partner", "StockRecord"),
        get_model("partner", "Partner"),
    ]
    for model in (supplier_model(), production_base_model(), batch_model()):
        if model is not None:
            models.append(model)
    return models


# --- Products ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductCard:
    """What a product grid shows of one product, priced by the shop's strategy at render time."""

    pk: int
    title: str
    url: str
    price: object  # an Oscar price policy: .exists, .incl_tax, .excl_tax, .is_tax_known, .currency
    is_available: bool
    stock_state: str  # "in_stock" | "low_stock" | "out_of_stock"
    num_available: int | None
    partner_name: str
    image: object | None  # catalogue.ProductImage, or None
    adults_only: bool = False


def visible_products():
    """Products on sale, by the shop's one definition (``catalogue.on_sale``): the same as its lists,
    search and sitemap show (public, in stock, from a supplier allowed to sell, …)."""
    from catalogue.on_sale import products_on_sale

    return products_on_sale()


def strategy_for(request=None):
    """Oscar's pricing and availability strategy for this request (or the anonymous one)."""
    Selector = get_class("partner.strategy", "Selector")
    user = getattr(request, "user", None)
    return Selector().strategy(request=request, user=user)


def _with_purchase_data(queryset):
    StockRecord = get_model("partner", "StockRecord")
    return queryset.select_related("product_class").prefetch_related(
        Prefetch("stockrecords", queryset=StockRecord.objects.select_related("partner").order_by("pk")),
        "images",
    )


def _prefetch_parents(products):
    """Children and their stock for parent products only, so standalone-only grids pay nothing."""
    parents = [p for p in products if p.is_parent]
    if not parents:
        return
    Product = get_model("catalogue", "Product")
    prefetch_related_objects(
        parents,
        Prefetch(
            "children",
            queryset=Product.objects.public()
            .select_related("parent__product_class")
            .prefetch_related("stockrecords"),
            to_attr="_prefetched_public_children",
        ),
    )


def _stock_state(availability, low_stock: int) -> tuple[bool, str, int | None]:
    is_available = bool(availability.is_available_to_buy)
    num = getattr(availability, "num_available", None)
    if not is_available:
        return False, "out_of_stock", num
    if num is not None and num <= low_stock:
        return True, "low_stock", num
    return True, "in_stock", num


def product_cards(
    *,
    products=(),
    category=None,
    brand: str = "",
    newest: bool = False,
    limit: int = 12,
    request=None,
    low_stock: int = LOW_STOCK_DEFAULT,
) -> list[ProductCard]:
    """Cards for chosen products (in the editor's order), or the newest of a category, a brand or the shop.

    A product that was deleted, hidden or whose supplier is not approved is left out; one the
    strategy cannot price is left out too (it has no stock record, so the shop does not sell it).
    Three queries per call, four with parent products.
    """
    queryset = visible_products()
    chosen_ids = [p.pk for p in products if p is not None]
    if chosen_ids:
        queryset = queryset.filter(pk__in=chosen_ids)
    elif category is not None:
        # The category and everything under it, in one join (materialised path prefix).
        queryset = queryset.filter(categories__path__startswith=category.path).distinct()
    elif brand:
        queryset = queryset.filter(brand=brand)
    elif not newest:
        return []
    if not chosen_ids:
        queryset = queryset.order_by("-date_created", "-pk")[:limit]
    found = list(_with_purchase_data(queryset))
    if chosen_ids:
        by_pk = {p.pk: p for p in found}
        found = [by_pk[pk] for pk in dict.fromkeys(chosen_ids) if pk in by_pk][:limit]
    _prefetch_parents(found)

    strategy = strategy_for(request)
    cards = []
    for product in found:
        info = (
            strategy.fetch_for_parent(product) if product.is_parent else strategy.fetch_for_product(product)
        )
        if not info.price.exists:
            continue
        is_available, state, num = _stock_state(info.availability, low_stock)
        images = list(product.images.all())
        stockrecord = info.stockrecord or next(iter(product.stockrecords.all()), None)
        cards.append(
            ProductCard(
                pk=product.pk,
                title=product.get_title(),
                url=product.get_absolute_url(),
                price=info.price,
                is_available=is_available,
                stock_state=state,
                num_available=num,
                partner_name=stockrecord.partner.display_name if stockrecord else "",
                image=images[0] if images else None,
                adults_only=bool(getattr(product.product_class, "adults_only", False)),
            )
        )
    return cards


@dataclass(frozen=True)
class CategoryCard:
    name: str
    url: str
    description: str
    image: object | None


def category_cards(categories) -> list[CategoryCard]:
    """Cards for the chosen categories that are still public (a hidden or deleted one is left out)."""
    Category = get_model("catalogue", "Category")
    ids = [c.pk for c in categories if c is not None]
    if not ids:
        return []
    found = {c.pk: c for c in Category.objects.browsable().filter(pk__in=ids)}
    cards = []
    for pk in dict.fromkeys(ids):
        category = found.get(pk)
        if category is None:
            continue
        cards.append(
            CategoryCard(
                name=category.name,
                url=category.get_absolute_url(),
                description=category.description,
                image=category.image or None,
            )
        )
    return cards


# --- Suppliers (issue 3) ----------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierCard:
    name: str
    url: str
    kind: str = ""
    county: str = ""
    households_supported: int | None = None
    logo: object | None = None
    description: str = ""


def _call(obj, method: str, default=""):
    func = getattr(obj, method, None)
    if not callable(func):
        return default
    try:
        return func()
    except NoReverseMatch:
        return default


def supplier_card(partner) -> SupplierCard | None:
    """The public card of the supplier behind an Oscar partner; None when missing or not approved."""
    Supplier = supplier_model()
    if Supplier is None or partner is None:
        return None
    try:
        supplier = Supplier.objects.filter(partner_id=partner.pk, status=SUPPLIER_PUBLIC_STATUS).first()
    except FieldError:
        logger.warning("cms.shop_data: suppliers.Supplier cannot be filtered by partner/status")
        return None
    if supplier is None:
        return None
    name = getattr(supplier, "short_name", "") or getattr(supplier, "name", "") or partner.display_name
    return SupplierCard(
        name=name,
        url=_call(supplier, "get_absolute_url"),
        kind=_call(supplier, "get_kind_display"),
        county=_call(supplier, "get_county_display"),
        households_supported=getattr(supplier, "households_supported", None),
        logo=getattr(supplier, "logo", None) or None,
        description=getattr(supplier, "description", "") or "",
    )


@dataclass(frozen=True)
class BaseMarker:
    name: str
    latitude: float
    longitude: float
    supplier_name: str = ""
    url: str = ""
    county: str = ""


def production_bases(*, partner_ids=(), county: str = "", limit: int = 200) -> list[BaseMarker]:
    """Bases of approved suppliers, optionally of some partners or one county; [] without suppliers."""
    Base = production_base_model()
    if Base is None:
        return []
    try:
        queryset = Base.objects.filter(supplier__status=SUPPLIER_PUBLIC_STATUS).select_related("supplier")
        if partner_ids:
            queryset = queryset.filter(supplier__partner_id__in=list(partner_ids))
        if county:
            queryset = queryset.filter(county=county)
        bases = list(queryset.order_by("pk")[:limit])
    except FieldError:
        logger.warning("cms.shop_data: suppliers.ProductionBase cannot be filtered as expected")
        return []
    markers = []
    for base in bases:
        if base.latitude is None or base.longitude is None:
            continue
        supplier = base.supplier
        markers.append(
            BaseMarker(
                name=base.name,
                latitude=float(base.latitude),
                longitude=float(base.longitude),
                supplier_name=getattr(supplier, "short_name", "") or getattr(supplier, "name", ""),
                url=_call(base, "get_absolute_url") or _call(supplier, "get_absolute_url"),
                county=_call(base, "get_county_display"),
            )
        )
    return markers


def supplier_sitemap_entries() -> list[tuple[str, object]]:
    """(path, last modified) of every approved supplier's public profile; [] without suppliers."""
    Supplier = supplier_model()
    if Supplier is None:
        return []
    try:
        suppliers = list(Supplier.objects.filter(status=SUPPLIER_PUBLIC_STATUS).order_by("pk"))
    except FieldError:
        return []
    entries = []
    for supplier in suppliers:
        url = _call(supplier, "get_absolute_url")
        if url:
            entries.append(
                (url, getattr(supplier, "updated_at", None) or getattr(supplier, "modified", None))
            )
    return entries


# --- Batches (issue 4) ------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchLine:
    product_title: str
    lot_code: str
    trace_url: str
    harvest_date: date | None = None
    supplier_name: str = ""
    extra: dict = field(default_factory=dict)


def latest_batches(*, brand: str = "", category=None, partner=None, limit: int = 6) -> list[BatchLine]:
    """The newest published batches of public products (by brand, category or supplier) with trace links.

    Recalled, on-hold and draft batches never appear, nor batches of hidden products or of suppliers
    that are not approved. [] until the traceability room provides ``traceability.Batch``.
    """
    Batch = batch_model()
    if Batch is None:
        return []
    try:
        queryset = Batch.objects.filter(status=BATCH_PUBLIC_STATUS, product__in=visible_products())
        if brand:
            queryset = queryset.filter(product__brand=brand)
        if category is not None:
            queryset = queryset.filter(product__categories__path__startswith=category.path)
        if partner is not None:
            queryset = queryset.filter(product__stockrecords__partner=partner)
        batches = list(queryset.select_related("product").distinct().order_by("-pk")[:limit])
    except FieldError:
        logger.warning("cms.shop_data: traceability.Batch cannot be filtered as expected")
        return []
    lines = []
    for batch in batches:
        trace_url = _call(batch, "get_trace_url") or _call(batch, "get_absolute_url")
        if not trace_url:
            continue
        lines.append(
            BatchLine(
                product_title=batch.product.get_title(),
                lot_code=batch.lot_code,
                trace_url=trace_url,
                harvest_date=getattr(batch, "harvest_date", None),
            )
        )
    return lines


def product_sitemap_queryset():
    """Public products for the sitemap, with when they last changed."""
    return (
        visible_products()
        .annotate(lastmod=Coalesce("date_updated", "date_created"))
        .only("pk", "slug", "date_updated", "date_created")
        .order_by("pk")
    )


def category_sitemap_queryset():
    Category = get_model("catalogue", "Category")
    return Category.objects.browsable().order_by("path")


__all__ = [
    "BaseMarker",
    "BatchLine",
    "CategoryCard",
    "ProductCard",
    "SupplierCard",
    "category_cards",
    "latest_batches",
    "product_cards",
    "production_bases",
    "supplier_card",
    "supplier_sitemap_entries",
    "visible_products",
]
