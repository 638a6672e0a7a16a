"""Product grids show what the shop sells now: its price, its stock state, its link; nothing hidden."""

import time
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from oscar.core.loading import get_model

from cms import cache as block_cache
from cms.cache import block_cache_key
from tests.cms.conftest import grid, make_product, publish_brand_page

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cms-tests"}}


def test_grid_shows_live_price_stock_state_and_link(client, home, mushrooms):
    product = make_product(title="房县香菇 椴木花菇 250克", price="39.80", stock=100, category=mushrooms)
    low = make_product(title="房县黑木耳 250克", price="45.00", stock=3, category=mushrooms)
    gone = make_product(title="房县香菇 干货 500克", price="59.90", stock=0, category=mushrooms)
    publish_brand_page(home, body=[grid(category=mushrooms)])

    html = client.get("/fangxian-shiitake/").content.decode()

    assert "¥39.80" in html and "¥45.00" in html
    assert product.get_absolute_url() in html
    assert "cms-stock--in_stock" in html
    assert "cms-stock--low_stock" in html and low.title in html
    # Sold out is off sale: the grid leaves it out, as the shop's lists do (catalogue.on_sale).
    assert gone.title not in html and "¥59.90" not in html


def test_price_saved_in_the_shop_shows_on_the_next_request(client, home, django_capture_on_commit_callbacks):
    product = make_product(price="39.80")
    publish_brand_page(home, body=[grid(source="brand", brand="房县香菇")])
    assert "¥39.80" in client.get("/fangxian-shiitake/").content.decode()

    record = product.stockrecords.get()
    record.price = Decimal("42.50")
    with django_capture_on_commit_callbacks(execute=True):
        record.save()

    html = client.get("/fangxian-shiitake/").content.decode()
    assert "¥42.50" in html and "¥39.80" not in html


def test_price_changed_behind_the_orms_back_shows_once_the_cache_lifetime_has_passed(
    client, home, settings, monkeypatch
):
    settings.CACHES = LOCMEM
    settings.CMS_SHOP_DATA_CACHE_SECONDS = 60
    caches["default"].clear()
    product = make_product(price="39.80")
    publish_brand_page(home, body=[grid(source="brand", brand="房县香菇")])
    assert "¥39.80" in client.get("/fangxian-shiitake/").content.decode()

    # A conditional UPDATE (as stock allocation does) sends no signal: the cached block stays …
    StockRecord.objects.filter(product=product).update(price=Decimal("44.00"))
    assert "¥39.80" in client.get("/fangxian-shiitake/").content.decode()

    # … until its stated lifetime is over (the cache's clock moved on by 61 s).
    now = time.time()
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: now + 61)
    html = client.get("/fangxian-shiitake/").content.decode()
    assert "¥44.00" in html and "¥39.80" not in html


def test_grid_leaves_out_hidden_deleted_and_unpriced_products(client, home):
    shown = make_product(title="房县香菇 在售", price="30.00")
    hidden = make_product(title="房县香菇 已下架", price="31.00", is_public=False)
    deleted = make_product(title="房县香菇 已删除", price="32.00")
    unpriced = make_product(title="房县香菇 无价格", price="33.00")
    StockRecord.objects.filter(product=unpriced).delete()
    publish_brand_page(home, body=[grid(source="chosen", products=[shown, hidden, deleted, unpriced])])
    deleted.delete()

    response = client.get("/fangxian-shiitake/")

    html = response.content.decode()
    assert response.status_code == 200
    assert shown.title in html
    assert "已下架" not in html and "已删除" not in html and "无价格" not in html


def test_chosen_products_keep_the_editors_order(client, home):
    first = make_product(title="第一个 香菇", price="10.00")
    second = make_product(title="第二个 香菇", price="20.00")
    publish_brand_page(home, body=[grid(source="chosen", products=[second, first])])

    html = client.get("/fangxian-shiitake/").content.decode()

    assert html.index("第二个 香菇") < html.index("第一个 香菇")


def test_grid_with_nothing_on_sale_renders_nothing_for_visitors(client, home):
    publish_brand_page(home, body=[grid(source="brand", brand="没有这个品牌", heading="空的网格")])

    html = client.get("/fangxian-shiitake/").content.decode()

    assert "空的网格" not in html and "cms-products" not in html


def test_signed_in_buyers_do_not_share_cached_grids_with_anonymous_visitors(rf, home, django_user_model):
    # A strategy may price per user (channel price lists), so their rendered grids are kept apart.
    make_product(price="39.80")
    block = publish_brand_page(home, body=[grid(source="brand", brand="房县香菇")]).body[0]
    anonymous, buyer = rf.get("/"), rf.get("/")
    anonymous.user = AnonymousUser()
    buyer.user = django_user_model.objects.create_user(username="buyer", email="b@example.com", password="x")

    assert block_cache_key(block.block, block.value, anonymous) != block_cache_key(
        block.block, block.value, buyer
    )


def test_brand_page_with_three_grids_of_twelve_products_renders_within_25_queries(
    client, home, mushrooms, django_assert_max_num_queries
):
    chosen = [make_product(title=f"房县香菇 精选 {i}", price="20.00", category=mushrooms) for i in range(12)]
    for i in range(12):
        make_product(title=f"房县黑木耳 {i}", price="30.00", brand="房县黑木耳", category=mushrooms)
    publish_brand_page(
        home,
        body=[
            grid(source="chosen", products=chosen, heading="精选"),
            grid(source="category", category=mushrooms, heading="食用菌"),
            grid(source="brand", brand="房县黑木耳", heading="黑木耳"),
        ],
    )
    caches["default"].clear()

    # Nothing cached at all (the first visitor after a deploy): 25 at most.
    with django_assert_max_num_queries(25):
        response = client.get("/fangxian-shiitake/")
    # A price changed, so every grid renders afresh while menus and site paths stay cached.
    block_cache.invalidate()
    with django_assert_max_num_queries(21):
        client.get("/fangxian-shiitake/")

    assert response.status_code == 200
    assert response.content.decode().count('class="cms-product"') == 36


def test_product_photo_is_shown_with_the_title_as_alt_text(client, home):
    from wagtail.images.tests.utils import get_test_image_file

    product = make_product(title="房县香菇 有图")
    get_model("catalogue", "ProductImage").objects.create(product=product, original=get_test_image_file())
    publish_brand_page(home, body=[grid(source="brand", brand="房县香菇")])

    html = client.get("/fangxian-shiitake/").content.decode()

    img = next(tag for tag in html.split("<img")[1:] if 'alt="房县香菇 有图"' in tag)
    assert 'loading="lazy"' in img and "/media/" in img
