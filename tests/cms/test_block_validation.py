"""Editors get a clear message for bad input; visitors get the page without the broken piece."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from cms.blocks import CallToActionBlock, ImageBlock, ProductGridBlock, VideoBlock
from cms.embeds import video_embed_url
from tests.cms.conftest import grid, make_product, publish_brand_page

pytestmark = pytest.mark.django_db


def _messages(error: ValidationError) -> str:
    """Every message in a (nested) block validation error, as one string."""
    parts = []

    def walk(err):
        if hasattr(err, "block_errors") and err.block_errors:
            items = err.block_errors.values() if isinstance(err.block_errors, dict) else err.block_errors
            for child in items:
                walk(child)
        if getattr(err, "non_block_errors", None):
            for child in err.non_block_errors.as_data():
                walk(child)
        if hasattr(err, "error_list") and not getattr(err, "block_errors", None):
            parts.extend(str(m) for e in err.error_list for m in e.messages)
        elif hasattr(err, "message"):
            parts.append(str(err.message))

    walk(error)
    return " ".join(parts)


@pytest.fixture
def image():
    return get_image_model().objects.create(title="茶园", file=get_test_image_file())


def test_image_without_alt_text_is_refused_with_a_message_saying_what_to_write(image):
    block = ImageBlock()

    with pytest.raises(ValidationError) as raised:
        block.clean(
            block.to_python({"image": image.pk, "alt": "  ", "caption": "", "credit": "", "width": "text"})
        )

    assert "请填写替代文字" in _messages(raised.value)  # editors work in Chinese


def test_image_with_alt_text_is_accepted(image):
    block = ImageBlock()

    value = block.clean(
        block.to_python(
            {"image": image.pk, "alt": "采茶的茶农", "caption": "", "credit": "", "width": "text"}
        )
    )

    assert value["alt"] == "采茶的茶农"


def test_video_from_a_site_not_on_the_allow_list_is_refused_naming_the_allowed_sites():
    block = VideoBlock()

    with pytest.raises(ValidationError) as raised:
        block.clean(
            block.to_python({"url": "https://evil.example.com/video/1", "title": "茶园", "caption": ""})
        )

    message = _messages(raised.value)
    assert "只能嵌入这些网站的视频" in message
    assert "bilibili" in message


@pytest.mark.parametrize(
    ("url", "player"),
    [
        (
            "https://www.bilibili.com/video/BV1GJ411x7h7",
            "https://player.bilibili.com/player.html?bvid=BV1GJ411x7h7",
        ),
        (
            "https://v.qq.com/x/page/a0012abcdef.html",
            "https://v.qq.com/txp/iframe/player.html?vid=a0012abcdef",
        ),
        ("https://v.youku.com/v_show/id_XNTk1MjY0MDk2.html", "https://player.youku.com/embed/XNTk1MjY0MDk2"),
    ],
)
def test_video_on_an_allowed_site_becomes_its_player_address(url, player):
    assert video_embed_url(url).startswith(player)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "https://www.bilibili.com.evil.example/video/BV1GJ411x7h7",
        "https://www.bilibili.com/read/cv123",
        "ftp://v.qq.com/x/page/a0012abcdef.html",
    ],
)
def test_video_addresses_that_only_look_allowed_are_refused(url):
    assert video_embed_url(url) is None


def test_video_whose_site_was_taken_off_the_allow_list_stops_playing(client, home, settings):
    publish_brand_page(
        home,
        body=[
            (
                "video",
                {"url": "https://www.bilibili.com/video/BV1GJ411x7h7", "title": "茶园春采", "caption": ""},
            )
        ],
    )
    assert "player.bilibili.com" in client.get("/fangxian-shiitake/").content.decode()

    settings.CMS_VIDEO_PROVIDERS = ["youku"]

    assert "player.bilibili.com" not in client.get("/fangxian-shiitake/").content.decode()


def test_product_grid_pointing_at_a_deleted_product_tells_the_editor_to_remove_it(home):
    kept = make_product(title="房县香菇 在售")
    deleted = make_product(title="房县香菇 已删除")
    page = publish_brand_page(home, body=[grid(source="chosen", products=[kept, deleted])])
    deleted.delete()
    block = ProductGridBlock()
    stored = page.body.raw_data[0]["value"]

    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python(stored))

    assert "商城里删除的商品" in _messages(raised.value)


def test_product_grid_pointing_at_a_hidden_product_says_it_is_no_longer_on_sale(home):
    hidden = make_product(title="房县香菇 已下架", is_public=False)
    block = ProductGridBlock()

    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python(grid(source="chosen", products=[hidden.pk])[1]))

    assert "已不在商城销售" in _messages(raised.value)


def test_public_page_renders_without_the_deleted_product(client, home):
    kept = make_product(title="房县香菇 在售")
    deleted = make_product(title="房县香菇 已删除")
    publish_brand_page(home, body=[grid(source="chosen", products=[kept, deleted])])
    deleted.delete()

    response = client.get("/fangxian-shiitake/")

    assert response.status_code == 200
    assert "房县香菇 在售" in response.content.decode()
    assert "已删除" not in response.content.decode()


@pytest.mark.parametrize(
    ("value", "field", "message"),
    [
        ({"source": "chosen", "products": []}, "products", "请至少选择一件"),
        ({"source": "category", "category": None}, "category", "请选择要显示其商品的分类"),
        ({"source": "brand", "brand": " "}, "brand", "请填写要显示其商品的品牌"),
    ],
)
def test_product_grid_asks_for_what_its_source_needs(value, field, message):
    block = ProductGridBlock()
    raw = {
        "heading": "",
        "products": [],
        "category": None,
        "brand": "",
        "limit": 8,
        "show_more": True,
        **value,
    }

    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python(raw))

    assert field in raised.value.block_errors
    assert message in _messages(raised.value)


def test_call_to_action_needs_exactly_one_link(home):
    block = CallToActionBlock()
    both = {
        "heading": "加入",
        "text": "",
        "button_label": "去",
        "page": home.pk,
        "url": "https://example.com/",
    }
    neither = {**both, "page": None, "url": ""}

    for value in (both, neither):
        with pytest.raises(ValidationError) as raised:
            block.clean(block.to_python(value))
        assert "二选一" in _messages(raised.value)
