"""With the shared page cache on (core.page_cache), as production runs: in real browsers, a signed-in
buyer with a basket, a channel member and an anonymous visitor open the same pages, turn by turn,
and each sees only their own account links, basket and prices; the buyer's own basket button works.
"""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from oscar.test.factories import UserFactory

from core.sales_channels import SalesChannel
from tests.catalogue.builders import shelf_product
from tests.e2e.conftest import PHONE_390
from tests.factories.channels import OrganisationFactory, member_of, price

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _visitor(browser, live_server, user=None):
    context = browser.new_context(viewport=PHONE_390, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    if user is not None:  # signed in as the sign-in page would leave them: a session cookie
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    return page


def test_three_visitors_share_pages_and_see_only_their_own_parts(browser, live_server, settings):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10  # as in production (the test settings turn it off)
    shiitake = shelf_product(title="房县香菇 250克", price="39.80", stock=50)
    price(shiitake, "31.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
    buyer = UserFactory(email="li.na@example.com")
    member = member_of(OrganisationFactory(channel=SalesChannel.SCHOOL), email="canteen@example.com")
    anonymous = _visitor(browser, live_server)
    signed_in = _visitor(browser, live_server, buyer)
    school = _visitor(browser, live_server, member)
    url = shiitake.get_absolute_url()

    signed_in.goto(url)
    signed_in.locator("#add_to_basket_form button[type=submit]").first.click()
    signed_in.wait_for_url("**/shop/**")
    seen = {}
    for name, page in (("anonymous", anonymous), ("buyer", signed_in), ("member", school)) * 2:
        for path in ("/shop/catalogue/", url):
            response = page.goto(path)
            seen[(name, path)] = (
                response.headers.get("x-page-cache"),
                page.locator("#login_link").count(),
                page.locator("#logout_link").count(),
                page.locator(".basket-mini__count").first.inner_text().strip(),
                "¥31.00" in page.content(),
            )

    for path in ("/shop/catalogue/", url):
        assert seen[("anonymous", path)][1:] == (1, 0, "0", False)
        assert seen[("buyer", path)][1:] == (0, 1, "1", False)
        assert seen[("member", path)][1:] == (0, 1, "0", True)
        assert all(seen[(name, path)][0] == "hit" for name in ("anonymous", "buyer"))  # shared, second round
    signed_in.goto("/shop/basket/")
    assert "房县香菇 250克" in signed_in.content()
    anonymous.goto("/shop/basket/")
    assert "房县香菇 250克" not in anonymous.content()
    assert anonymous.console_errors == signed_in.console_errors == school.console_errors == []
    for page in (anonymous, signed_in, school):
        page.context.close()
