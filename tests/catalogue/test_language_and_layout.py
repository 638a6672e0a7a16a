"""Chinese by default, English on request, and nothing on the page that a mainland phone cannot load."""

import gettext
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings

from tests.catalogue.builders import shelf_product

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
STOREFRONT_CATALOGUES = [
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
    ROOT / "shop/search/locale/zh_Hans/LC_MESSAGES/django.po",
    ROOT / "shop/basket/locale/zh_Hans/LC_MESSAGES/django.po",
]


def test_the_shop_speaks_chinese_by_default(client):
    page = client.get("/shop/").content.decode()

    assert '<html lang="zh-hans"' in page
    assert "十堰优品" in page and "购物车" in page


def test_switching_to_english_posts_to_setlang_and_comes_back(client):
    product = shelf_product(title="房县香菇")
    home = client.get("/shop/").content.decode()
    assert 'action="/i18n/setlang/"' in home and 'name="language" value="en"' in home

    response = client.post("/i18n/setlang/", {"language": "en", "next": product.get_absolute_url()})

    assert response.status_code == 302
    assert response["Location"] == product.get_absolute_url()
    english = client.get(product.get_absolute_url()).content.decode()
    assert '<html lang="en"' in english
    assert "Shiyan Select" in english and "Product Information" in english and "十堰优品" not in english


def test_switching_back_to_chinese_keeps_the_query_string(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/shop/"})

    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/shop/search/?q=香菇&page=2"})

    assert unquote(response["Location"]) == "/shop/search/?q=香菇&page=2"
    assert "全部商品" in client.get("/shop/").content.decode()


def test_switching_language_never_redirects_off_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("catalogue", STOREFRONT_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_storefront_message_has_a_chinese_translation_compiled(catalogue):
    text = catalogue.read_text(encoding="utf-8")
    msgids, untranslated = [], []
    for entry in text.split("\n\n")[1:]:
        if entry.lstrip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', entry, re.M)
        if not msgid:
            continue
        msgid = "".join(json.loads(part) for part in re.findall(r'"(?:[^"\\]|\\.)*"', msgid.group(1)))
        context = re.search(r'^msgctxt (".*")$', entry, re.M)
        if context:  # gettext keys a message with a context as "context\x04msgid"
            msgid = f"{json.loads(context.group(1))}\x04{msgid}"
        strings = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', entry, re.M)
        if not strings or any(s.strip() == '""' for s in strings) or "#, fuzzy" in entry:
            untranslated.append(msgid)
        msgids.append((msgid, "msgid_plural" in entry))

    with catalogue.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog

    assert untranslated == []
    stale = [m for m, plural in msgids if ((m, 0) if plural else m) not in compiled]
    assert stale == [], "the .mo is older than the .po: compile it"


def test_pages_load_nothing_from_google(client):
    product = shelf_product(title="房县香菇")

    for url in ["/shop/", "/shop/catalogue/", product.get_absolute_url(), "/shop/basket/"]:
        page = client.get(url).content.decode()
        assert "googleapis.com" not in page, url
        assert "google-analytics" not in page and "gtag(" not in page, url
        assert "/static/oscar/js/jquery/jquery.min.js" in page, url


def test_every_page_has_the_phone_viewport_header_search_basket_and_account(client):
    page = client.get("/shop/").content.decode()

    assert 'name="viewport" content="width=device-width, initial-scale=1' in page
    assert 'class="search-box"' in page
    assert 'class="basket-mini__count' in page
    assert 'id="login_link"' in page
    assert "/static/css/shop.css" in page


def test_prices_are_shown_in_yuan_with_two_decimals(client):
    shelf_product(title="房县香菇", price="39.8")

    page = client.get("/shop/catalogue/").content.decode()

    assert "¥39.80" in page


def test_the_dashboard_also_loads_jquery_from_the_shop_itself(client):
    from oscar.test.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    page = client.get("/shop/dashboard/").content.decode()

    assert "googleapis.com" not in page
    assert "/static/oscar/js/jquery/jquery.min.js" in page
