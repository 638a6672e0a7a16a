"""Storefront reads of the catalogue: every product list, product page and home-page block.

Each queryset prefetches what its template touches (stock records for the pricing strategy, images,
quality marks, public children), so a page costs the same number of queries for 3 products or 300.
Prices shown to buyers always come from Oscar's strategy (``request.strategy``); the price
annotation here only filters and sorts, and follows the strategy's choice of stock record (the
first one, as ``UseFirstStockRecord`` does).
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from oscar.core.loading import get_model

from core.places import counties_matching

Category = get_model("catalogue", "Category")
Option = get_model("catalogue", "Option")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
QualityMark = get_model("catalogue", "QualityMark")
StockRecord = get_model("partner", "StockRecord")

#: A query longer than this is cut; more words than this are ignored (each word is one more
#: LIKE over four columns, so the cap bounds the cost of a hostile query).
MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 5


class Sort:
    """The orderings a product list offers; the values are what the ``sort_by`` parameter carries."""

    RELEVANCE = "relevancy"
    NEWEST = "newest"
    PRICE_LOW_TO_HIGH = "price-asc"
    PRICE_HIGH_TO_LOW = "price-desc"
    TITLE = "title-asc"


_ORDERINGS = {
    # Without a query "relevance" means the merchandising order: featured first, then newest.
    Sort.RELEVANCE: ["-priority", "-date_created"],
    Sort.NEWEST: ["-date_created"],
    Sort.PRICE_LOW_TO_HIGH: [F("price").asc(nulls_last=True), "-priority"],
    Sort.PRICE_HIGH_TO_LOW: [F("price").desc(nulls_last=True), "-priority"],
    Sort.TITLE: ["title"],
}


@dataclass(frozen=True)
class ProductFilters:
    """What a buyer narrowed a product list by; empty values filter nothing."""

    query: str = ""
    category: "Category | None" = None
    county: str = ""
    marks: tuple[str, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None


def search_terms(query: str) -> list[str]:
    """The words of a buyer's query: NFKC-normalised (full-width Ａ１ → A1), split on any space
    including the ideographic one, capped in length and number."""
    text = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY_LENGTH]
    terms = []
    for term in text.split():
        if term not in terms:
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def _first_stockrecord_price():
    """The price of the stock record ``UseFirstStockRecord`` picks; for a parent, its cheapest child."""
    own = StockRecord.objects.filter(product=OuterRef("pk")).order_by("pk").values("price")[:1]
    cheapest_child = (
        StockRecord.objects.filter(product__parent=OuterRef("pk"), product__is_public=True)
        .order_by("price")
        .values("price")[:1]
    )
    return Coalesce(
        Subquery(own, output_field=DecimalField(max_digits=12, decimal_places=2)),
        Subquery(cheapest_child, output_field=DecimalField(max_digits=12, decimal_places=2)),
    )


def product_card_queryset() -> QuerySet:
    """Browsable products with everything a product card renders prefetched.

    Oscar's ``base_queryset`` also prefetches option rows that a card never reads; the two
    ``has_*_options`` annotations are all ``Product.has_options`` needs.
    """
    public_children = Product.objects.public().prefetch_related("stockrecords")
    return (
        Product.objects.browsable()
        .select_related("product_class")
        .annotate(
            has_product_class_options=Exists(Option.objects.filter(productclass=OuterRef("product_class"))),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords", "images", "quality_marks")
        .prefetch_public_children(queryset=public_children)
    )


def _in_category(category) -> Exists:
    """True for products filed in the category or any category below it (treebeard path prefix)."""
    return Exists(
        ProductCategory.objects.filter(
            product=OuterRef("pk"),
            category__path__startswith=category.path,
            category__is_public=True,
        )
    )


def _matches_term(term: str) -> Q:
    """A product matches a word when its title, brand, description or origin county contains it."""
    condition = Q(title__icontains=term) | Q(brand__icontains=term) | Q(description__icontains=term)
    counties = counties_matching(term)
    if counties:
        condition |= Q(origin_county__in=counties)
    if term.isdigit() and len(term) >= 8:
        # A scanned barcode finds its product.
        condition |= Q(gtin=term) | Q(upc=term)
    return condition


def _relevance(terms: list[str]):
    """Weight title hits above brand, county and description hits, summed over the words."""
    score = Value(0)
    for term in terms:
        counties = counties_matching(term) or ["-"]
        score = score + Case(
            When(title__icontains=term, then=Value(8)),
            When(brand__icontains=term, then=Value(4)),
            When(origin_county__in=counties, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return score


def product_filter(queryset: QuerySet, filters: ProductFilters, *, skip: str = "") -> QuerySet:
    """Apply the buyer's filters; ``skip`` names one filter to leave out (for facet counts)."""
    for term in search_terms(filters.query):
        queryset = queryset.filter(_matches_term(term))
    if filters.category is not None:
        queryset = queryset.filter(_in_category(filters.category))
    if filters.county and skip != "county":
        queryset = queryset.filter(origin_county=filters.county)
    if filters.marks and skip != "marks":
        queryset = queryset.filter(
            Exists(
                Product.quality_marks.through.objects.filter(
                    product_id=OuterRef("pk"), qualitymark_id__in=filters.marks
                )
            )
        )
    if filters.price_min is not None or filters.price_max is not None:
        queryset = queryset.alias(price=_first_stockrecord_price())
        if filters.price_min is not None:
            queryset = queryset.filter(price__gte=filters.price_min)
        if filters.price_max is not None:
            queryset = queryset.filter(price__lte=filters.price_max)
    return queryset


def product_list(*, filters: ProductFilters, sort: str = Sort.RELEVANCE) -> QuerySet:
    """The products a list page shows, filtered and in the buyer's chosen order.

    Every ordering ends with the primary key, so pagination never repeats or skips a product.
    """
    queryset = product_filter(product_card_queryset(), filters)
    ordering = list(_ORDERINGS.get(sort) or _ORDERINGS[Sort.RELEVANCE])
    if sort in (Sort.PRICE_LOW_TO_HIGH, Sort.PRICE_HIGH_TO_LOW):
        queryset = queryset.annotate(price=_first_stockrecord_price())
    terms = search_terms(filters.query)
    if terms and sort in ("", Sort.RELEVANCE):
        queryset = queryset.annotate(relevance=_relevance(terms))
        ordering.insert(0, "-relevance")
    return queryset.order_by(*ordering, "-pk")


def county_counts(filters: ProductFilters) -> dict[str, int]:
    """How many products each origin county would show, with every other filter kept."""
    rows = (
        product_filter(Product.objects.browsable(), filters, skip="county")
        .exclude(origin_county="")
        .order_by()
        .values("origin_county")
        .annotate(n=Count("pk"))
    )
    return {row["origin_county"]: row["n"] for row in rows}


def quality_marks_with_counts(filters: ProductFilters) -> list:
    """Every quality mark, each with ``num_products`` matching the other filters."""
    matching = product_filter(Product.objects.browsable(), filters, skip="marks").values("pk")
    return list(
        QualityMark.objects.annotate(
            num_products=Count("products", filter=Q(products__in=matching), distinct=True)
        )
    )


def category_cards() -> list:
    """Top-level public categories, each with ``num_products``: browsable products in it or below.

    One query for the categories and one for all the counts (a product filed under two
    subcategories of one root is counted once).
    """
    roots = list(Category.objects.browsable().filter(depth=1))
    steplen = Category.steplen
    counts = (
        ProductCategory.objects.filter(
            product__is_public=True, product__parent=None, category__is_public=True
        )
        .annotate(root=Substr("category__path", 1, steplen))
        .order_by()
        .values("root")
        .annotate(n=Count("product", distinct=True))
    )
    by_root = {row["root"]: row["n"] for row in counts}
    for category in roots:
        category.num_products = by_root.get(category.path, 0)
    return roots


def featured_products(*, limit: int = 8) -> list:
    """Products merchandised on the home page: Oscar's ``priority`` above 0, highest first.

    When nothing is featured, the newest products stand in, so the home page is never empty
    while there is something to sell.
    """
    base = product_card_queryset()
    featured = list(base.filter(priority__gt=0).order_by("-priority", "-date_created", "-pk")[:limit])
    if featured:
        return featured
    return list(base.order_by("-date_created", "-pk")[:limit])


def product_detail_queryset() -> QuerySet:
    """Products with what the product page renders prefetched: attributes, images, stock, marks."""
    public_children = Product.objects.public().prefetch_related("stockrecords")
    return (
        Product.objects.base_queryset()
        .select_related("parent", "parent__product_class")
        .prefetch_attribute_values()
        .prefetch_public_children(queryset=public_children)
        .prefetch_browsable_categories()
        .prefetch_related("quality_marks")
    )


def recommended_products(product, *, limit: int = 4) -> list:
    """Products the editors recommend for this one, else others from its first category."""
    ranked = list(
        ProductRecommendation.objects.filter(primary=product)
        .order_by("-ranking", "pk")
        .values_list("recommendation_id", flat=True)[:limit]
    )
    if ranked:
        found = product_card_queryset().in_bulk(ranked)
        recommended = [found[pk] for pk in ranked if pk in found]
    else:
        recommended = []
    if recommended:
        return recommended
    categories = product.get_categories()
    category = categories[0] if len(categories) else None
    if category is None:
        return []
    return list(
        product_card_queryset()
        .filter(_in_category(category))
        .exclude(pk=product.pk)
        .order_by("-priority", "-date_created", "-pk")[:limit]
    )


def category_for_page(pk: int, *, include_hidden: bool = False):
    """A browsable category by primary key (any category for staff previews), or None."""
    categories = Category.objects.all() if include_hidden else Category.objects.browsable()
    return categories.filter(pk=pk).first()


def category_children(category) -> list:
    """The browsable categories one level below ``category``, in tree order."""
    return list(Category.objects.browsable().filter(depth=category.depth + 1, path__startswith=category.path))


def products_recently_viewed(ids: list[int], *, exclude=None, limit: int = 4) -> list:
    """The buyer's recently viewed products (ids from Oscar's history cookie), latest first."""
    # The cookie is the buyer's to tamper with: keep whole numbers only.
    ids = [pk for pk in ids if isinstance(pk, int) and not isinstance(pk, bool)]
    wanted = [pk for pk in reversed(ids) if exclude is None or pk != exclude.pk][:limit]
    if not wanted:
        return []
    found = product_card_queryset().in_bulk(wanted)
    return [found[pk] for pk in wanted if pk in found]
