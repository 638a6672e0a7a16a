"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against pytest-django's live server.

Skipped when Chromium is missing, unless E2E_REQUIRED=1 (CI sets it: there a missing browser fails).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 375, "height": 812}
#: The phone of the issue's "done when" checks (a common Android/iPhone size).
PHONE_390 = {"width": 390, "height": 844}


def _unavailable(reason):
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run while one
    # is running unless told it is safe (it is: the loop only drives the browser). Only while it runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser, live_server):
    """A fresh 375 px wide page in Chinese; relative URLs go to the live server."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path_factory):
    """Where the journey's screenshots go (E2E_SCREENSHOTS overrides, e.g. to keep them from CI)."""
    folder = os.environ.get("E2E_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def phone390(browser, live_server):
    """A fresh 390×844 page in Chinese that records console errors and uncaught script errors
    (``page.console_errors``, each with the script's URL); relative URLs go to the live server."""
    context = browser.new_context(
        viewport=PHONE_390,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"{message.location.get('url')}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def fake_stripe_live(settings, live_server):
    """The local fake Stripe over HTTP, sending its signed webhooks to the live server; card, Alipay
    and WeChat Pay switched on."""
    from tests.payment.conftest import WEBHOOK_SECRET
    from tests.payment.fake_stripe import FakeStripe

    fake = FakeStripe(
        webhook_url=f"{live_server.url}/payments/stripe/webhook/", webhook_secret=WEBHOOK_SECRET
    ).start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay", "wechat_pay"]
    yield fake
    fake.stop()
