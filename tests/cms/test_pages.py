"""The page tree the demo builds, and what visitors see on each kind of page, in both languages."""

import pytest
from django.core import mail

from cms import demo
from cms.models import BrandPage, Channel, ChannelPage, StoryIndexPage, StoryPage
from core.models import SiteFlag
from tests.cms.conftest import SeedCommand, make_product

pytestmark = pytest.mark.django_db


def test_seed_builds_home_five_brands_four_channels_and_stories(seeded):
    brands = BrandPage.objects.live().order_by("path")
    channels = ChannelPage.objects.live()

    assert [b.title for b in brands] == ["武当山茶", "房县香菇", "丹江柑橘", "郧阳橄榄油", "房县黄酒"]
    assert sorted(c.channel for c in channels) == sorted(Channel.values)
    assert StoryIndexPage.objects.live().count() == 1
    assert StoryPage.objects.live().count() >= 3
    assert all(p.get_parent().specific == seeded for p in StoryIndexPage.objects.all())


def test_home_page_links_every_channel_and_brand_page(client, seeded):
    html = client.get("/").content.decode()

    for page in [*BrandPage.objects.live(), *ChannelPage.objects.live()]:
        assert f'href="{page.url}"' in html


def test_seeding_twice_changes_nothing(seeded):
    revisions = {p.pk: p.latest_revision_id for p in BrandPage.objects.all()}
    command = SeedCommand()

    demo.seed(command)

    assert {p.pk: p.latest_revision_id for p in BrandPage.objects.all()} == revisions
    assert "all up to date" in command.output


def test_seed_leaves_a_page_an_editor_changed_alone(seeded, editor):
    page = BrandPage.objects.get(slug="fangxian-shiitake")
    page.tagline = "编辑改过的标语"
    page.save_revision(user=editor).publish()
    SiteFlag.objects.filter(key__startswith=demo.MARKER_PREFIX).update(value="stale")

    demo.seed(SeedCommand())

    assert BrandPage.objects.get(pk=page.pk).tagline == "编辑改过的标语"


def test_seed_with_an_empty_catalogue_builds_pages_whose_grids_show_nothing(client, seeded):
    response = client.get(BrandPage.objects.get(slug="fangxian-shiitake").url)

    assert response.status_code == 200
    assert "cms-product" not in response.content.decode()


def test_seeded_brand_page_shows_the_brands_products_from_the_shop(client, seeded):
    make_product(title="房县香菇 花菇 250克", price="39.80", brand="房县香菇")

    html = client.get(BrandPage.objects.get(slug="fangxian-shiitake").url).content.decode()

    assert "房县香菇 花菇 250克" in html and "¥39.80" in html


def test_brand_page_has_breadcrumbs_meta_and_its_stories(client, seeded):
    page = BrandPage.objects.get(slug="fangxian-yellow-wine")

    html = client.get(page.url).content.decode()

    assert 'aria-label="Breadcrumb"' in html or "cms-breadcrumbs" in html
    assert 'property="og:title"' in html and 'name="description"' in html
    assert "土城镇的黄酒村" in html  # a story tagged with this brand


def test_pages_switch_to_english_and_fall_back_to_chinese_where_untranslated(client, seeded):
    client.cookies["shop_language"] = "en"

    brand = client.get(BrandPage.objects.get(slug="fangxian-shiitake").url).content.decode()
    story = client.get(StoryPage.objects.get(slug="clear-water-north").url).content.decode()

    assert '<html lang="en"' in brand
    assert "Fangxian Shiitake" in brand and "Cultivated mushrooms count as vegetables" in brand
    assert "人工栽培的食用菌按蔬菜管理" not in brand
    assert "A reservoir of clean water for Beijing" in story  # title_en …
    assert "丹江口水库是南水北调中线工程的核心水源地" in story  # … but no English body: Chinese shows


def test_chinese_is_the_default_language(client, seeded):
    html = client.get("/").content.decode()

    assert "十堰优品" in html and "Shiyan Select</h1>" not in html


def test_story_index_filters_by_tag_and_says_so_when_nothing_matches(client, seeded):
    index = StoryIndexPage.objects.get()

    tagged = client.get(index.url, {"tag": "黄酒"}).content.decode()
    nothing = client.get(index.url, {"tag": "没有这个标签"}).content.decode()

    assert "土城镇的黄酒村" in tagged and "一库清水永续北送" not in tagged
    assert "没有这个标签" in nothing and "cms-card" not in nothing


def test_story_index_survives_a_page_number_that_does_not_exist(client, seeded):
    response = client.get(StoryIndexPage.objects.get().url, {"page": "999"})

    assert response.status_code == 200
    assert "一库清水永续北送" in response.content.decode()


def test_organisation_registers_interest_on_a_channel_page_and_the_team_is_emailed(client, seeded):
    page = ChannelPage.objects.get(channel=Channel.SCHOOL)

    response = client.post(
        page.url,
        {
            "organisation": "北京市某某中学",
            "contact": "李老师",
            "phone": "13800138000",
            "needs": "每周香菇20斤",
        },
    )

    assert response.status_code == 200
    assert "两个工作日内" in response.content.decode()
    assert page.get_submission_class().objects.filter(page=page).count() == 1
    assert mail.outbox and mail.outbox[0].to == ["school@channels.shiyan-select.example"]


def test_channel_registration_without_required_fields_keeps_the_form_and_saves_nothing(client, seeded):
    page = ChannelPage.objects.get(channel=Channel.RESTAURANT)

    response = client.post(page.url, {"organisation": "", "contact": "", "phone": ""})

    assert response.status_code == 200
    assert "cms-form__error" in response.content.decode()
    assert page.get_submission_class().objects.filter(page=page).count() == 0


def test_a_second_page_for_the_same_channel_is_refused(seeded):
    from django.core.exceptions import ValidationError

    parent = ChannelPage.objects.get(channel=Channel.SCHOOL).get_parent()
    duplicate = ChannelPage(title="又一个农校", slug="schools-2", channel=Channel.SCHOOL)
    duplicate.set_url_path(parent)

    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean()

    assert "这个渠道已经有页面了" in str(raised.value)


def test_main_menu_and_footer_come_from_the_editors_menus(client, seeded):
    html = client.get("/").content.decode()

    assert 'class="cms-menu"' in html and "区域品牌" in html
    assert html.count("<footer") == 1, "one footer: the site's, carrying the editors' links"
    assert 'class="site-footer"' in html and "关于我们" in html


def test_menu_drops_a_page_that_is_unpublished(client, seeded):
    about = seeded.get_children().get(slug="about").specific
    assert 'href="/about/"' in client.get("/").content.decode()

    about.unpublish()

    assert 'href="/about/"' not in client.get("/").content.decode()


def test_shop_and_cms_pages_are_one_site_with_one_header_and_footer(client, seeded):
    """The logo leads home; every shop page carries the editors' main menu and footer links."""
    brands = seeded.get_children().get(slug="brands")
    channels = seeded.get_children().get(slug="channels")
    stories = StoryIndexPage.objects.live().get()

    for path in ("/shop/", "/shop/catalogue/", "/shop/basket/", "/"):
        html = client.get(path).content.decode()
        assert 'class="brand__link" href="/"' in html, path
        header, footer = html.split("<footer", 1)
        assert header.count('class="cms-menu"') == 1, path
        for page in (brands, channels, stories):
            assert f'href="{page.url}"' in header, (path, page.title)
            assert f'href="{page.url}"' in footer, (path, page.title)


def test_the_home_page_shows_the_newest_products_right_under_its_banner(client, seeded):
    make_product(title="房县花菇 特级 250克", price="68.00")
    make_product(title="竹溪贡茶 明前 100克", price="88.00", brand="竹溪贡茶")

    html = client.get("/").content.decode()

    strip = html.index('class="cms-home-products"')
    assert html.index('class="cms-hero') < strip < html.index('class="cms-mission"')
    assert html.index("竹溪贡茶 明前 100克", strip) < html.index("房县花菇 特级 250克", strip)  # newest first
    assert "¥88.00" in html and 'href="/shop/catalogue/"' in html[strip:]
