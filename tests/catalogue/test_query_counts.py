"""Query counts of the hot storefront pages are pinned: an N+1 fails here, not in production."""

import pytest
from django.test.utils import CaptureQueriesContext

from core.places import County
from tests.catalogue.builders import category, quality_mark, shelf_product

pytestmark = pytest.mark.django_db

LIST_PAGE_MAX_QUERIES = 20


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


def test_a_signed_in_buyer_with_a_basket_stays_within_the_list_budget(
    client, stock_the_shop, django_assert_max_num_queries
):
    from oscar.test.factories import UserFactory

    stock_the_shop(30)
    client.force_login(UserFactory())
    product = shelf_product(title="竹溪贡茶")
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})

    with django_assert_max_num_queries(LIST_PAGE_MAX_QUERIES + 6):  # session, user, basket, offers
        response = client.get("/shop/catalogue/")

    assert response.status_code == 200


@pytest.mark.parametrize("count", [8, 40])
def test_the_home_page_costs_at_most_12_queries(client, stock_the_shop, django_assert_max_num_queries, count):
    stock_the_shop(count)

    with django_assert_max_num_queries(12):
        response = client.get("/shop/")

    assert response.status_code == 200


def test_the_product_page_costs_at_most_28_queries(client, stock_the_shop, django_assert_max_num_queries):
    stock_the_shop(30)
    product = shelf_product(title="房县香菇 页面", picture=True, in_category=category("茶叶", "tea"))
    for n in range(4):  # recently viewed products come from a cookie: they must not add queries each
        client.get(shelf_product(title=f"浏览 {n}", picture=True).get_absolute_url())

    with django_assert_max_num_queries(28):
        response = client.get(product.get_absolute_url())

    assert response.status_code == 200
    assert len(response.context["recently_viewed_products"]) == 4
