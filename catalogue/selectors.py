"""Storefront reads of the catalogue: every product list, product page and home-page block.

Each queryset prefetches what its template touches (stock records for the pricing strategy, images,
quality marks, public children), so a page costs the same number of queries for 3 products or 300.
Prices shown to buyers always come from Oscar's strategy (``request.strategy``); the price
annotation here only filters and sorts, and follows the strategy's choice of stock record (the
first one, as ``UseFirstStockRecord`` does).
"""

import hashlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import get_language
from oscar.core.loading import get_model

from catalogue.on_sale import products_on_sale
from core.places import counties_matching
from shop.search import index as search_index

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
    """The price Oscar's default strategy shows, as a database expression for filters and sorting.

    A product's own first stock record (``UseFirstStockRecord``); for a parent, the first record of
    its first public child in Oscar's product order (what ``parent_pricing_policy`` picks).
    """
    money = DecimalField(max_digits=12, decimal_places=2)
    own = StockRecord.objects.filter(product=OuterRef("pk")).order_by("pk").values("price")[:1]
    first_child = (
        StockRecord.objects.filter(product__parent=OuterRef("pk"), product__is_public=True)
        .order_by("-product__date_created", "product__pk", "pk")
        .values("price")[:1]
    )
    return Coalesce(Subquery(own, output_field=money), Subquery(first_child, output_field=money))


def _with_option_flags(queryset: QuerySet) -> QuerySet:
    """What ``Product.has_options`` reads, so the add-to-basket form asks nothing more."""
    return queryset.annotate(
        has_product_class_options=Exists(Option.objects.filter(productclass=OuterRef("product_class"))),
        has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
    )


def product_card_queryset() -> QuerySet:
    """Products on sale (``catalogue.on_sale``) as product cards want them; evaluate through
    ``products_for_cards``.

    Oscar's ``base_queryset`` also prefetches option rows that a card never reads (``options``
    is a fresh union query anyway); the ``has_*_options`` flags are all a card needs.
    """
    return _with_option_flags(products_on_sale().select_related("product_class"))


def products_for_cards(products) -> list:
    """Evaluate a page of products with what their cards' cache keys read (catalogue.cards).

    Stock records, pictures and quality marks come as plain lists (``card_stockrecords`` …), one
    query each for the page: building Django's per-product related querysets cost more than the
    queries on a warm page, where every card comes from the cache. The cards module gives the
    products whose card must be rendered their full prefetch (``prefetch_for_rendering``).
    """
    products = list(products)
    prefetch_related_objects(
        products,
        Prefetch("stockrecords", queryset=StockRecord.objects.order_by("pk"), to_attr="card_stockrecords"),
        Prefetch("images", to_attr="card_images"),
        Prefetch("quality_marks", to_attr="card_quality_marks"),
    )
    for product in products:
        product.card_page = products  # catalogue.cards looks the page's cards up together
    return products


def prefetch_for_rendering(products: list) -> None:
    """What rendering a card reads, for cards not in the cache: stock records (the pricing strategy),
    pictures and quality marks, from the rows ``products_for_cards`` already holds; any parent's
    public children with their stock (one query, only when there is a parent)."""
    for product in products:
        for relation in ("stockrecords", "images", "quality_marks"):
            rows = getattr(product, f"card_{relation}", None)
            if rows is not None:
                _keep_as_prefetched(product, relation, rows)
    prefetch_related_objects(products, "stockrecords", "images", "quality_marks")  # any not held
    parents = [product for product in products if product.is_parent]
    if parents:
        prefetch_related_objects(
            parents,
            Prefetch(
                "children",
                queryset=Product.objects.public().prefetch_related("stockrecords"),
                to_attr="_prefetched_public_children",
            ),
        )


def _keep_as_prefetched(product, relation: str, rows: list) -> None:
    """Make ``product.<relation>.all()`` answer ``rows`` without a query, as ``prefetch_related``
    leaves it (Django's prefetch_one_level does exactly this; the cache name of these relations is
    their accessor's name)."""
    queryset = getattr(product, relation).get_queryset()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    if not hasattr(product, "_prefetched_objects_cache"):
        product._prefetched_objects_cache = {}
    product._prefetched_objects_cache[relation] = queryset


def _in_category(category) -> Exists:
    """True for products filed in the category or any category below it (treebeard path prefix)."""
    return Exists(
        ProductCategory.objects.filter(
            product=OuterRef("pk"),
            category__path__startswith=category.path,
            category__is_public=True,
        )
    )


def _contains(field: str, term: str) -> Q:
    """``field`` contains ``term``, ignoring case; a word with no letter case (香菇, 2024) skips the
    case folding, which on PostgreSQL upper-cases every description scanned (a third of the time)."""
    lookup = "icontains" if term.upper() != term.lower() else "contains"
    return Q(**{f"{field}__{lookup}": term})


#: At most this many alternatives of one query word are searched (synonyms, pinyin).
MAX_ALTERNATIVES = 12


def _matches_term(term: str) -> Q:
    """A product matches a word when its title, brand, description or origin county contains it,
    or its search document (names, categories, pinyin, initials) contains the word or one of its
    alternatives: a synonym staff set (桔子 → 橘子), its pinyin (香姑 → xianggu, so 香菇)."""
    condition = _contains("title", term) | _contains("brand", term) | _contains("description", term)
    for alternative in search_index.alternatives(term)[:MAX_ALTERNATIVES]:
        condition |= Q(search_document__text__contains=alternative)
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
            When(_contains("title", term), then=Value(8)),
            When(_contains("brand", term), then=Value(4)),
            When(origin_county__in=counties, then=Value(2)),
            When(search_document__text__contains=search_index.normalise(term), then=Value(2)),
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


#: The counts beside the filters (products per county, per quality mark) are cached this long; the
#: product list and its total are always live. On a 10,000-product catalogue they were two of the
#: three slowest queries of a list page.
FACET_CACHE_SECONDS = 60


def _facet_key(kind: str, filters: ProductFilters) -> str:
    category = filters.category.pk if filters.category is not None else None
    raw = repr((filters.query, category, filters.county, filters.marks, filters.price_min, filters.price_max))
    digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    return f"storefront:facets:{kind}:{get_language()}:{digest}"


def county_counts(filters: ProductFilters) -> dict[str, int]:
    """How many products each origin county would show, with every other filter kept (cached)."""
    return cache.get_or_set(
        _facet_key("county", filters), lambda: _county_counts(filters), FACET_CACHE_SECONDS
    )


def _county_counts(filters: ProductFilters) -> dict[str, int]:
    rows = (
        product_filter(products_on_sale(), filters, skip="county")
        .exclude(origin_county="")
        .order_by()
        .values("origin_county")
        .annotate(n=Count("pk"))
    )
    return {row["origin_county"]: row["n"] for row in rows}


def quality_marks_with_counts(filters: ProductFilters) -> list:
    """Every quality mark, each with ``num_products`` matching the other filters (cached)."""
    return cache.get_or_set(
        _facet_key("marks", filters), lambda: _quality_marks_with_counts(filters), FACET_CACHE_SECONDS
    )


def _quality_marks_with_counts(filters: ProductFilters) -> list:
    matching = product_filter(products_on_sale(), filters, skip="marks").values("pk")
    # Meta.ordering does not apply to a GROUP BY query, so the order is spelled out.
    return list(
        QualityMark.objects.annotate(
            num_products=Count("products", filter=Q(products__in=matching), distinct=True)
        ).order_by("display_order", "code")
    )


#: Categories change rarely and are read on every page (header menu, filter list); a new or renamed
#: category shows up within this many seconds.
CATEGORY_CACHE_SECONDS = 300


def browsable_categories() -> list:
    """Every public category in tree order, from the cache when it can be."""
    return cache.get_or_set(
        "storefront:browsable-categories", lambda: list(Category.objects.browsable()), CATEGORY_CACHE_SECONDS
    )


def menu_categories() -> list:
    """The top-level categories the header menu shows."""
    return [c for c in browsable_categories() if c.depth == 1 and not c.exclude_from_menu]


def category_cards() -> list:
    """Top-level public categories, each with ``num_products``: browsable products in it or below.

    One query for the categories and one for all the counts (a product filed under two
    subcategories of one root is counted once), both cached.
    """
    roots = [c for c in browsable_categories() if c.depth == 1]
    by_root = cache.get_or_set("storefront:category-counts", _products_per_root_category, FACET_CACHE_SECONDS)
    for category in roots:
        category.num_products = by_root.get(category.path, 0)
    return roots


def _products_per_root_category() -> dict[str, int]:
    steplen = Category.steplen
    counts = (
        ProductCategory.objects.filter(product__in=products_on_sale().values("pk"), category__is_public=True)
        .annotate(root=Substr("category__path", 1, steplen))
        .order_by()
        .values("root")
        .annotate(n=Count("product", distinct=True))
    )
    return {row["root"]: row["n"] for row in counts}


def featured_products(*, limit: int = 8) -> list:
    """Products merchandised on the home page: Oscar's ``priority`` above 0, highest first.

    When nothing is featured, the newest products stand in, so the home page is never empty
    while there is something to sell.
    """
    base = product_card_queryset()
    featured = products_for_cards(
        base.filter(priority__gt=0).order_by("-priority", "-date_created", "-pk")[:limit]
    )
    if featured:
        return featured
    return products_for_cards(base.order_by("-date_created", "-pk")[:limit])


def product_detail_queryset() -> QuerySet:
    """Products with what the product page renders prefetched: attributes, images, stock, marks.

    A parent's children are left to the strategy, which fetches them with their stock in one go.
    """
    return (
        _with_option_flags(Product.objects.select_related("product_class", "parent", "parent__product_class"))
        .prefetch_related("stockrecords", "images", "quality_marks")
        .prefetch_attribute_values()
        .prefetch_browsable_categories()
    )


def _recommended_ids(product, *, limit: int) -> list[int]:
    """Editors' recommendations, best ranked first; else others from the product's first category."""
    ranked = list(
        ProductRecommendation.objects.filter(primary=product)
        .order_by("-ranking", "pk")
        .values_list("recommendation_id", flat=True)[:limit]
    )
    if ranked:
        return ranked
    categories = product.get_categories()
    category = categories[0] if len(categories) else None
    if category is None:
        return []
    return list(
        products_on_sale()
        .filter(_in_category(category))
        .exclude(pk=product.pk)
        .order_by("-priority", "-date_created", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


def recommended_products(product, *, limit: int = 4) -> list:
    """The product page's recommendations, as cards (editors' picks, else the same category).

    Which products to recommend is cached like the facet counts; the cards are always live (a
    product taken off sale since drops out at once)."""
    ids = cache.get_or_set(
        f"storefront:recommended:{product.pk}:{limit}",
        lambda: _recommended_ids(product, limit=limit),
        FACET_CACHE_SECONDS,
    )
    return _cards_in_order(ids)


def recently_viewed_products(viewed_ids: list, *, exclude: int | None = None, limit: int = 4) -> list:
    """The visitor's recently viewed products, latest first, as cards; ``exclude`` is the page's own.

    ``viewed_ids`` come from Oscar's history cookie (latest last) and are the buyer's to tamper
    with, so only whole numbers count, and only browsable products are shown.
    """
    viewed_ids = [pk for pk in viewed_ids if isinstance(pk, int) and not isinstance(pk, bool)]
    return _cards_in_order([pk for pk in reversed(viewed_ids) if pk != exclude][:limit])


def _cards_in_order(ids: list[int]) -> list:
    """Browsable products by primary key, as cards, in the order given; no query for no ids."""
    if not ids:
        return []
    cards = product_card_queryset().in_bulk(ids)
    return products_for_cards(cards[pk] for pk in ids if pk in cards)


def category_for_page(pk: int, *, include_hidden: bool = False):
    """A browsable category by primary key (any category for staff previews), or None.

    Served from the cached list; a category created since the cache was filled is looked up.
    """
    if not include_hidden:
        for category in browsable_categories():
            if category.pk == pk:
                return category
    categories = Category.objects.all() if include_hidden else Category.objects.browsable()
    return categories.filter(pk=pk).first()


def category_children(category) -> list:
    """The browsable categories one level below ``category``, in tree order."""
    return [
        c
        for c in browsable_categories()
        if c.depth == category.depth + 1 and c.path.startswith(category.path)
    ]


def category_trail(category) -> list:
    """The category and its ancestors, root first (for breadcrumbs)."""
    if category is None:
        return []
    trail = [c for c in browsable_categories() if category.path.startswith(c.path) and c.pk != category.pk]
    return [*sorted(trail, key=lambda c: c.depth), category]
