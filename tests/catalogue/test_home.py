import pytest

from tests.catalogue.builders import category, shelf_product, titles
from tests.factories.catalogue import ShiyanProductFactory

pytestmark = pytest.mark.django_db


def test_home_shows_each_top_category_with_its_products_counted_once(client):
    mushrooms = category("食用菌", "mushrooms")
    shiitake = category("香菇", "shiitake", parent=mushrooms)
    tea = category("茶叶", "tea")
    in_both = shelf_product(title="花菇", in_category=shiitake)
    in_both.categories.add(mushrooms)
    shelf_product(title="木耳", in_category=mushrooms)
    hidden = ShiyanProductFactory(title="下架香菇", is_public=False)
    hidden.categories.add(shiitake)

    response = client.get("/shop/")

    counts = {c.name: c.num_products for c in response.context["categories"]}
    assert counts == {"食用菌": 2, "茶叶": 0}
    assert tea.get_absolute_url() in response.content.decode()


def test_home_features_prioritised_products_highest_first(client):
    shelf_product(title="普通", priority=0)
    shelf_product(title="次推荐", priority=3)
    shelf_product(title="首推", priority=9)

    response = client.get("/shop/")

    assert titles(response, "featured_products") == ["首推", "次推荐"]
    assert response.context["featured_are_newest"] is False


def test_without_featured_products_home_shows_the_newest(client):
    shelf_product(title="旧", age_days=9)
    shelf_product(title="新", age_days=1)

    response = client.get("/shop/")

    assert titles(response, "featured_products") == ["新", "旧"]
    assert response.context["featured_are_newest"] is True


def test_home_says_what_the_platform_is_in_chinese_by_default(client):
    response = client.get("/shop/")

    page = response.content.decode()
    assert "消费帮扶" in page
    assert "十堰" in page and "北京" in page


def test_an_empty_shop_home_page_still_renders(client):
    response = client.get("/shop/")

    assert response.status_code == 200
    assert response.context["featured_products"] == []
