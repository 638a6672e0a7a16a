"""The dashboard's product list shows, and filters by, where a product comes from and its brand."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from core.places import County
from tests.factories.catalogue import product_in_stock

pytestmark = pytest.mark.django_db

LIST_URL = reverse("dashboard:catalogue-product-list")


def _rows(response) -> list[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [" ".join(row.get_text(" ").split()) for row in soup.select("table tbody tr")]


def _headers(response) -> list[str]:
    soup = BeautifulSoup(response.content.decode(), "html.parser")
    return [" ".join(th.get_text(" ").split()) for th in soup.select("table thead th")]


def test_product_list_shows_origin_county_and_brand(staff_client):
    product_in_stock(title="房县花菇 250克", origin_county=County.FANGXIAN, brand="房县香菇")

    response = staff_client.get(LIST_URL)

    assert {"产地", "品牌"} <= set(_headers(response))
    [row] = _rows(response)
    assert "房县花菇 250克" in row and "房县" in row and "房县香菇" in row


def test_product_list_filters_by_origin_county(staff_client):
    product_in_stock(title="房县花菇 250克", origin_county=County.FANGXIAN, brand="房县香菇")
    product_in_stock(title="丹江口蜜橘 5斤装", origin_county=County.DANJIANGKOU, brand="丹江口柑橘")

    response = staff_client.get(LIST_URL, {"origin_county": County.DANJIANGKOU})

    [row] = _rows(response)
    assert "丹江口蜜橘" in row


def test_product_list_filters_by_part_of_the_brand(staff_client):
    product_in_stock(title="房县花菇 250克", brand="房县香菇")
    product_in_stock(title="武当针井 100克", brand="武当道茶")

    response = staff_client.get(LIST_URL, {"brand": "道茶"})

    [row] = _rows(response)
    assert "武当针井" in row


def test_product_list_query_count_does_not_grow_with_the_page(staff_client, django_assert_max_num_queries):
    for n in range(20):
        product_in_stock(title=f"房县香菇 {n}", origin_county=County.FANGXIAN, brand="房县香菇")

    with django_assert_max_num_queries(16):
        response = staff_client.get(LIST_URL)

    assert len(_rows(response)) == 20
