import pytest
from oscar.core.loading import get_model

from core.places import County
from tests.catalogue.builders import category, quality_mark, shelf_product
from tests.factories.catalogue import ShiyanProductClassFactory, ShiyanProductFactory

pytestmark = pytest.mark.django_db

ProductAttribute = get_model("catalogue", "ProductAttribute")


@pytest.fixture
def shiitake():
    product_class = ShiyanProductClassFactory(name="干货")
    ProductAttribute.objects.create(
        product_class=product_class, name="净含量", code="net_weight", type="text"
    )
    ProductAttribute.objects.create(
        product_class=product_class, name="保质期", code="shelf_life", type="text"
    )
    product = shelf_product(
        title="房县香菇 干货 250克",
        price="39.80",
        stock=7,
        brand="房县香菇",
        origin_county=County.FANGXIAN,
        gtin="6901234567892",
        product_class=product_class,
        marks=[quality_mark("gi", "地理标志")],
        in_category=category("食用菌", "mushrooms"),
        picture=True,
    )
    product.attr.net_weight = "250克"
    product.attr.shelf_life = "12个月"
    product.attr.save()
    return product


def test_product_page_shows_origin_brand_marks_attributes_gtin_price_and_stock(client, shiitake):
    response = client.get(shiitake.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    for text in [
        "房县",
        "房县香菇",
        "地理标志",
        "净含量",
        "250克",
        "保质期",
        "12个月",
        "6901234567892",
        "¥39.80",
    ]:
        assert text in page, text
    assert "食用菌" in page  # breadcrumb
    assert 'id="add_to_basket_form"' in page
    assert "7" in response.context["request"].strategy.fetch_for_product(shiitake).availability.message


def test_product_pictures_are_served_as_webp_renditions(client, shiitake):
    page = client.get(shiitake.get_absolute_url()).content.decode()

    assert "/media/renditions/" in page and ".webp" in page


def test_adults_only_products_carry_the_18_plus_notice(client):
    wine = shelf_product(
        title="房县黄酒", product_class=ShiyanProductClassFactory(name="酒类", adults_only=True)
    )
    mushroom = shelf_product(title="房县香菇")

    assert "18+" in client.get(wine.get_absolute_url()).content.decode()
    assert "18+" not in client.get(mushroom.get_absolute_url()).content.decode()


def test_a_sold_out_product_offers_a_stock_alert_not_the_basket(client):
    product = shelf_product(title="房县香菇", stock=0)

    page = client.get(product.get_absolute_url()).content.decode()

    assert 'id="add_to_basket_form"' not in page
    assert 'id="alert_form"' in page


def test_an_unknown_product_is_a_404_in_the_shops_style(client):
    response = client.get("/shop/catalogue/no-such-thing_999999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="error-panel' in page
    assert 'action="/shop/search/"' in page  # a way on: search from the 404 page


def test_an_unpublished_product_is_a_404(client):
    product = ShiyanProductFactory(title="下架香菇", is_public=False)

    assert client.get(product.get_absolute_url()).status_code == 404


def test_an_unknown_category_is_a_404(client):
    response = client.get("/shop/catalogue/category/nothing_999999/")

    assert response.status_code == 404
    assert 'class="error-panel' in response.content.decode()


def test_a_hidden_category_is_a_404(client):
    hidden = category("内部", "internal")
    hidden.is_public = False
    hidden.save()

    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_the_product_page_redirects_to_its_canonical_address(client, shiitake):
    response = client.get(f"/shop/catalogue/wrong-slug_{shiitake.pk}/")

    assert response.status_code == 301


def test_recently_viewed_products_come_latest_first_without_the_page_itself(client):
    first, second, current = (shelf_product(title=f"浏览 {n}") for n in range(3))
    for product in (first, second, current):
        client.get(product.get_absolute_url())

    response = client.get(f"/shop/catalogue/recently-viewed/?exclude={current.pk}")

    assert response.status_code == 200
    assert [p.pk for p in response.context["recently_viewed_products"]] == [second.pk, first.pk]
    assert "no-store" in response["Cache-Control"]
    page = client.get(current.get_absolute_url()).content.decode()
    assert f'data-recently-viewed="/shop/catalogue/recently-viewed/?exclude={current.pk}"' in page


@pytest.mark.parametrize("cookie", ["", "not json", '"a string"', '[true, "7", 1.5, -3]', "[999999]"])
def test_no_history_or_a_tampered_one_gives_an_empty_strip(client, cookie):
    if cookie:
        client.cookies["oscar_history"] = cookie

    response = client.get("/shop/catalogue/recently-viewed/?exclude=x²")

    assert response.status_code == 204
    assert response.content == b""


def test_an_unpublished_product_leaves_the_strip(client):
    product = shelf_product(title="下架的香菇")
    client.get(product.get_absolute_url())
    product.is_public = False
    product.save()

    assert client.get("/shop/catalogue/recently-viewed/").status_code == 204


def test_editors_recommendations_come_first_in_their_ranking(client):
    from oscar.core.loading import get_model

    ProductRecommendation = get_model("catalogue", "ProductRecommendation")
    tea = category("茶叶", "tea")
    product = shelf_product(title="竹溪贡茶 明前", in_category=tea)
    shelf_product(title="同类 茶叶", in_category=tea)
    low, high = shelf_product(title="推荐 二"), shelf_product(title="推荐 一")
    ProductRecommendation.objects.create(primary=product, recommendation=low, ranking=1)
    ProductRecommendation.objects.create(primary=product, recommendation=high, ranking=5)

    response = client.get(product.get_absolute_url())

    assert [p.title for p in response.context["recommended_products"]] == ["推荐 一", "推荐 二"]


def test_without_editors_picks_the_same_category_is_recommended_and_a_product_off_sale_drops_out(client):
    tea = category("茶叶", "tea")
    product = shelf_product(title="竹溪贡茶 明前", in_category=tea)
    neighbour = shelf_product(title="武当道茶", in_category=tea)
    shelf_product(title="房县香菇", in_category=category("食用菌", "mushrooms"))

    first = client.get(product.get_absolute_url())
    neighbour.is_public = False
    neighbour.save()
    second = client.get(product.get_absolute_url())

    assert [p.title for p in first.context["recommended_products"]] == ["武当道茶"]
    assert second.context["recommended_products"] == []
