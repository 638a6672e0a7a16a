"""No script errors in the browser console, on the pages each role reaches (issue 15, part 4).

The pages are found as the Chinese-everywhere test finds them (each role follows the links it is
shown from its start pages, one page per kind of URL), then each is opened in Chromium at phone size
with the role signed in; a console error, an uncaught exception or a failed request for one of our
own scripts or styles fails the test, listed with its page.
"""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from tests.shop.test_chinese_everywhere import ACCOUNT, START, crawl

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

#: Pages opened in the browser per role (the crawl finds more; these cover every start page and
#: the first kinds of page linked from them).
PAGES_PER_ROLE = 18
PHONE = {"width": 390, "height": 844}


def _browser_context(browser, live_server, user):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN",
                                  base_url=live_server.url)  # fmt: skip
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    return context


def _watch(page, role: str, current: dict, problems: list[str]) -> None:
    """Record console errors, uncaught exceptions and failed scripts or styles, with their page."""

    def console(message):
        if message.type == "error":
            problems.append(f"{role} {current['url']}: {message.text}")

    def failed(request):
        if request.resource_type in ("script", "stylesheet"):
            problems.append(f"{role} {current['url']}: {request.url} failed ({request.failure})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{role} {current['url']}: uncaught {error}"))
    page.on("requestfailed", failed)


def test_no_page_of_any_role_logs_a_script_error(browser, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the process)
    users = get_user_model().objects
    problems: list[str] = []
    opened = 0
    # The watch itself works: an error logged on a page is recorded.
    context = _browser_context(browser, live_server, None)
    probe = context.new_page()
    _watch(probe, "probe", {"url": "/"}, problems)
    probe.goto("/", wait_until="load")
    probe.evaluate("console.error('probe')")
    probe.wait_for_timeout(100)
    context.close()
    assert problems == ["probe /: probe"], problems
    problems.clear()
    for role, start in START.items():
        user = users.get(email=ACCOUNT[role]) if role in ACCOUNT else None
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
        if user is not None:
            client.force_login(user)
        _, _, pages = crawl(client, start, limit=PAGES_PER_ROLE)
        context = _browser_context(browser, live_server, user)
        page = context.new_page()
        current = {"url": ""}
        _watch(page, role, current, problems)
        for url in pages:
            current["url"] = url
            page.goto(url, wait_until="load")
            opened += 1
        context.close()
    assert opened >= 50, opened
    assert not problems, "\n".join(problems)
