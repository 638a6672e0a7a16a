"""Filters, sorting and pagination shared by all products, category pages and search results."""

import pytest

from core.places import County
from tests.catalogue.builders import category, quality_mark, shelf_product, titles

pytestmark = pytest.mark.django_db

ALL = "/shop/catalogue/"


@pytest.fixture
def mushrooms():
    root = category("食用菌", "mushrooms")
    return {"root": root, "shiitake": category("香菇", "shiitake", parent=root)}


def test_a_category_filter_includes_products_filed_below_it(client, mushrooms):
    tea = category("茶叶", "tea")
    shelf_product(title="花菇", in_category=mushrooms["shiitake"])
    shelf_product(title="木耳", in_category=mushrooms["root"])
    shelf_product(title="绿茶", in_category=tea)

    response = client.get(ALL, {"category": mushrooms["root"].pk})

    assert sorted(titles(response)) == ["木耳", "花菇"]


def test_a_category_page_lists_its_subcategories_products_once(client, mushrooms):
    both = shelf_product(title="花菇", in_category=mushrooms["shiitake"])
    both.categories.add(mushrooms["root"])
    shelf_product(title="绿茶", in_category=category("茶叶", "tea"))

    response = client.get(mushrooms["root"].get_absolute_url())

    assert response.status_code == 200
    assert titles(response) == ["花菇"]
    assert [c.name for c in response.context["subcategories"]] == ["香菇"]


def test_a_category_url_with_an_old_slug_redirects_and_keeps_the_query(client, mushrooms):
    url = f"/shop/catalogue/category/old-name_{mushrooms['root'].pk}/?sort_by=newest"

    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == mushrooms["root"].get_absolute_url() + "?sort_by=newest"


def test_the_county_filter_keeps_one_county(client):
    shelf_product(title="房县香菇", origin_county=County.FANGXIAN)
    shelf_product(title="竹溪贡茶", origin_county=County.ZHUXI)

    response = client.get(ALL, {"county": County.ZHUXI})

    assert titles(response) == ["竹溪贡茶"]
    counts = {facet["code"]: facet["count"] for facet in response.context["county_facets"]}
    assert counts == {County.FANGXIAN: 1, County.ZHUXI: 1}


def test_the_quality_mark_filter_keeps_products_carrying_a_chosen_mark(client):
    organic = quality_mark("organic", "有机产品")
    origin = quality_mark("gi", "地理标志")
    shelf_product(title="有机香菇", marks=[organic])
    shelf_product(title="地标黄酒", marks=[origin])
    shelf_product(title="普通木耳")

    response = client.get(ALL, {"mark": ["organic"]})

    assert titles(response) == ["有机香菇"]
    counts = {facet["code"]: facet["count"] for facet in response.context["mark_facets"]}
    assert counts == {"organic": 1, "gi": 1}


def test_the_price_range_is_inclusive_at_both_ends(client):
    for price in ["9.99", "10.00", "39.80", "50.00", "50.01"]:
        shelf_product(title=f"¥{price}", price=price)

    response = client.get(ALL, {"price_min": "10", "price_max": "50", "sort_by": "price-asc"})

    assert titles(response) == ["¥10.00", "¥39.80", "¥50.00"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"price_min": "abc"}, "Enter a number."),
        ({"price_max": "-5"}, "Ensure this value is greater than or equal to 0."),
        ({"price_min": "80", "price_max": "20"}, "is above the highest price"),
        ({"county": "atlantis"}, "Select a valid choice."),
        ({"mark": ["no-such-mark"]}, "Select a valid choice."),
        ({"category": "999999"}, "Select a valid choice."),
        ({"sort_by": "cheapest-first"}, "Select a valid choice."),
    ],
)
def test_bad_filter_input_gives_a_message_not_an_error_page(client, settings, params, message):
    settings.LANGUAGE_CODE = "en"
    shelf_product(title="房县香菇")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = client.get(ALL, params)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in response.content.decode()
    assert titles(response) == ["房县香菇"]


def test_a_bad_filter_does_not_drop_the_good_ones(client):
    shelf_product(title="房县香菇", origin_county=County.FANGXIAN)
    shelf_product(title="竹溪贡茶", origin_county=County.ZHUXI)

    response = client.get(ALL, {"county": County.ZHUXI, "price_min": "abc"})

    assert titles(response) == ["竹溪贡茶"]


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ("", ["推荐", "新品", "中间", "老货"]),
        ("newest", ["新品", "中间", "推荐", "老货"]),
        ("price-asc", ["新品", "老货", "中间", "推荐"]),
        ("price-desc", ["推荐", "中间", "老货", "新品"]),
        ("title-asc", sorted(["推荐", "新品", "中间", "老货"])),
    ],
)
def test_products_sort_by_the_chosen_order(client, sort_by, expected):
    shelf_product(title="老货", price="20.00", age_days=30)
    shelf_product(title="中间", price="30.00", age_days=10)
    shelf_product(title="新品", price="10.00", age_days=0)
    shelf_product(title="推荐", price="90.00", age_days=20, priority=5)

    response = client.get(ALL, {"sort_by": sort_by})

    assert titles(response) == expected


def test_lists_show_24_products_a_page_and_the_rest_on_the_next(client):
    for n in range(30):
        shelf_product(title=f"香菇 {n:02d}", age_days=n)

    first = client.get(ALL, {"sort_by": "newest"})
    second = client.get(ALL, {"sort_by": "newest", "page": 2})

    assert titles(first) == [f"香菇 {n:02d}" for n in range(24)]
    assert titles(second) == [f"香菇 {n:02d}" for n in range(24, 30)]
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize(("page", "shown"), [("99", 2), ("abc", 1), ("-1", 2)])
def test_a_page_number_out_of_range_shows_a_real_page(client, page, shown):
    for n in range(30):
        shelf_product(title=f"香菇 {n:02d}")

    response = client.get(ALL, {"page": page})

    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_filter_links_keep_the_other_parameters(client):
    organic = quality_mark("organic", "有机产品")
    shelf_product(title="有机香菇", marks=[organic], origin_county=County.FANGXIAN)

    response = client.get(ALL, {"mark": "organic", "county": County.FANGXIAN, "page": "1"})

    page = response.content.decode()
    assert 'href="?county=fangxian"' in page  # removing the mark keeps the county, drops the page
    assert 'href="?mark=organic"' in page


def test_search_results_and_all_products_share_the_filters(client):
    shelf_product(title="房县香菇", origin_county=County.FANGXIAN, price="30.00")
    shelf_product(title="房县香菇 礼盒", origin_county=County.FANGXIAN, price="130.00")

    response = client.get("/shop/search/", {"q": "香菇", "price_max": "100"})

    assert titles(response) == ["房县香菇"]
