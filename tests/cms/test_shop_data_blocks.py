"""Blocks that read other rooms (suppliers, traceability) stay silent until those rooms provide data;
every block has a preview for editors."""

import pytest
from django.urls import reverse

from cms import shop_data
from cms.maps import inside, shiyan_map
from cms.models import BrandPage
from tests.cms.conftest import make_product, publish_brand_page

pytestmark = pytest.mark.django_db

BODY_BLOCKS = BrandPage.body.field.stream_block.child_blocks


def _preview(client, block) -> str:
    return client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}).content.decode()


def test_supplier_card_bases_map_and_latest_batches_render_nothing_without_their_data(client, home):
    partner = make_product().stockrecords.get().partner
    publish_brand_page(
        home,
        body=[
            ("supplier_card", {"partner": partner, "note": "合作社简介"}),
            ("bases_map", {"heading": "生产基地", "partners": [partner], "county": ""}),
            ("latest_batches", {"heading": "最新批次", "brand": "房县香菇", "category": None, "limit": 5}),
        ],
    )

    response = client.get("/fangxian-shiitake/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "合作社简介" not in html and "生产基地" not in html and "最新批次" not in html


def test_doors_into_rooms_that_are_not_there_yet_return_nothing():
    assert shop_data.supplier_card(None) is None
    assert shop_data.production_bases(partner_ids=[1]) == []
    assert shop_data.latest_batches(brand="房县香菇") == []
    assert shop_data.supplier_sitemap_entries() == []


def test_products_are_visible_while_no_supplier_record_hides_them():
    product = make_product()

    assert list(shop_data.visible_products()) == [product]


def test_map_places_bases_inside_shiyan_and_leaves_out_coordinates_elsewhere():
    fangxian = shop_data.BaseMarker(name="房县基地", latitude=32.06, longitude=110.74)
    beijing = shop_data.BaseMarker(name="北京", latitude=39.9, longitude=116.4)

    drawn = shiyan_map([fangxian, beijing])

    assert [b.label for b in drawn.bases] == ["房县基地"]
    assert 0 < drawn.bases[0].x < drawn.width and 0 < drawn.bases[0].y < drawn.height
    assert inside(110.74, 32.06) and not inside(116.4, 39.9)


@pytest.mark.parametrize("name", sorted(BODY_BLOCKS))
def test_every_block_has_a_description_and_a_preview(admin_client, name):
    make_product(title="房县香菇 预览用")
    block = BODY_BLOCKS[name]

    response = admin_client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})

    assert block.is_previewable
    assert str(block.get_description())
    assert response.status_code == 200
    assert "cms/cms.css" in response.content.decode()


def test_product_grid_preview_shows_live_products_of_the_first_category(admin_client, mushrooms):
    make_product(title="房县香菇 预览用", price="39.80", category=mushrooms)
    block = BODY_BLOCKS["product_grid"]

    html = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    ).content.decode()

    assert "房县香菇 预览用" in html and "¥39.80" in html


def test_preview_tells_the_editor_why_a_supplier_card_would_show_nothing(admin_client):
    make_product()
    block = BODY_BLOCKS["supplier_card"]

    html = admin_client.get(
        reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
    ).content.decode()

    assert "cms-editor-note" in html


def test_page_preview_renders_blocks_live_and_explains_empty_ones_to_the_editor(home):
    partner = make_product(title="房县香菇 预览", price="39.80").stockrecords.get().partner
    page = publish_brand_page(
        home,
        body=[
            (
                "product_grid",
                {
                    "heading": "在售",
                    "source": "brand",
                    "brand": "房县香菇",
                    "products": [],
                    "category": None,
                    "limit": 8,
                    "show_more": False,
                },
            ),
            ("supplier_card", {"partner": partner, "note": ""}),
        ],
    )

    html = page.make_preview_request().render().content.decode()

    assert "房县香菇 预览" in html and "¥39.80" in html
    assert "cms-editor-note" in html  # the supplier card would be empty for visitors
