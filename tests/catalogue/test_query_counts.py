"""Query counts of the hot storefront pages are pinned: an N+1 fails here, not in production."""

import pytest
from django.test.utils import CaptureQueriesContext

from core.places import County
from tests.catalogue.builders import category, quality_mark, shelf_product

pytestmark = pytest.mark.django_db

LIST_PAGE_MAX_QUERIES = 20
# Counts are taken with a cold cache: the editors' footer (menu + settings, cached for every page
# once read) is 2 of them.


@pytest.fixture
def stock_the_shop():
    def stock(count):
        root = category("食用菌", "mushrooms")
        shiitake = category("香菇", "shiitake", parent=root)
        marks = [quality_mark("organic", "有机产品"), quality_mark("gi", "地理标志")]
        counties = [County.FANGXIAN, County.ZHUXI, County.YUNYANG]
        for n in range(count):
            shelf_product(
                title=f"房县香菇 {n}",
                in_category=shiitake if n % 2 else root,
                marks=marks[: n % 3],
                origin_county=counties[n % 3],
                picture=n % 4 == 0,
                priority=n % 5,
            )
        return root

    return stock


def _count_queries(client, url):
    from django.db import connection

    client.get(url)  # warm caches that are per-process, not per-request (URL resolvers, templates)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [30, 90])
@pytest.mark.parametrize(
    "url",
    [
        "/shop/catalogue/",
        "/shop/catalogue/?county=zhuxi&mark=organic&price_min=1&price_max=999&sort_by=price-asc",
        "/shop/search/?q=香菇&sort_by=relevancy",
        "category",
    ],
)
def test_a_product_list_costs_at_most_20_queries_however_many_products(
    client, stock_the_shop, django_assert_max_num_queries, count, url
):
    root = stock_the_shop(count)
    url = root.get_absolute_url() if url == "category" else url

    with django_assert_max_num_queries(LIST_PAGE_MAX_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["products"]) == (min(count // 3, 24) if "zhuxi" in url else 24)


def test_a_list_page_costs_the_same_for_30_and_90_products(client, stock_the_shop):
    stock_the_shop(30)
    with_30 = _count_queries(client, "/shop/catalogue/")
    stock_the_shop_more = [shelf_product(title=f"竹溪贡茶 {n}", picture=True) for n in range(60)]
    assert len(stock_the_shop_more) == 60

    with_90 = _count_queries(client, "/shop/catalogue/")

    assert with_30 == with_90


@pytest.mark.parametrize("lines", [1, 6])
def test_a_signed_in_buyer_with_a_full_basket_stays_within_the_list_budget(
    client, stock_the_shop, django_assert_max_num_queries, lines
):
    from oscar.test.factories import UserFactory

    stock_the_shop(30)
    client.force_login(UserFactory())
    for n in range(lines):
        client.post(f"/shop/basket/add/{shelf_product(title=f'竹溪贡茶 {n}').pk}/", {"quantity": 2})

    with django_assert_max_num_queries(LIST_PAGE_MAX_QUERIES):
        response = client.get("/shop/catalogue/")

    assert response.status_code == 200
    assert response.wsgi_request.basket.num_lines == lines


@pytest.mark.parametrize("lines", [1, 8])
def test_the_basket_page_costs_the_same_for_1_and_8_lines(client, django_assert_max_num_queries, lines):
    for n in range(lines):
        client.post(
            f"/shop/basket/add/{shelf_product(title=f'竹溪贡茶 {n}', picture=True).pk}/", {"quantity": 1}
        )

    with django_assert_max_num_queries(14):
        response = client.get("/shop/basket/")

    assert len(response.context["formset"].forms) == lines


@pytest.mark.parametrize("count", [8, 40])
def test_the_home_page_costs_at_most_10_queries(client, stock_the_shop, django_assert_max_num_queries, count):
    stock_the_shop(count)

    with django_assert_max_num_queries(10):
        response = client.get("/shop/")

    assert response.status_code == 200
    assert 0 < len(response.context["featured_products"]) <= 8


def _view_products(client, how_many):
    for n in range(how_many):
        client.get(shelf_product(title=f"浏览 {n}", picture=True).get_absolute_url())


@pytest.mark.parametrize("viewed", [1, 4])
def test_the_product_page_costs_at_most_18_queries(
    client, stock_the_shop, django_assert_max_num_queries, viewed
):
    """15 for the page itself, 2 for the "grown by" supplier line (suppliers_tags), 1 for the link to
    the trace page of the batch on sale (traceability_tags): 18, no spare. The visitor's history
    costs nothing here: the browser fetches it (next test)."""
    stock_the_shop(30)
    product = shelf_product(title="房县香菇 页面", picture=True, in_category=category("茶叶", "tea"))
    _view_products(client, viewed)

    with django_assert_max_num_queries(18):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert "recently_viewed_products" not in response.context


@pytest.mark.parametrize("viewed", [1, 4])
def test_the_recently_viewed_strip_costs_the_same_for_1_and_4_products(
    client, stock_the_shop, django_assert_max_num_queries, viewed
):
    stock_the_shop(8)
    _view_products(client, viewed)

    with django_assert_max_num_queries(6):
        response = client.get("/shop/catalogue/recently-viewed/")

    assert response.status_code == 200
    assert len(response.context["recently_viewed_products"]) == viewed


@pytest.mark.parametrize("lines", [1, 5])
def test_a_signed_in_buyer_with_a_basket_gets_the_product_page_in_at_most_35_queries(
    client, stock_the_shop, django_assert_max_num_queries, lines
):
    """Session, user, permissions, basket and offers, alerts, wishlists, reviews and analytics
    each cost a query; nothing costs one per basket line or per product shown. The trace link of the
    batch on sale costs one (34 before it)."""
    from oscar.test.factories import UserFactory

    stock_the_shop(30)
    client.force_login(UserFactory())
    for n in range(lines):
        client.post(f"/shop/basket/add/{shelf_product(title=f'竹溪贡茶 {n}').pk}/", {"quantity": 1})
    _view_products(client, 4)
    product = shelf_product(title="房县香菇 页面", picture=True, in_category=category("茶叶", "tea"))
    client.get(product.get_absolute_url())  # Oscar's analytics create their counter rows on a first view

    with django_assert_max_num_queries(35):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("lines", [1, 5])
def test_a_signed_in_buyer_with_a_basket_gets_the_home_page_in_at_most_20_queries(
    client, stock_the_shop, django_assert_max_num_queries, lines
):
    from oscar.test.factories import UserFactory

    stock_the_shop(30)
    client.force_login(UserFactory())
    for n in range(lines):
        client.post(f"/shop/basket/add/{shelf_product(title=f'竹溪贡茶 {n}').pk}/", {"quantity": 1})

    with django_assert_max_num_queries(20):
        response = client.get("/shop/")

    assert response.status_code == 200


def _parent_with_children(title, prices):
    from decimal import Decimal

    from tests.factories.catalogue import ShiyanProductFactory, ShiyanStockRecordFactory

    parent = ShiyanProductFactory(title=title, structure="parent")
    for n, price in enumerate(prices):
        child = ShiyanProductFactory(
            title=f"{title} {n}", structure="child", parent=parent, product_class=None
        )
        ShiyanStockRecordFactory(product=child, price=Decimal(price))
    return parent


@pytest.mark.parametrize("parents", [2, 12])
def test_products_with_variants_are_priced_without_a_query_each(
    client, django_assert_max_num_queries, parents
):
    for n in range(parents):
        _parent_with_children(f"房县香菇 规格{n}", ["95.00", "45.00"])  # the newest child prices it
    shelf_product(title="竹溪贡茶", price="88.00")

    with django_assert_max_num_queries(LIST_PAGE_MAX_QUERIES):
        response = client.get("/shop/catalogue/", {"sort_by": "price-asc"})

    page = response.content.decode()
    assert [p.title for p in response.context["products"]][-1] == "竹溪贡茶"
    assert "¥45.00" in page and "¥95.00" not in page
