"""Quotes (询价): a member asks, the channel manager prices (not below the floor), a member accepts
once, before expiry, and the quote becomes an order at the quoted prices, allocated as any order."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from channels.models import Delivery, Membership, Organisation, OrganisationOrder, PriceListEntry, Quote
from channels.services import quotes
from channels.tasks import quotes_expire_task
from core.sales_channels import SalesChannel
from tests.factories.channels import (
    DeliverySiteFactory,
    OrganisationFactory,
    channel_manager,
    member_of,
    price,
)
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def school():
    return OrganisationFactory(channel=SalesChannel.SCHOOL, short_name="海淀实验中学")


@pytest.fixture
def site(school):
    return DeliverySiteFactory(organisation=school, name="海淀校区")


@pytest.fixture
def buyer(school):
    return member_of(school)


@pytest.fixture
def manager():
    return channel_manager(SalesChannel.SCHOOL)


@pytest.fixture
def shiitake():
    product = product_for_sale(title="房县香菇 250克", price="39.80", stock=100)
    price(product, "30.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    return product


def ask(buyer, site, product, quantity=10):
    return quotes.quote_request(
        user=buyer, site=site, delivery_date=TODAY() + WEEK, lines=[(product, quantity)], note="食堂用"
    )


def priced(quote, manager, amount="25.00", valid_until=None):
    line = quote.lines.get()
    return quotes.quote_price(
        quote=quote, by=manager, prices={line.pk: Decimal(amount)}, valid_until=valid_until or TODAY() + WEEK
    )


def test_the_whole_path_asks_prices_accepts_and_places_the_order_at_the_quoted_price(
    buyer, site, manager, shiitake
):
    quote = priced(ask(buyer, site, shiitake, 10), manager, "25.00")
    # The list price changes after pricing: the quote's price holds.
    PriceListEntry.objects.filter(product=shiitake).update(price=Decimal("50.00"))

    order = quotes.quote_accept(quote=quote, user=buyer, po_number="PO-77")

    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED and quote.order == order
    line = order.lines.get()
    assert line.quantity == 10  # a quote is not held to the list's minimum or cases
    assert line.unit_price_incl_tax == Decimal("25.00") and order.total_incl_tax == Decimal("250.00")
    assert order.channel == SalesChannel.SCHOOL
    link = OrganisationOrder.objects.get(order=order)
    assert (link.source, link.po_number, link.note) == ("quote", "PO-77", "食堂用")
    assert Delivery.objects.get(organisation_order=link).site == site
    shiitake.stockrecords.get().refresh_from_db()
    assert shiitake.stockrecords.get().num_allocated == 10


def test_a_price_below_the_floor_is_refused_saying_the_floor(buyer, site, manager, shiitake):
    quote = ask(buyer, site, shiitake)

    with pytest.raises(ValidationError) as refused:
        priced(quote, manager, "20.99")  # floor: 70% of 30.00 = 21.00

    assert "below the floor of 21.00" in str(refused.value)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REQUESTED
    assert priced(quote, manager, "21.00").status == Quote.Status.PRICED


def test_a_manager_of_another_channel_cannot_price(buyer, site, shiitake):
    quote = ask(buyer, site, shiitake)

    with pytest.raises(PermissionDenied):
        priced(quote, channel_manager(SalesChannel.RESTAURANT))


def test_a_quote_is_accepted_once(buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake), manager)
    quotes.quote_accept(quote=quote, user=buyer)

    with pytest.raises(ValidationError, match="accepted already"):
        quotes.quote_accept(quote=quote, user=buyer)

    assert OrganisationOrder.objects.count() == 1


def test_an_expired_quote_is_refused_even_before_the_job_ran(buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake), manager, valid_until=TODAY())
    Quote.objects.filter(pk=quote.pk).update(valid_until=TODAY() - datetime.timedelta(days=1))

    with pytest.raises(ValidationError, match="expired"):
        quotes.quote_accept(quote=quote, user=buyer)
    assert quotes_expire_task() == 1
    assert quotes_expire_task() == 0  # twice: nothing more
    with pytest.raises(ValidationError, match="expired"):
        quotes.quote_accept(quote=quote, user=buyer)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.EXPIRED and quote.order is None


def test_above_the_threshold_only_an_approver_accepts(school, buyer, site, manager, shiitake):
    school.approval_threshold = Decimal("100.00")
    school.save()
    quote = priced(ask(buyer, site, shiitake, 10), manager, "25.00")  # 250.00

    with pytest.raises(ValidationError, match="need an approver"):
        quotes.quote_accept(quote=quote, user=buyer)
    order = quotes.quote_accept(quote=quote, user=member_of(school, role=Membership.Role.APPROVER))

    assert order.total_incl_tax == Decimal("250.00")


def test_a_suspended_organisation_cannot_accept(school, buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake), manager)
    Organisation.objects.filter(pk=school.pk).update(status=Organisation.Status.SUSPENDED)

    with pytest.raises(ValidationError, match="cannot order"):
        quotes.quote_accept(quote=quote, user=buyer)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.PRICED and OrganisationOrder.objects.count() == 0


def test_a_shortage_at_acceptance_leaves_the_quote_open(buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake, 150), manager)  # 100 in stock

    with pytest.raises(ValidationError):
        quotes.quote_accept(quote=quote, user=buyer)

    quote.refresh_from_db()
    assert quote.status == Quote.Status.PRICED and OrganisationOrder.objects.count() == 0


def test_the_pdf_is_made_after_pricing(client, buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake), manager)
    quotes.quote_pdf_make(quote.pk)  # the task, as Celery runs it

    client.force_login(buyer)
    response = client.get(reverse("channels:org-quote-pdf", args=[quote.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# --- Pages ---------------------------------------------------------------------------------------------
def test_another_organisations_quote_is_not_found_by_url(client, buyer, site, manager, shiitake):
    quote = priced(ask(buyer, site, shiitake), manager)
    stranger = member_of(OrganisationFactory(channel=SalesChannel.SCHOOL))
    client.force_login(stranger)

    for name in ("org-quote", "org-quote-pdf"):
        assert client.get(reverse(f"channels:{name}", args=[quote.pk])).status_code == 404
    assert (
        client.post(reverse("channels:org-quote", args=[quote.pk]), {"action": "accept"}).status_code == 404
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PRICED


def test_a_manager_of_another_channel_gets_403_on_the_desk_quote(client, buyer, site, shiitake):
    quote = ask(buyer, site, shiitake)
    client.force_login(channel_manager(SalesChannel.RESTAURANT))

    assert client.get(reverse("channels:desk-quote", args=[quote.pk])).status_code == 403
    assert client.get(reverse("channels:desk-quotes")).status_code == 200
    assert "海淀实验中学" not in client.get(reverse("channels:desk-quotes")).content.decode()


def test_member_asks_manager_prices_member_accepts_through_the_pages(client, buyer, site, manager, shiitake):
    client.force_login(buyer)
    response = client.post(
        reverse("channels:org-quote-create"),
        {
            "site": site.pk,
            "delivery_date": (TODAY() + WEEK).isoformat(),
            "note": "",
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-product": shiitake.pk,
            "lines-0-quantity": "10",
            "lines-1-product": "",
            "lines-1-quantity": "",
        },
    )
    quote = Quote.objects.get()
    assert response.status_code == 302 and response.url == reverse("channels:org-quote", args=[quote.pk])

    client.force_login(manager)
    line = quote.lines.get()
    response = client.post(
        reverse("channels:desk-quote", args=[quote.pk]),
        {"action": "price", f"price-{line.pk}": "26.50", "valid_until": (TODAY() + WEEK).isoformat()},
    )
    assert response.status_code == 302
    assert "1" in client.get(reverse("channels:desk")).content.decode()

    client.force_login(buyer)
    page = client.get(reverse("channels:org-quote", args=[quote.pk])).content.decode()
    assert "265.00" in page
    response = client.post(
        reverse("channels:org-quote", args=[quote.pk]), {"action": "accept", "po_number": "A1"}
    )
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert response.status_code == 302


def test_the_demo_has_a_quote_in_each_state_and_seeding_again_adds_none():
    import io

    from django.core.management.base import BaseCommand

    from catalogue import demo as catalogue_demo
    from channels import demo as channels_demo
    from channels import demo_quotes
    from core import demo_accounts

    command = BaseCommand(stdout=io.StringIO())
    for module in (catalogue_demo, demo_accounts, channels_demo, demo_quotes):
        module.seed(command)
    demo_quotes.seed(command)

    assert sorted(Quote.objects.values_list("status", flat=True)) == sorted(Quote.Status.values)
    accepted = Quote.objects.get(status=Quote.Status.ACCEPTED)
    assert accepted.order.organisation_link.source == "quote"
