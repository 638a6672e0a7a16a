"""Alipay and WeChat Pay through Stripe: placed first, paid only by a signed webhook, refundable.

Against the local fake Stripe over HTTP (``fake_stripe``), which answers both methods as Stripe
documents them (``next_action`` ``alipay_handle_redirect`` / ``wechat_pay_display_qr_code``).
"""

import json
import re
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.payment import capabilities, checks, services
from shop.payment.methods import StripeAlipay, StripeCard, StripeWechatPay
from shop.payment.models import StripePayment
from shop.payment.tasks import stripe_capabilities_refresh_task
from tests.checkout import flow
from tests.factories.order import product_for_sale
from tests.factories.payment import pending_order, stock_of
from tests.payment.conftest import deliver

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")

WALLETS = {"alipay": StripeAlipay, "wechat_pay": StripeWechatPay}
ALL_METHODS = ["card", "alipay", "wechat_pay"]


@pytest.fixture
def wallets_on(settings, fake_stripe):
    settings.STRIPE_PAYMENT_METHODS = ALL_METHODS
    return fake_stripe


def wallet_order(method: str, *, user=None, price="39.80", quantity=2):
    """An order placed for Alipay or WeChat Pay, as the checkout leaves it (placement hook run)."""
    order = pending_order(user=user, price=price, quantity=quantity)
    WALLETS[method]().order_placed(order=order, user=user)
    return order


def pay_url(order):
    return reverse("payments:order-pay", kwargs={"number": order.number})


def status_url(order):
    return reverse("payments:order-status", kwargs={"number": order.number})


def start(client, order) -> StripePayment:
    """The buyer opens the pay page: intent created and confirmed; returns the payment."""
    response = client.get(pay_url(order))
    assert response.status_code == 200, response.content[:300]
    return StripePayment.objects.get(order=order)


# --- The intent: one method, yuan, the order's key ----------------------------------------------


def test_alipay_pay_page_creates_a_cny_alipay_intent_with_the_order_key_and_links_to_alipay(
    buyer, buyer_client, wallets_on
):
    order = wallet_order("alipay", user=buyer)

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 200
    [create] = wallets_on.calls("POST", "/v1/payment_intents")[:1]
    assert create.path == "/v1/payment_intents"
    assert create.params["payment_method_types"] == {"0": "alipay"}
    assert create.params["currency"] == "cny"
    assert create.params["amount"] == "7960"
    assert create.idempotency_key == f"order-{order.number}-pi-v1"
    [confirm] = wallets_on.calls("POST", "/v1/payment_intents/pi_fake_")
    assert confirm.path.endswith("/confirm")
    assert confirm.params["payment_method_data"] == {"type": "alipay"}
    assert confirm.params["return_url"] == f"http://testserver{status_url(order)}"
    assert confirm.idempotency_key == f"order-{order.number}-pi-confirm-1"
    page = response.content.decode()
    payment = StripePayment.objects.get(order=order)
    assert (payment.method, payment.state) == ("alipay", "requires_payment")
    assert f'href="{wallets_on.url}/_fake/alipay/{payment.payment_intent_id}"' in page
    assert "js.stripe.com" not in page  # no Stripe.js: the server confirms
    assert "¥79.60" in page


def test_wechat_pay_page_shows_the_qr_code_and_polls_the_order_status(buyer, buyer_client, wallets_on):
    order = wallet_order("wechat_pay", user=buyer)

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 200
    create = wallets_on.calls("POST", "/v1/payment_intents")[0]
    assert create.params["payment_method_types"] == {"0": "wechat_pay"}
    assert create.params["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    assert create.params["currency"] == "cny"
    assert create.idempotency_key == f"order-{order.number}-pi-v1"
    [confirm] = wallets_on.calls("POST", "/v1/payment_intents/pi_fake_")
    assert confirm.params["payment_method_data"] == {"type": "wechat_pay"}
    assert confirm.params["payment_method_options"] == {"wechat_pay": {"client": "web"}}
    page = response.content.decode()
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"\s+id="wallet-qr"', page)
    status_json = reverse("payments:order-status-json", kwargs={"number": order.number})
    assert f'data-status-url="{status_json}"' in page
    assert "payment/js/status.js" in page


def test_on_a_phone_the_wechat_page_says_how_to_scan_a_code_shown_on_the_same_phone(
    buyer, buyer_client, wallets_on
):
    order = wallet_order("wechat_pay", user=buyer)

    in_browser = buyer_client.get(pay_url(order)).content.decode()
    in_wechat = buyer_client.get(
        pay_url(order), headers={"User-Agent": "Mozilla/5.0 (iPhone) MicroMessenger/8.0.50"}
    ).content.decode()

    assert "截图" in in_browser and "相册" in in_browser
    assert "长按" in in_wechat and "识别" in in_wechat


def test_reloading_the_pay_page_while_the_buyer_pays_reuses_the_pending_action(
    buyer, buyer_client, wallets_on
):
    order = wallet_order("alipay", user=buyer)
    start(buyer_client, order)

    again = buyer_client.get(pay_url(order))

    assert again.status_code == 200
    assert len(wallets_on.calls("POST", "/v1/payment_intents")) == 2  # one creation, one confirmation
    assert len(wallets_on.intents) == 1


def test_after_a_failed_attempt_the_pay_page_confirms_again_with_the_next_key(
    buyer, buyer_client, client, wallets_on
):
    order = wallet_order("alipay", user=buyer)
    payment = start(buyer_client, order)
    wallets_on.decline(payment.payment_intent_id, "The customer cancelled the payment.")
    deliver(client, wallets_on.intent_event("payment_intent.payment_failed", payment.payment_intent_id))
    payment.refresh_from_db()
    assert payment.state == "failed"

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 200
    keys = [call.idempotency_key for call in wallets_on.calls("POST", "/v1/payment_intents/")]
    assert keys == [f"order-{order.number}-pi-confirm-1", f"order-{order.number}-pi-confirm-2"]


def test_the_card_method_still_takes_cards_only_through_the_payment_element(buyer, buyer_client, wallets_on):
    order = pending_order(user=buyer)
    StripeCard().order_placed(order=order, user=buyer)

    page = buyer_client.get(pay_url(order)).content.decode()

    [create] = wallets_on.calls("POST", "/v1/payment_intents")
    assert create.params["payment_method_types"] == {"0": "card"}
    assert 'src="https://js.stripe.com/v3/"' in page


# --- Webhooks: paid only by Stripe's word; twice, late and out of order change nothing ----------


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_a_signed_success_webhook_marks_the_order_paid_for_each_method(
    method, buyer, buyer_client, client, wallets_on
):
    order = wallet_order(method, user=buyer)
    payment = start(buyer_client, order)

    wallets_on.pay(payment.payment_intent_id)
    deliver(client, wallets_on.intent_event("payment_intent.succeeded", payment.payment_intent_id))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == "Paid"
    assert (payment.state, payment.amount_received) == ("succeeded", Decimal("79.60"))
    source = order.sources.get()
    code = {"alipay": "stripe-alipay", "wechat_pay": "stripe-wechat-pay"}[method]
    assert (source.source_type.code, source.amount_debited) == (code, Decimal("79.60"))
    assert order.notes.filter(message__contains=payment.payment_intent_id).exists()
    status = json.loads(buyer_client.get(reverse("payments:order-status-json", args=[order.number])).content)
    assert status["state"] == "paid"
    [receipt] = [m for m in mail.outbox if order.number in m.subject or order.number in m.body]
    assert {"alipay": "支付宝", "wechat_pay": "微信支付"}[method] in receipt.body
    assert source.label == {"alipay": "支付宝", "wechat_pay": "微信支付"}[method]


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_duplicate_late_and_out_of_order_webhooks_pay_the_order_once(
    method, buyer, buyer_client, client, wallets_on
):
    order = wallet_order(method, user=buyer)
    payment = start(buyer_client, order)
    intent_id = payment.payment_intent_id
    wallets_on.decline(intent_id)
    failed = wallets_on.intent_event("payment_intent.payment_failed", intent_id, created=1_000)
    wallets_on.pay(intent_id)
    succeeded = wallets_on.intent_event("payment_intent.succeeded", intent_id, created=2_000)

    for event in (succeeded, succeeded, failed, succeeded):  # again, then the old failure, late
        deliver(client, event)
    deliver(client, {**succeeded, "id": "evt_resent_by_stripe"})

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.state) == ("Paid", "succeeded")
    assert PaymentEvent.objects.filter(order=order, event_type__name="Paid").count() == 1
    assert order.sources.get().amount_debited == Decimal("79.60")


def test_a_canceled_webhook_cancels_the_unpaid_order_and_gives_the_stock_back(
    buyer, buyer_client, client, wallets_on
):
    order = wallet_order("wechat_pay", user=buyer, quantity=3)
    payment = start(buyer_client, order)
    wallets_on.set_status(payment.payment_intent_id, "canceled")
    event = wallets_on.intent_event("payment_intent.canceled", payment.payment_intent_id)

    deliver(client, event)
    deliver(client, event)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.state) == ("Cancelled", "canceled")
    assert stock_of(order)[1] == 0


# --- Refunds ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["alipay", "wechat_pay"])
def test_a_refund_reaches_stripe_and_is_recorded_once_for_each_method(
    method, buyer, buyer_client, client, wallets_on
):
    order = wallet_order(method, user=buyer)
    payment = start(buyer_client, order)
    wallets_on.pay(payment.payment_intent_id)
    deliver(client, wallets_on.intent_event("payment_intent.succeeded", payment.payment_intent_id))
    payment.refresh_from_db()

    refund = services.stripe_refund_request(
        payment=payment, amount="20.00", token=services.new_refund_token(), reason="破损"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.stripe_refund_submit(refund=refund)
    deliver(client, wallets_on.charge_refunded_event(payment.payment_intent_id))  # Stripe tells us too

    [sent] = wallets_on.calls("POST", "/v1/refunds")
    assert sent.params["payment_intent"] == payment.payment_intent_id
    assert sent.params["amount"] == "2000"
    assert sent.idempotency_key == refund.idempotency_key
    payment.refresh_from_db()
    assert (payment.state, payment.amount_refunded) == ("partially_refunded", Decimal("20.00"))
    assert PaymentEvent.objects.filter(order=order, event_type__name="Refunded").count() == 1
    assert order.sources.get().amount_refunded == Decimal("20.00")


# --- Shown only where the setting, the keys and the account allow -------------------------------


def offered(client, product) -> list[str]:
    flow.add_to_basket(client, product)
    flow.start_as_guest(client)
    flow.enter_address(client)
    page = client.get(reverse("checkout:payment-method")).content.decode()
    return re.findall(r'name="method" value="([a-z-]+)"', page)


@pytest.fixture
def product(db):
    return product_for_sale(title="房县香菇 250克", price="39.80", stock=10)


def test_checkout_offers_alipay_wechat_pay_and_card_when_switched_on_and_active(client, wallets_on, product):
    methods = offered(client, product)

    assert methods[:3] == ["stripe-alipay", "stripe-wechat-pay", "stripe-card"]  # the wallets first


def test_a_method_not_switched_on_in_the_setting_is_not_offered(client, settings, wallets_on, product):
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay"]

    methods = offered(client, product)

    assert "stripe-alipay" in methods and "stripe-wechat-pay" not in methods


def test_a_method_whose_account_capability_is_inactive_is_not_offered(client, wallets_on, product):
    wallets_on.capabilities["wechat_pay_payments"] = "inactive"
    wallets_on.capabilities["alipay_payments"] = "pending"

    methods = offered(client, product)

    assert "stripe-card" in methods
    assert "stripe-alipay" not in methods and "stripe-wechat-pay" not in methods
    assert flow.choose_payment(client, "stripe-wechat-pay").status_code == 200  # refused, form again


def test_when_stripe_cannot_say_wallets_are_hidden_but_card_is_kept(client, wallets_on, product):
    wallets_on.fault("503", path="/v1/account")

    methods = offered(client, product)

    assert "stripe-card" in methods
    assert "stripe-alipay" not in methods and "stripe-wechat-pay" not in methods


def test_without_stripe_keys_no_stripe_method_is_offered(client, settings, wallets_on, product):
    settings.STRIPE_WEBHOOK_SECRET = ""

    methods = offered(client, product)

    assert not [code for code in methods if code.startswith("stripe-")]


def test_the_capability_job_reads_the_account_so_a_lost_capability_hides_the_method(wallets_on):
    assert StripeAlipay().is_available() is True
    wallets_on.capabilities["alipay_payments"] = "inactive"
    assert StripeAlipay().is_available() is True  # the capabilities read earlier are kept

    refreshed = stripe_capabilities_refresh_task()

    assert refreshed["alipay_payments"] == "inactive"
    assert StripeAlipay().is_available() is False
    assert len(wallets_on.calls("GET", "/v1/account")) == 2
    assert cache.get(capabilities.CACHE_KEY)["wechat_pay_payments"] == "active"


# --- Through the real checkout ------------------------------------------------------------------


@pytest.mark.parametrize("code", ["stripe-alipay", "stripe-wechat-pay"])
def test_a_guest_places_the_order_first_then_pays_and_the_webhook_marks_it_paid(
    code, client, wallets_on, product
):
    flow.guest_checkout_to_preview(client, product, quantity=2, method=code)

    with TestCase.captureOnCommitCallbacks(execute=True):
        placed = flow.place_order(client)

    order = Order.objects.get()
    assert placed["Location"] == pay_url(order)
    assert order.status == "Pending payment"
    assert wallets_on.calls("POST", "/v1/payment_intents") == []  # placed before Stripe is asked
    payment = start(client, order)
    assert payment.method == {"stripe-alipay": "alipay", "stripe-wechat-pay": "wechat_pay"}[code]

    wallets_on.pay(payment.payment_intent_id)
    deliver(client, wallets_on.intent_event("payment_intent.succeeded", payment.payment_intent_id))

    order.refresh_from_db()
    assert order.status == "Paid"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_fake_alipay_page_pays_sends_the_signed_webhook_and_returns_the_buyer(
    live_server, settings, buyer, buyer_client, wallets_on
):
    """The redirect flow as the browser sees it, over HTTP (what the e2e test clicks through)."""
    wallets_on.webhook_url = f"{live_server.url}/payments/stripe/webhook/"
    wallets_on.webhook_secret = settings.STRIPE_WEBHOOK_SECRET
    order = wallet_order("alipay", user=buyer)
    payment = start(buyer_client, order)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(f"{wallets_on.url}/_fake/alipay/{payment.payment_intent_id}/pay", data=b"")

    assert answer.value.code == 303
    location = answer.value.headers["Location"]
    assert location.startswith(f"http://testserver{status_url(order)}?")
    assert "redirect_status=succeeded" in location
    order.refresh_from_db()
    assert order.status == "Paid"


# --- System check -------------------------------------------------------------------------------


def test_system_check_warns_about_wallets_that_can_never_be_offered(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PAYMENT_METHODS = ["card", "alipay", "wechat_pay", "bitcoin"]
    settings.SHOP_PAYMENT_METHODS = ["shop.payment.methods.StripeCard", "shop.payment.methods.StripeAlipay"]

    warnings = checks.stripe_payment_methods_check()

    assert {warning.id for warning in warnings} == {"payment.W001"}
    text = "\n".join(warning.msg for warning in warnings)
    assert "'bitcoin'" in text
    assert "alipay is switched on but the Stripe keys" in text
    assert "wechat_pay is switched on but shop.payment.methods.StripeWechatPay" in text


def test_system_check_is_quiet_when_wallets_are_configured(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    settings.STRIPE_PAYMENT_METHODS = ALL_METHODS

    assert checks.stripe_payment_methods_check() == []


def test_system_check_warns_when_the_shop_does_not_sell_in_yuan(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    settings.STRIPE_PAYMENT_METHODS = ["alipay"]
    settings.OSCAR_DEFAULT_CURRENCY = "EUR"

    [warning] = checks.stripe_payment_methods_check()

    assert warning.id == "payment.W001" and "CNY" in warning.msg


# --- In Chinese -----------------------------------------------------------------------------------


def _english_on(html: str) -> list[str]:
    from tests.shop.test_chinese_everywhere import _Reader, english_phrases

    reader = _Reader()
    reader.feed(html)
    return english_phrases(" ".join(reader.text))


def test_the_wallet_pages_and_the_staff_payment_summary_read_in_chinese(buyer, buyer_client, wallets_on):
    alipay, wechat = wallet_order("alipay", user=buyer), wallet_order("wechat_pay", user=buyer)
    pages = {
        "alipay pay page": buyer_client.get(pay_url(alipay)),
        "wechat pay page": buyer_client.get(pay_url(wechat)),
        "wechat pay page in WeChat": buyer_client.get(
            pay_url(wechat), headers={"User-Agent": "MicroMessenger"}
        ),
        "status page": buyer_client.get(status_url(alipay)),
    }
    payment = StripePayment.objects.get(order=wechat)
    wallets_on.pay(payment.payment_intent_id)
    webhook, staff = Client(), Client()
    deliver(webhook, wallets_on.intent_event("payment_intent.succeeded", payment.payment_intent_id))
    staff.force_login(UserFactory(is_staff=True, first_name="明", last_name="王", username="wangming"))
    pages["staff refund page"] = staff.get(
        reverse("payment_dashboard:stripe-refund-create", kwargs={"number": wechat.number})
    )

    english = {name: _english_on(page.content.decode()) for name, page in pages.items()}

    assert all(page.status_code == 200 for page in pages.values())
    assert english == {name: [] for name in pages}
    assert "微信支付" in pages["staff refund page"].content.decode()


def test_the_staff_payment_list_shows_and_filters_by_what_the_buyer_paid_with(
    buyer, buyer_client, wallets_on
):
    alipay, wechat = wallet_order("alipay", user=buyer), wallet_order("wechat_pay", user=buyer)
    start(buyer_client, alipay), start(buyer_client, wechat)
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, first_name="明", last_name="王", username="wangming"))
    url = reverse("payment_dashboard:stripe-payment-list")

    everything = staff.get(url).content.decode()
    alipay_only = staff.get(url, {"method": "alipay"}).content.decode()
    card_only = staff.get(url, {"method": "card"}).content.decode()
    unknown = staff.get(url, {"method": "paypal"})

    assert alipay.number in everything and wechat.number in everything
    assert "支付宝" in everything and "微信支付" in everything
    assert alipay.number in alipay_only and wechat.number not in alipay_only
    assert "没有找到在线支付记录。" in card_only
    assert unknown.status_code == 200 and alipay.number in unknown.content.decode()
    assert _english_on(everything) == []
