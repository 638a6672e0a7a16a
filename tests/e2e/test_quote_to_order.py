"""Quote to order in Chromium: a school's member asks for a quote, the channel manager prices it on
the desk, the member accepts it, and the order is placed at the quoted price with its stock allocated."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from channels.models import OrganisationOrder, Quote
from core.sales_channels import SalesChannel
from tests.factories.channels import (
    DeliverySiteFactory,
    OrganisationFactory,
    channel_manager,
    member_of,
    price,
)
from tests.factories.order import product_for_sale

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context, context.new_page()


@pytest.fixture
def managers_group():
    """The group data migration 0002 makes: a transactional test's flush may have emptied it."""
    from django.apps import apps as django_apps

    create_group = importlib.import_module("channels.migrations.0002_channel_managers_group").create_group
    create_group(django_apps, None)


def test_member_asks_manager_prices_member_accepts_and_the_order_is_placed(
    browser, live_server, managers_group
):
    school = OrganisationFactory(channel=SalesChannel.SCHOOL, short_name="海淀实验中学")
    site = DeliverySiteFactory(organisation=school, name="海淀校区")
    member = member_of(school)
    manager = channel_manager(SalesChannel.SCHOOL)
    shiitake = product_for_sale(title="房县香菇 250克", price="39.80", stock=100)
    price(shiitake, "30.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    day = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()

    # The member asks.
    member_context, page = signed_in(browser, live_server, member)
    page.goto("/shop/channels/org/quotes/new/")
    page.select_option("#id_site", str(site.pk))
    page.fill("#id_delivery_date", day)
    page.select_option("#id_lines-0-product", str(shiitake.pk))
    page.fill("#id_lines-0-quantity", "40")
    page.fill("#id_note", "开学第一周")
    page.locator("form.sup-form button[type=submit]").click()
    page.wait_for_url("**/org/quotes/*/")
    assert "待报价" in page.content()
    quote = Quote.objects.get()

    # The manager prices it on the desk.
    manager_context, desk = signed_in(browser, live_server, manager)
    desk.goto("/shop/channels/")
    assert quote.number in desk.locator("#quotes").inner_text()
    desk.locator(f"#quotes a:has-text('{quote.number}')").click()
    line = quote.lines.get()
    desk.fill(f"#id_price-{line.pk}", "20.00")  # below the floor (21.00): refused
    desk.locator("button[value=price]").click()
    desk.wait_for_load_state()
    assert "底价" in desk.locator(".sup-errors").inner_text()
    desk.fill(f"#id_price-{line.pk}", "24.50")
    desk.locator("button[value=price]").click()
    desk.wait_for_load_state()
    assert "已报价" in desk.content()
    manager_context.close()

    # The member accepts.
    page.reload()
    assert "¥980.00" in page.locator("#quote-total").inner_text()
    page.fill("#id_po_number", "HD-2026-001")
    page.locator("button[value=accept]").click()
    page.wait_for_load_state()
    assert "已接受" in page.content()
    member_context.close()

    quote.refresh_from_db()
    link = OrganisationOrder.objects.get(order=quote.order)
    assert (link.source, link.po_number) == ("quote", "HD-2026-001")
    line = quote.order.lines.get()
    assert (line.quantity, line.unit_price_incl_tax) == (40, Decimal("24.50"))
    assert shiitake.stockrecords.get().num_allocated == 40
