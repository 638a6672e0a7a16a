"""Search without an index: Chinese substrings over title, brand, description and county names.

Run on SQLite by default and on PostgreSQL with DATABASE_URL=postgres://…; both must agree.
"""

import pytest

from core.places import County
from tests.catalogue.builders import shelf_product, titles
from tests.factories.catalogue import ShiyanProductFactory

pytestmark = pytest.mark.django_db

SEARCH = "/shop/search/"


def test_searching_shiitake_finds_a_product_with_it_inside_the_title(client):
    shelf_product(title="房县香菇 干货 250克", brand="")
    shelf_product(title="竹溪贡茶 春茶", brand="竹溪贡茶", origin_county=County.ZHUXI)

    response = client.get(SEARCH, {"q": "香菇"})

    assert response.status_code == 200
    assert titles(response) == ["房县香菇 干货 250克"]


def test_search_matches_brand_description_and_county_names(client):
    shelf_product(title="花菇 礼盒", brand="房县香菇", origin_county=County.ZHUXI)
    shelf_product(title="秋耳", brand="", description="<p>房县深山的黑木耳</p>", origin_county=County.ZHUXI)
    shelf_product(title="土城老黄酒", brand="", origin_county=County.FANGXIAN)
    shelf_product(title="丹江口蜜桔", brand="", origin_county=County.DANJIANGKOU)

    by_brand = titles(client.get(SEARCH, {"q": "香菇"}))
    by_description = titles(client.get(SEARCH, {"q": "黑木耳"}))
    by_county = titles(client.get(SEARCH, {"q": "房县"}))

    assert by_brand == ["花菇 礼盒"]
    assert by_description == ["秋耳"]
    assert set(by_county) == {"花菇 礼盒", "秋耳", "土城老黄酒"}


def test_an_english_county_name_finds_that_countys_products(client):
    shelf_product(title="竹溪贡茶", brand="", origin_county=County.ZHUXI)
    shelf_product(title="房县香菇", brand="", origin_county=County.FANGXIAN)

    response = client.get(SEARCH, {"q": "zhuxi"})

    assert titles(response) == ["竹溪贡茶"]


def test_every_word_of_the_query_must_match(client):
    shelf_product(title="房县香菇 250克", brand="")
    shelf_product(title="房县黑木耳 250克", brand="")

    response = client.get(SEARCH, {"q": "香菇\u3000250克"})  # an ideographic space between the words

    assert titles(response) == ["房县香菇 250克"]


def test_full_width_letters_and_digits_match_their_ascii_form(client):
    shelf_product(title="武当道茶 AAA 100g", brand="")

    response = client.get(SEARCH, {"q": "ＡＡＡ １００ｇ"})

    assert titles(response) == ["武当道茶 AAA 100g"]


@pytest.mark.parametrize("query", ["extra virgin 500ML", "EXTRA Virgin 500ml", "特级初榨 500mL"])
def test_letters_match_in_any_case_and_words_without_case_match_as_they_are(client, query):
    shelf_product(title="丹江口橄榄油 Extra Virgin 500ml", brand="", description="<p>特级初榨</p>")
    shelf_product(title="郧西马头山羊 肉干", brand="")

    response = client.get(SEARCH, {"q": query})

    assert titles(response) == ["丹江口橄榄油 Extra Virgin 500ml"]


def test_title_matches_come_before_description_matches(client):
    shelf_product(title="礼盒 A", brand="", description="<p>内含香菇</p>", age_days=1)
    shelf_product(title="香菇 B", brand="", age_days=5)

    response = client.get(SEARCH, {"q": "香菇"})

    assert titles(response) == ["香菇 B", "礼盒 A"]


def test_wildcard_characters_are_searched_literally(client):
    shelf_product(title="房县香菇", brand="")
    shelf_product(title="纯度 100% 橄榄油", brand="")

    assert titles(client.get(SEARCH, {"q": "%"})) == ["纯度 100% 橄榄油"]
    assert titles(client.get(SEARCH, {"q": "_"})) == []


def test_search_never_shows_products_that_are_not_public(client):
    shelf_product(title="房县香菇 在售", brand="")
    ShiyanProductFactory(title="房县香菇 下架", is_public=False)

    assert titles(client.get(SEARCH, {"q": "香菇"})) == ["房县香菇 在售"]


def test_a_barcode_finds_its_product(client):
    shelf_product(title="郧阳橄榄油", brand="", gtin="6901234567892")
    shelf_product(title="房县香菇", brand="")

    assert titles(client.get(SEARCH, {"q": "6901234567892"})) == ["郧阳橄榄油"]


def test_an_empty_query_lists_everything(client):
    shelf_product(title="房县香菇", brand="")
    shelf_product(title="竹溪贡茶", brand="")

    response = client.get(SEARCH, {"q": "   "})

    assert response.status_code == 200
    assert len(titles(response)) == 2


def test_a_query_with_no_match_says_so_and_suggests_a_shorter_word(client):
    shelf_product(title="房县香菇", brand="")

    response = client.get(SEARCH, {"q": "松露"})

    assert titles(response) == []
    assert "松露" in response.content.decode()
    assert response.context["query"] == "松露"


def test_a_very_long_query_is_cut_not_refused(client):
    shelf_product(title="房县香菇", brand="")

    response = client.get(SEARCH, {"q": "香菇" + "x" * 5000})

    assert response.status_code == 200
    assert titles(response) == []
