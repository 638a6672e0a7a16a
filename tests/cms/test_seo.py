"""What search engines and link previews get: sitemap, robots.txt, meta tags, sharing image; WebP images."""

import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from cms.models import BrandPage, StoryPage
from tests.cms.conftest import make_product, publish_brand_page

pytestmark = pytest.mark.django_db


def test_robots_txt_keeps_crawlers_out_of_checkout_basket_accounts_dashboards_and_admin(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    for path in ("/shop/checkout/", "/shop/basket/", "/shop/accounts/", "/shop/dashboard/", "/cms-admin/"):
        assert f"Disallow: {path}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /\n" not in body  # the public site stays crawlable


def test_sitemap_lists_live_cms_pages_and_public_products_only(client, seeded, mushrooms):
    on_sale = make_product(title="房县香菇 在售", category=mushrooms)
    hidden = make_product(title="房县香菇 下架", is_public=False)
    draft = BrandPage.objects.get(slug="danjiang-citrus")
    draft.unpublish()

    response = client.get("/sitemap.xml")

    xml = response.content.decode()
    assert response.status_code == 200
    assert "<loc>http://localhost/brands/fangxian-shiitake/</loc>" in xml
    assert "<loc>http://localhost/channels/schools/</loc>" in xml
    assert "<loc>http://localhost/stories/clear-water-north/</loc>" in xml
    assert f"<loc>http://localhost{on_sale.get_absolute_url()}</loc>" in xml
    assert f"<loc>http://localhost{mushrooms.get_absolute_url()}</loc>" in xml
    assert hidden.get_absolute_url() not in xml
    assert "danjiang-citrus" not in xml


def test_sitemap_has_no_supplier_entries_until_the_suppliers_room_provides_them(client, seeded):
    xml = client.get("/sitemap.xml").content.decode()

    assert "/shop/suppliers/" not in xml


def test_sitemap_and_robots_are_served_before_the_wagtail_catch_all():
    from django.urls import resolve

    assert resolve("/sitemap.xml").url_name == "sitemap"
    assert resolve("/robots.txt").url_name == "robots_txt"
    assert resolve("/anything-else/").url_name == "wagtail_serve"


def test_page_has_meta_title_description_canonical_and_open_graph_image(client, seeded):
    page = BrandPage.objects.get(slug="fangxian-shiitake")

    html = client.get(page.url).content.decode()

    assert "<title>房县香菇 | " in html
    assert '<meta name="description" content="房县是十堰的食用菌大县' in html
    assert '<link rel="canonical" href="http://localhost/brands/fangxian-shiitake/">' in html
    assert '<meta property="og:image" content="http://testserver/' in html
    assert 'property="og:image:width" content="1200"' in html


def test_open_graph_image_is_jpeg_for_crawlers_while_page_images_are_webp(client, seeded):
    html = client.get(BrandPage.objects.get(slug="fangxian-shiitake").url).content.decode()

    og = html.split('property="og:image" content="')[1].split('"')[0]
    hero = html.split('class="cms-hero__image" src="')[1].split('"')[0]
    assert og.endswith(".jpg")
    assert hero.endswith(".webp")


def test_story_is_shared_as_an_article(client, seeded):
    html = client.get(StoryPage.objects.get(slug="clear-water-north").url).content.decode()

    assert '<meta property="og:type" content="article">' in html


def test_image_block_renders_webp_renditions_with_its_alt_text(client, home):
    image = get_image_model().objects.create(title="茶园", file=get_test_image_file())
    publish_brand_page(
        home,
        body=[
            (
                "image",
                {
                    "image": image,
                    "alt": "山坡上的茶园",
                    "caption": "武当山茶园",
                    "credit": "",
                    "width": "text",
                },
            )
        ],
    )

    html = client.get("/fangxian-shiitake/").content.decode()

    img = next(tag for tag in html.split("<img")[1:] if 'alt="山坡上的茶园"' in tag.split(">")[0])
    assert ".webp" in img and "srcset=" in img
