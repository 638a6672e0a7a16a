"""Reads: the public directory and profile, the product-page supplier, and the portal's scoped views.

Every portal read starts from the supplier the signed-in user belongs to, so a query for another
supplier's row simply finds nothing (the views answer 404).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue.on_sale import products_on_sale
from suppliers.models import (
    ApplicationUsage,
    BasePhoto,
    Certification,
    CertificationReminder,
    ProductionBase,
    Supplier,
)

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
Line = get_model("order", "Line")

# Orders that count as sales: placed and not cancelled, and either paid or committed to (invoice).
NOT_SALES_STATUSES = ("Pending payment", "Cancelled")
REMINDER_THRESHOLDS = (30, 7)


# --- The storefront's sale gate ------------------------------------------------------------------
#: Every storefront request asks which partners may not sell; the answer is cached (shared through
#: Redis in production) and forgotten whenever a supplier's status changes (suppliers.services).
OFF_SALE_CACHE_KEY = "suppliers:partners-off-sale"
#: A safety net only: a status change deletes the key at once and again after commit.
OFF_SALE_CACHE_SECONDS = 60


def partner_ids_off_sale() -> list[int]:
    """Partners whose supplier is not approved (suspended): their products must not be sold."""
    ids = cache.get(OFF_SALE_CACHE_KEY)
    if ids is None:
        ids = list(
            Supplier.objects.exclude(status=Supplier.Status.APPROVED)
            .filter(partner__isnull=False)
            .values_list("partner_id", flat=True)
        )
        cache.set(OFF_SALE_CACHE_KEY, ids, OFF_SALE_CACHE_SECONDS)
    return ids


def partner_ids_off_sale_forget() -> None:
    cache.delete(OFF_SALE_CACHE_KEY)


# --- Public pages ------------------------------------------------------------------------------------
def _valid_certifications_prefetch() -> Prefetch:
    return Prefetch(
        "certifications",
        queryset=Certification.objects.valid_today().order_by("kind", "valid_until"),
        to_attr="valid_certifications",
    )


def _map_bases_prefetch() -> Prefetch:
    return Prefetch(
        "bases",
        queryset=ProductionBase.objects.only(
            "id", "supplier_id", "name", "county", "township", "latitude", "longitude", "area_mu"
        ).order_by("name", "pk"),
        to_attr="base_list",
    )


def directory_categories():
    """The top-level categories a buyer can filter the directory by."""
    return list(Category.objects.filter(depth=1).order_by("path"))


def _products_in(category):
    categories = category.get_descendants_and_self()
    return Product.objects.filter(Q(categories__in=categories) | Q(parent__categories__in=categories))


def supplier_directory(*, county: str = "", category=None, certification: str = ""):
    """Approved suppliers, optionally only those in a county, selling in a category, or holding a
    currently valid certification of a kind; with valid certifications, bases and a product count."""
    suppliers = Supplier.objects.public().select_related("partner")
    if county:
        suppliers = suppliers.filter(county=county)
    if category is not None:
        suppliers = suppliers.filter(
            Exists(
                StockRecord.objects.filter(
                    partner_id=OuterRef("partner_id"),
                    product__in=_products_in(category),
                    product__is_public=True,
                )
            )
        )
    if certification:
        suppliers = suppliers.filter(
            Exists(Certification.objects.valid_today().filter(supplier=OuterRef("pk"), kind=certification))
        )
    product_count = (
        StockRecord.objects.filter(partner_id=OuterRef("partner_id"), product__is_public=True)
        .order_by()
        .values("partner_id")
        .annotate(count=Count("product_id", distinct=True))
        .values("count")
    )
    return suppliers.annotate(
        product_count=Coalesce(Subquery(product_count, output_field=IntegerField()), Value(0))
    ).prefetch_related(_valid_certifications_prefetch(), _map_bases_prefetch())


def category_names_by_partner(partner_ids) -> dict[int, list[str]]:
    """Names of the categories each partner sells public products in (one query for a page)."""
    rows = (
        StockRecord.objects.filter(partner_id__in=list(partner_ids), product__is_public=True)
        .values_list("partner_id", "product__categories__name", "product__parent__categories__name")
        .distinct()
    )
    names: dict[int, set[str]] = defaultdict(set)
    for partner_id, own, parents in rows:
        for name in (own, parents):
            if name:
                names[partner_id].add(name)
    return {partner_id: sorted(values) for partner_id, values in names.items()}


def supplier_public_profile(*, slug: str) -> Supplier | None:
    """An approved supplier with its valid certifications and its bases (photos included)."""
    return (
        Supplier.objects.public()
        .select_related("partner")
        .prefetch_related(
            _valid_certifications_prefetch(),
            Prefetch(
                "bases",
                queryset=ProductionBase.objects.prefetch_related(
                    Prefetch("photos", queryset=BasePhoto.objects.order_by("display_order", "pk"))
                ),
                to_attr="base_list",
            ),
        )
        .filter(slug=slug)
        .first()
    )


def application_allowance_left(*, network: str, upload_bytes: int = 0) -> dict:
    """Whether ``network`` may still apply today: ``{"applications": bool, "uploads": bool}``."""
    usage = ApplicationUsage.objects.filter(network=network, day=timezone.localdate()).first()
    used_count, used_bytes = (usage.applications, usage.bytes_uploaded) if usage else (0, 0)
    return {
        "applications": used_count < settings.SUPPLIER_APPLY_DAILY_LIMIT,
        "uploads": used_bytes + upload_bytes <= settings.SUPPLIER_APPLY_DAILY_MB * 1024 * 1024,
    }


def certification_on_public_profile(*, slug: str, pk: int) -> Certification | None:
    """A certification the public profile shows (an approved supplier's, valid today) with a scan."""
    return (
        Certification.objects.valid_today()
        .filter(pk=pk, supplier__slug=slug, supplier__in=Supplier.objects.public())
        .exclude(scan="")
        .select_related("supplier")
        .first()
    )


def supplier_products_on_sale(*, supplier: Supplier, limit: int | None = 12):
    """Products on sale (``catalogue.on_sale``) that this supplier's partner sells (itself or a variant)."""
    if supplier.partner_id is None:
        return Product.objects.none()
    own = StockRecord.objects.filter(partner_id=supplier.partner_id)
    products = (
        products_on_sale(Product.objects.base_queryset())
        .filter(
            Exists(own.filter(product=OuterRef("pk"))) | Exists(own.filter(product__parent=OuterRef("pk")))
        )
        .order_by("title", "pk")
    )
    return products[:limit] if limit else products


def production_base_public(*, slug: str, pk: int) -> ProductionBase | None:
    return (
        ProductionBase.objects.filter(pk=pk, supplier__slug=slug, supplier__status=Supplier.Status.APPROVED)
        .select_related("supplier")
        .prefetch_related(Prefetch("photos", queryset=BasePhoto.objects.order_by("display_order", "pk")))
        .first()
    )


def supplier_for_product(product) -> Supplier | None:
    """The approved supplier selling ``product`` (through its own or its variants' stock records)."""
    sells = StockRecord.objects.filter(partner_id=OuterRef("partner_id"))
    return (
        Supplier.objects.public()
        .filter(Exists(sells.filter(Q(product=product) | Q(product__parent=product))))
        .prefetch_related(_valid_certifications_prefetch())
        .order_by("pk")
        .first()
    )


# --- The portal ------------------------------------------------------------------------------------
def portal_supplier_for_user(user) -> Supplier | None:
    """The supplier whose partner the user belongs to (approved or suspended), or None.

    A user is expected to belong to one supplier; should there be several, the oldest one is used.
    """
    if not user.is_authenticated or not user.has_perm("suppliers.use_portal"):
        return None
    return (
        Supplier.objects.filter(
            partner__users=user, status__in=[Supplier.Status.APPROVED, Supplier.Status.SUSPENDED]
        )
        .select_related("partner")
        .order_by("pk")
        .first()
    )


def portal_stockrecords(*, supplier: Supplier):
    return (
        StockRecord.objects.filter(partner_id=supplier.partner_id)
        .select_related("product", "product__parent")
        .order_by("product__title", "pk")
    )


def _supplier_lines(supplier: Supplier):
    return Line.objects.filter(stockrecord__partner_id=supplier.partner_id)


def portal_orders(*, supplier: Supplier):
    """Orders holding at least one line of this supplier, each with only those lines and their total."""
    lines = _supplier_lines(supplier)
    return (
        Order.objects.filter(Exists(lines.filter(order=OuterRef("pk"))))
        .annotate(
            supplier_total=Subquery(
                lines.filter(order=OuterRef("pk"))
                .order_by()
                .values("order")
                .annotate(total=Sum("line_price_incl_tax"))
                .values("total")
            ),
        )
        .prefetch_related(Prefetch("lines", queryset=lines.order_by("pk"), to_attr="supplier_lines"))
        .select_related("shipping_address")
        .order_by("-date_placed", "-pk")
    )


@dataclass(frozen=True)
class SalesRow:
    label: str
    quantity: int
    revenue: Decimal
    orders: int


def _sales_lines(supplier: Supplier, since: datetime.date | None):
    lines = _supplier_lines(supplier).exclude(order__status__in=NOT_SALES_STATUSES)
    if since is not None:
        lines = lines.filter(order__date_placed__date__gte=since)
    return lines


def portal_sales_by_month(*, supplier: Supplier, months: int = 12) -> list[SalesRow]:
    """Sold quantity, revenue and orders per calendar month (Asia/Shanghai), newest first."""
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        _sales_lines(supplier, start)
        .annotate(month=TruncMonth("order__date_placed", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(
            quantity=Sum("quantity"), revenue=Sum("line_price_incl_tax"), orders=Count("order", distinct=True)
        )
        .order_by("-month")
    )
    return [
        SalesRow(
            label=row["month"].strftime("%Y-%m"),
            quantity=row["quantity"] or 0,
            revenue=row["revenue"] or Decimal("0"),
            orders=row["orders"],
        )
        for row in rows
    ]


def portal_sales_by_product(*, supplier: Supplier, months: int = 12) -> list[SalesRow]:
    """Sold quantity, revenue and orders per product over the last ``months`` months, best first."""
    start = timezone.localdate() - datetime.timedelta(days=31 * months)
    rows = (
        _sales_lines(supplier, start)
        .values("product_id", "title")
        .annotate(
            quantity=Sum("quantity"), revenue=Sum("line_price_incl_tax"), orders=Count("order", distinct=True)
        )
        .order_by("-revenue", "title")
    )
    return [
        SalesRow(
            label=row["title"],
            quantity=row["quantity"] or 0,
            revenue=row["revenue"] or Decimal("0"),
            orders=row["orders"],
        )
        for row in rows
    ]


# --- Certification reminders ---------------------------------------------------------------------
def certification_reminders_due(*, today: datetime.date | None = None) -> list[tuple[Certification, int]]:
    """(certification, threshold) pairs whose reminder is due today and was never sent.

    A certification ``d`` days from expiry is at threshold 30 when 7 < d ≤ 30 and at 7 when 0 ≤ d ≤ 7.
    Once a reminder exists at a threshold no larger than the current one, nothing is due: a
    certificate first seen 5 days from expiry gets only the 7-day reminder.
    """
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=max(REMINDER_THRESHOLDS))
    certifications = (
        Certification.objects.filter(
            valid_until__gte=today,
            valid_until__lte=horizon,
            valid_from__lte=today,
            supplier__status__in=[Supplier.Status.APPROVED, Supplier.Status.SUSPENDED],
        )
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "reminders",
                queryset=CertificationReminder.objects.only("id", "certification_id", "threshold_days"),
            )
        )
        .order_by("valid_until", "pk")
    )
    due = []
    for certification in certifications:
        days_left = (certification.valid_until - today).days
        threshold = min(t for t in REMINDER_THRESHOLDS if days_left <= t)
        if not any(r.threshold_days <= threshold for r in certification.reminders.all()):
            due.append((certification, threshold))
    return due
