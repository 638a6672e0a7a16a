"""Storefront pages are shared by every visitor (core.page_cache) with their own parts filled in
(core.personal_parts): nothing of one visitor's ever reaches another, in either order of visits."""

import json
import re

import pytest
from django.contrib import messages
from django.test import Client
from oscar.test.factories import UserFactory

from core.sales_channels import SalesChannel
from tests.catalogue.builders import shelf_product
from tests.factories.channels import OrganisationFactory, member_of, price

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BASKET_COUNT = re.compile(r'class="basket-mini__count[^"]*"[^>]*>(\d+)<')


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10


@pytest.fixture
def shiitake():
    product = shelf_product(title="房县香菇 250克", price="39.80")
    price(product, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return product


def _signed_in(user=None, **kwargs):
    client = Client(**kwargs)
    client.force_login(user or UserFactory())
    return client


def _basket_count(html: str) -> int:
    return int(BASKET_COUNT.search(html).group(1))


def _tokens(client, html: str) -> set[str]:
    """The page's form tokens, each checked to be this visitor's own (Django unmasks the secret)."""
    from django.middleware.csrf import _unmask_cipher_token

    secret = client.cookies["csrftoken"].value
    tokens = set(TOKEN.findall(html))
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
    return tokens


def _add(client, product, quantity):
    response = client.post(f"/shop/basket/add/{product.pk}/", {"quantity": quantity})
    assert response.status_code == 302
    client.get("/shop/basket/")  # shows (and uses up) the "added" message


@pytest.mark.parametrize("buyer_first", [True, False])
@pytest.mark.parametrize("url", ["/shop/catalogue/", "product"])
def test_a_buyers_account_basket_and_token_never_reach_another_visitor(shiitake, url, buyer_first):
    url = shiitake.get_absolute_url() if url == "product" else url
    buyer = _signed_in(UserFactory(username="buyer-a"))
    _add(buyer, shiitake, 3)
    with_basket = Client()
    _add(with_basket, shiitake, 2)
    visitors = {
        "buyer": buyer,
        "with basket": with_basket,
        "anonymous": Client(),
        "other buyer": _signed_in(),
    }
    order = list(visitors) if buyer_first else list(reversed(visitors))

    pages = {name: visitors[name].get(url) for name in order}
    html = {name: response.content.decode() for name, response in pages.items()}

    assert pages[order[-1]]["X-Page-Cache"] == "hit", "one shared page for all of them"
    assert [_basket_count(html[name]) for name in visitors] == [3, 2, 0, 0]
    for name in ("buyer", "other buyer"):
        assert 'id="logout_link"' in html[name] and 'id="login_link"' not in html[name]
    for name in ("with basket", "anonymous"):
        assert 'id="login_link"' in html[name] and 'id="logout_link"' not in html[name]
    tokens = {name: _tokens(visitors[name], html[name]) for name in visitors}
    for name, own in tokens.items():
        others = set().union(*(t for other, t in tokens.items() if other != name))
        assert not own & others, f"{name}'s token is in another visitor's page"
    for page in html.values():
        assert "personal-part" not in page and "csrf-page-placeholder" not in page


def test_a_token_in_a_shared_page_works_for_its_visitor_only(shiitake):
    first = _signed_in(enforce_csrf_checks=True)
    second = _signed_in(enforce_csrf_checks=True)
    first.get(shiitake.get_absolute_url())
    page = second.get(shiitake.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    token = TOKEN.search(page.content.decode()).group(1)

    added = second.post(f"/shop/basket/add/{shiitake.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token})
    refused = first.post(f"/shop/basket/add/{shiitake.pk}/", {"quantity": 1, "csrfmiddlewaretoken": token})

    assert added.status_code == 302 and refused.status_code == 403


@pytest.mark.parametrize("buyer_first", [True, False])
def test_a_message_is_shown_to_its_buyer_once_and_to_nobody_else(shiitake, buyer_first):
    buyer = _signed_in()
    buyer.post(f"/shop/basket/add/{shiitake.pk}/", {"quantity": "lots"})  # leaves an error message
    others = [Client(), _signed_in()]
    if not buyer_first:
        for other in others:
            assert 'class="alert' not in other.get("/shop/catalogue/").content.decode()

    assert 'class="alert' in buyer.get("/shop/catalogue/").content.decode()

    for other in others:
        assert 'class="alert' not in other.get("/shop/catalogue/").content.decode()
    assert 'class="alert' not in buyer.get("/shop/catalogue/").content.decode(), "shown once"


def test_a_message_stored_in_the_session_is_the_buyers_own(shiitake, settings):
    settings.MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
    buyer, other = _signed_in(), _signed_in()
    other.get("/shop/catalogue/")  # the shared page is cached
    session = buyer.session
    session["_messages"] = json.dumps([["__json_message", 0, messages.INFO, "给采购员甲的消息"]])
    session.save()

    assert "给采购员甲的消息" in buyer.get("/shop/catalogue/").content.decode()
    assert "给采购员甲的消息" not in other.get("/shop/catalogue/").content.decode()


@pytest.mark.parametrize("member_first", [True, False])
@pytest.mark.parametrize("url", ["/shop/catalogue/", "product"])
def test_member_prices_are_shared_by_the_members_terms_only(shiitake, url, member_first):
    url = shiitake.get_absolute_url() if url == "product" else url
    school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    contract_school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    price(shiitake, "28.00", organisation=contract_school, moq=6, case_size=6)
    visitors = {
        "member": _signed_in(member_of(school)),
        "colleague": _signed_in(member_of(school)),
        "contract member": _signed_in(member_of(contract_school)),
        "restaurant member": _signed_in(member_of(OrganisationFactory(channel=SalesChannel.RESTAURANT))),
        "retail": _signed_in(),
        "anonymous": Client(),
    }
    order = list(visitors) if member_first else list(reversed(visitors))

    pages = {name: visitors[name].get(url) for name in order}
    html = {name: response.content.decode() for name, response in pages.items()}

    assert pages["member" if not member_first else "colleague"]["X-Page-Cache"] == "hit"
    for name in ("member", "colleague"):
        assert "¥31.00" in html[name] and "¥28.00" not in html[name]
    assert "¥28.00" in html["contract member"] and "¥31.00" not in html["contract member"]
    for name in ("restaurant member", "retail", "anonymous"):
        assert "¥31.00" not in html[name] and "¥28.00" not in html[name] and "¥39.80" in html[name]
        assert 'class="buyer-terms"' not in html[name]


def test_staff_get_their_own_page_with_edit_links_which_nobody_else_sees(shiitake):
    staff = _signed_in(UserFactory(is_staff=True))
    staff_page = staff.get(shiitake.get_absolute_url())
    anonymous_page = Client().get(shiitake.get_absolute_url())
    again = staff.get(shiitake.get_absolute_url())

    assert "X-Page-Cache" not in staff_page and "X-Page-Cache" not in again
    assert "/dashboard/catalogue/products/" in staff_page.content.decode()
    assert "/dashboard/" not in anonymous_page.content.decode()


def test_the_mini_basket_follows_the_basket_at_once_on_a_shared_page(shiitake):
    buyer = _signed_in()
    assert _basket_count(buyer.get("/shop/catalogue/").content.decode()) == 0

    _add(buyer, shiitake, 2)
    page = buyer.get("/shop/catalogue/")
    assert page["X-Page-Cache"] == "hit" and _basket_count(page.content.decode()) == 2

    line = buyer.get("/shop/basket/").context["basket"].all_lines()[0]
    line.delete()
    assert _basket_count(buyer.get("/shop/catalogue/").content.decode()) == 0


def test_a_signed_in_visit_to_a_shared_product_page_is_the_buyers_own_view(shiitake):
    from oscar.core.loading import get_model

    UserProductView = get_model("analytics", "UserProductView")
    user = UserFactory()
    Client().get(shiitake.get_absolute_url())  # rendered and shared
    response = _signed_in(user).get(shiitake.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert UserProductView.objects.filter(user=user, product=shiitake).count() == 1
    assert response.cookies["oscar_history"].value == f"[{shiitake.pk}]"
