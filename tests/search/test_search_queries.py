"""What buyers type, and what it must find: a table of real queries against a small Shiyan shelf.

Chinese words and their everyday variants (橘子/桔子, 蘑菇 for any 菇, 茶叶 for 春茶), brand and county
names, pinyin and initials typed on a Latin keyboard, English, homophone typos (香姑, 磨菇) and letter
typos (xainggu), each through the search page as a buyer would. Every failing row is reported at once.
Runs on SQLite by default and on PostgreSQL in CI; both must agree.
"""

import pytest

from core.places import County
from shop.search.models import SearchSynonym
from tests.catalogue.builders import category, shelf_product, titles
from tests.factories.catalogue import ShiyanProductClassFactory

pytestmark = pytest.mark.django_db

SEARCH = "/shop/search/"


@pytest.fixture
def shelf():
    dried = category("干货菌菇", "dried-fungi")
    shiitake = category("香菇", "shiitake", dried)
    fungus = category("黑木耳", "black-fungus", dried)
    tea = category("茶叶", "tea")
    green = category("绿茶", "green-tea", tea)
    black = category("红茶", "black-tea", tea)
    fruit = category("新鲜水果", "fresh-fruit")
    citrus = category("柑橘", "citrus", fruit)
    wine = category("黄酒", "yellow-wine")
    oil = category("橄榄油", "olive-oil")
    food = category("地方特产", "specialty-food")
    kinds = {name: ShiyanProductClassFactory(name=name) for name in ("干货", "茶", "鲜果", "酒水", "粮油")}
    rows = [
        ("房县花菇 特级 250克礼盒", "房县香菇", County.FANGXIAN, shiitake),
        ("房县椴木香菇 厚菇 500克", "房县香菇", County.FANGXIAN, shiitake),
        ("房县黑木耳 小碗耳 250克", "房县黑木耳", County.FANGXIAN, fungus),
        ("房县秋木耳 便携装 100克", "房县黑木耳", County.FANGXIAN, fungus),
        ("房县土城黄酒 原浆 2.5升桶装", "房县黄酒", County.FANGXIAN, wine),
        ("房县桂花黄酒 750毫升", "房县黄酒", County.FANGXIAN, wine),
        ("竹溪贡茶 明前特级 绿茶 100克", "竹溪贡茶", County.ZHUXI, green),
        ("竹溪工夫红茶 150克", "竹溪贡茶", County.ZHUXI, black),
        ("竹山圣水毛尖 特级 125克", "圣水绿茶", County.ZHUSHAN, green),
        ("武当道茶 一级绿茶 250克", "武当道茶", County.WUDANGSHAN, green),
        ("丹江口蜜橘 5斤装", "丹江口柑橘", County.DANJIANGKOU, citrus),
        ("丹江口椪柑 5斤装", "丹江口柑橘", County.DANJIANGKOU, citrus),
        ("黄龙镇蜜橘 5斤装", "黄龙果蔬", County.ZHANGWAN, citrus),
        ("郧阳特级初榨橄榄油 500毫升", "郧阳橄榄油", County.YUNYANG, oil),
        ("郧西手工红薯粉条 1千克", "山里人家", County.YUNXI, food),
    ]
    kind_of = {dried: "干货", tea: "茶", fruit: "鲜果", wine: "酒水", oil: "粮油", food: "粮油"}
    for title, brand, county, filed in rows:
        kind = kinds[kind_of[filed.get_root() if filed.depth > 1 else filed]]
        shelf_product(title=title, brand=brand, origin_county=county, in_category=filed, product_class=kind)


MUSHROOMS = {"房县花菇 特级 250克礼盒", "房县椴木香菇 厚菇 500克"}
FUNGUS = {"房县黑木耳 小碗耳 250克", "房县秋木耳 便携装 100克"}
WINE = {"房县土城黄酒 原浆 2.5升桶装", "房县桂花黄酒 750毫升"}
GREEN_TEA = {"竹溪贡茶 明前特级 绿茶 100克", "竹山圣水毛尖 特级 125克", "武当道茶 一级绿茶 250克"}
TEA = GREEN_TEA | {"竹溪工夫红茶 150克"}
TANGERINES = {"丹江口蜜橘 5斤装", "黄龙镇蜜橘 5斤装"}
CITRUS = TANGERINES | {"丹江口椪柑 5斤装"}
OIL = {"郧阳特级初榨橄榄油 500毫升"}
NOODLES = {"郧西手工红薯粉条 1千克"}
FANGXIAN = MUSHROOMS | FUNGUS | WINE

#: query → (titles it must find, titles it must not find)
QUERIES = [
    # Chinese words and their everyday variants
    ("茶叶", TEA, CITRUS),
    ("茶", TEA, MUSHROOMS),
    ("绿茶", GREEN_TEA, {"竹溪工夫红茶 150克"}),
    ("红茶", {"竹溪工夫红茶 150克"}, {"武当道茶 一级绿茶 250克"}),
    ("毛尖", {"竹山圣水毛尖 特级 125克"}, set()),
    ("蘑菇", MUSHROOMS, TEA),
    ("香菇", MUSHROOMS, WINE),
    ("花菇", {"房县花菇 特级 250克礼盒"}, WINE),
    ("香菇干", MUSHROOMS, TEA),
    ("干香菇", MUSHROOMS, TEA),
    ("菌菇", MUSHROOMS, TEA),
    ("木耳", FUNGUS, MUSHROOMS),
    ("黑木耳", FUNGUS, WINE),
    ("橘子", TANGERINES, OIL),
    ("桔子", TANGERINES, OIL),
    ("蜜桔", TANGERINES, OIL),
    ("蜜橘", TANGERINES, OIL),
    ("柑橘", CITRUS, OIL),
    ("椪柑", {"丹江口椪柑 5斤装"}, set()),
    ("黄酒", WINE, TEA),
    ("橄榄油", OIL, WINE),
    ("橄榄", OIL, WINE),
    ("粉条", NOODLES, set()),
    ("红薯", NOODLES, set()),
    ("蜜橘 5斤", TANGERINES, OIL),
    # counties and brands
    ("房县", FANGXIAN, TEA),
    ("竹溪", {"竹溪贡茶 明前特级 绿茶 100克", "竹溪工夫红茶 150克"}, MUSHROOMS),
    ("竹山", {"竹山圣水毛尖 特级 125克"}, MUSHROOMS),
    ("丹江口", {"丹江口蜜橘 5斤装", "丹江口椪柑 5斤装"}, MUSHROOMS),
    ("郧阳", OIL, MUSHROOMS),
    ("郧西", NOODLES, MUSHROOMS),
    ("武当", {"武当道茶 一级绿茶 250克"}, MUSHROOMS),
    ("房县香菇", MUSHROOMS, WINE),
    ("竹溪贡茶", {"竹溪贡茶 明前特级 绿茶 100克", "竹溪工夫红茶 150克"}, MUSHROOMS),
    ("圣水绿茶", {"竹山圣水毛尖 特级 125克"}, MUSHROOMS),
    ("武当道茶", {"武当道茶 一级绿茶 250克"}, MUSHROOMS),
    # pinyin and initials
    ("xianggu", MUSHROOMS, WINE),
    ("xg", {"房县椴木香菇 厚菇 500克"}, set()),
    ("mogu", MUSHROOMS, TEA),
    ("chaye", TEA, MUSHROOMS),
    ("juzi", TANGERINES, OIL),
    ("muer", FUNGUS, WINE),
    ("huangjiu", WINE, TEA),
    ("ganlanyou", OIL, WINE),
    ("gly", OIL, set()),
    ("hj", WINE, set()),
    ("fangxian", FANGXIAN, TEA),
    ("zhuxi", {"竹溪贡茶 明前特级 绿茶 100克", "竹溪工夫红茶 150克"}, MUSHROOMS),
    ("FangXian", FANGXIAN, TEA),
    # English
    ("Danjiangkou", {"丹江口蜜橘 5斤装"}, MUSHROOMS),
    ("tea", TEA, MUSHROOMS),
    ("ＴＥＡ", TEA, MUSHROOMS),
    ("mushroom", MUSHROOMS, TEA),
    ("olive", OIL, TEA),
    # typos: a character that sounds the same, a letter missing or too many, a word too long
    ("香姑", MUSHROOMS, TEA),
    ("磨菇", MUSHROOMS, TEA),
    ("黑木儿", FUNGUS, TEA),
    ("橄揽油", OIL, TEA),
    ("黄久", WINE, TEA),
    ("xainggu", MUSHROOMS, TEA),
    ("xinggu", MUSHROOMS, TEA),
    ("huanjiu", WINE, TEA),
    ("ganlanyoo", OIL, TEA),
    ("香菇子", MUSHROOMS, TEA),
]


def test_the_table_has_at_least_fifty_real_queries():
    assert len(QUERIES) >= 50


def test_every_query_in_the_table_finds_what_a_buyer_means(client, shelf):
    failures = []
    for query, must, must_not in QUERIES:
        found = set(titles(client.get(SEARCH, {"q": query})))
        missing, wrong = must - found, must_not & found
        if missing or wrong:
            failures.append(f"{query!r}: missing {sorted(missing)}, should not find {sorted(wrong)}")
    assert not failures, "\n".join(failures)


def test_a_corrected_search_says_so_and_offers_the_exact_one(client, shelf):
    response = client.get(SEARCH, {"q": "xainggu"})

    assert response.context["corrected_from"] == "xainggu"
    assert response.context["query"] == "香菇"
    assert "exact=1" in response.content.decode()
    exact = client.get(SEARCH, {"q": "xainggu", "exact": "1"})
    assert titles(exact) == []


def test_a_search_with_no_result_suggests_close_words_and_the_categories(client, shelf):
    response = client.get(SEARCH, {"q": "手机壳"})

    assert titles(response) == []
    names = [category.name for category in response.context["suggested_categories"]]
    assert {"干货菌菇", "茶叶", "新鲜水果"} <= set(names)
    page = response.content.decode()
    assert "干货菌菇" in page


def test_a_close_word_is_suggested_when_even_it_finds_nothing_with_the_rest(client, shelf):
    response = client.get(SEARCH, {"q": "香菇子 咖啡"})

    assert titles(response) == []
    assert "香菇" in response.context["suggested_words"]


def test_staff_synonyms_apply_to_the_next_search(client, shelf):
    exactly = {"q": "山货", "exact": "1"}  # (without it, 山货 shanhuo would be corrected to 干货 ganhuo)
    assert titles(client.get(SEARCH, exactly)) == []

    SearchSynonym.objects.create(words="山货 黑木耳")

    assert set(titles(client.get(SEARCH, exactly))) == FUNGUS


def test_renaming_a_category_reindexes_its_products(client, shelf):
    from oscar.core.loading import get_model

    Category = get_model("catalogue", "Category")
    noodles = Category.objects.get(slug="specialty-food")
    noodles.name = "山野干货"
    noodles.save()

    assert set(titles(client.get(SEARCH, {"q": "山野干货"}))) == NOODLES


def test_a_synonym_needs_two_different_words():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        SearchSynonym(words="茶 茶").full_clean()
