"""What "on sale" means, once, for every place that lists products: the shop's lists and home page,
search, the sitemap, CMS blocks and suppliers' profiles all start from ``products_on_sale()``.

A product is on sale when it is browsable (public; a standalone or parent product, not a variant)
and it has, itself or through a public variant, a stock record that can sell now:

* with units left (``num_in_stock`` above ``num_allocated``), unless its product class does not
  track stock. Products sold through batches (traceability) keep their stock record equal to what
  their published batches hold, so a batch put on hold, recalled or sold out takes its units off
  here too;
* whose partner no sale gate blocks (``shop.partner.strategy``: e.g. a suspended supplier), the same
  gates the pricing strategy applies when a buyer adds to the basket;
* meeting every condition registered with ``register_stockrecord_condition``: a higher room's way
  (a signal or setting, never an import from here) to add a rule of its own, as a ``Q`` on
  ``partner.StockRecord``, read afresh on every call.

The product page itself stays reachable (it says the product is not available); only lists drop it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from oscar.core.loading import get_class, get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
blocked_partner_ids = get_class("partner.strategy", "blocked_partner_ids")

StockRecordCondition = Callable[[], Q]
_conditions: dict[str, StockRecordCondition] = {}


def register_stockrecord_condition(name: str, condition: StockRecordCondition) -> None:
    """Register (or replace) a condition a stock record must meet to sell (a ``Q`` on StockRecord)."""
    _conditions[name] = condition


def unregister_stockrecord_condition(name: str) -> None:
    _conditions.pop(name, None)


def sellable_stockrecords() -> QuerySet:
    """Stock records that can sell right now (see the module docstring)."""
    untracked = Q(product__product_class__track_stock=False) | Q(
        product__parent__product_class__track_stock=False
    )
    records = StockRecord.objects.filter(
        Q(num_in_stock__gt=Coalesce(F("num_allocated"), 0)) | untracked, price__isnull=False
    )
    blocked = blocked_partner_ids()
    if blocked:
        records = records.exclude(partner_id__in=blocked)
    for condition in _conditions.values():
        records = records.filter(condition())
    return records


def products_on_sale(queryset: QuerySet | None = None) -> QuerySet:
    """Browsable products that can be bought now; narrows ``queryset`` (default: every product)."""
    queryset = Product.objects.all() if queryset is None else queryset
    records = sellable_stockrecords()
    own = Exists(records.filter(product_id=OuterRef("pk")))
    variants = Exists(records.filter(product__parent_id=OuterRef("pk"), product__is_public=True))
    return queryset.filter(is_public=True, parent__isnull=True).filter(own | variants)


def product_is_on_sale(product) -> bool:
    return products_on_sale(Product.objects.filter(pk=product.pk)).exists()
