"""Member prices never reach anyone else: cached product cards are keyed by the buyer's terms, and a
page priced for a member is never shared (core.page_cache)."""

from decimal import Decimal

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from oscar.test.factories import UserFactory

from core.page_cache import anonymous_page_cache
from core.sales_channels import SalesChannel
from shop.partner.strategy import Selector
from tests.catalogue.builders import shelf_product
from tests.factories.channels import OrganisationFactory, member_of, price

pytestmark = pytest.mark.django_db


@pytest.fixture
def shiitake():
    product = shelf_product(title="房县香菇 250克", price="39.80")
    price(product, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return product


@pytest.fixture
def member():
    return member_of(OrganisationFactory(channel=SalesChannel.SCHOOL))


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("member_first", [True, False])
def test_a_cached_card_is_never_shown_to_a_buyer_with_other_terms(shiitake, member, member_first):
    school_client = _signed_in(member)
    retail_client = _signed_in(UserFactory())
    other_channel = _signed_in(member_of(OrganisationFactory(channel=SalesChannel.RESTAURANT)))
    visitors = [school_client, retail_client, Client(), other_channel]
    if not member_first:
        visitors.reverse()

    pages = {id(client): client.get("/shop/catalogue/").content.decode() for client in visitors}

    assert "¥31.00" in pages[id(school_client)] and 'value="12"' in pages[id(school_client)]
    for client in (retail_client, visitors[2], other_channel):
        assert "¥31.00" not in pages[id(client)]
        assert "¥39.80" in pages[id(client)]


def test_two_members_of_the_channel_share_a_card_and_a_contract_gets_its_own(shiitake, member):
    school = member.channel_membership.organisation
    colleague = _signed_in(member_of(school))
    contract_school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    price(shiitake, "28.00", organisation=contract_school, moq=6, case_size=6)

    first = _signed_in(member).get("/shop/catalogue/")
    second = colleague.get("/shop/catalogue/")
    contract = _signed_in(member_of(contract_school)).get("/shop/catalogue/").content.decode()

    card = "oscar/catalogue/partials/product.html"
    assert card in [t.name for t in first.templates] and card not in [t.name for t in second.templates]
    assert "¥31.00" in second.content.decode()
    assert "¥28.00" in contract and "¥31.00" not in contract


def test_a_page_priced_for_a_member_is_never_stored_for_sharing(shiitake, member, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10

    @anonymous_page_cache
    def price_page(request):
        return HttpResponse(str(request.strategy.fetch_for_product(shiitake).price.excl_tax))

    factory = RequestFactory()
    # A member's request carrying no cookie at all (as if the session came another way).
    request = factory.get("/priced/")
    request.user = member
    request.strategy = Selector().strategy(request=request, user=member)
    assert price_page(request).content == b"31.00"

    anonymous = factory.get("/priced/")
    anonymous.user = type("Anonymous", (), {"is_authenticated": False})()
    anonymous.strategy = Selector().strategy(request=anonymous)
    response = price_page(anonymous)

    assert response.content == b"39.80" and "X-Page-Cache" not in response


def test_retail_prices_and_cards_are_unchanged_for_everyone_else(shiitake):
    retail = _signed_in(UserFactory())

    page = retail.get(shiitake.get_absolute_url()).content.decode()
    info = Selector().strategy().fetch_for_product(shiitake)

    assert info.price.excl_tax == Decimal("39.80") and not hasattr(info.price, "terms")
    assert "¥39.80" in page and 'class="buyer-terms"' not in page
