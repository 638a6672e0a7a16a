"""The buyer's side: the Payment Element page for a placed order, and the status page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from shop.payment import services
from shop.payment import stripe_gateway as gateway
from shop.payment.models import StripePayment
from shop.payment.selectors import payment_grant_access
from tests.factories.payment import card_order, pending_order
from tests.payment.conftest import deliver

pytestmark = pytest.mark.django_db


def pay_url(order):
    return reverse("payments:order-pay", kwargs={"number": order.number})


def status_url(order):
    return reverse("payments:order-status", kwargs={"number": order.number})


def test_pay_page_creates_an_intent_for_the_order_total_in_fen_with_the_order_key(
    buyer, buyer_client, fake_stripe
):
    order = card_order(user=buyer, price="39.80", quantity=2)

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 200
    [create] = fake_stripe.calls("POST", "/v1/payment_intents")
    assert create.params["amount"] == "7960"  # ¥79.60, in fen, as an integer
    assert create.params["currency"] == "cny"
    assert create.params["payment_method_types"] == {"0": "card"}  # a card order takes cards only
    assert create.params["metadata"] == {"order_number": order.number}
    assert create.idempotency_key == f"order-{order.number}-pi-v1"
    assert create.headers["authorization"] == "Bearer sk_test_fake"
    page = response.content.decode()
    assert 'src="https://js.stripe.com/v3/"' in page
    assert 'data-client-secret="pi_fake_' in page
    assert 'data-publishable-key="pk_test_fake"' in page
    assert "¥79.60" in page


def test_opening_the_pay_page_again_reuses_the_intent_instead_of_creating_another(
    buyer, buyer_client, fake_stripe
):
    order = card_order(user=buyer)
    buyer_client.get(pay_url(order))

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 200
    assert len(fake_stripe.calls("POST", "/v1/payment_intents")) == 1
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/")) == 1
    assert len(fake_stripe.intents) == 1


def test_stripe_js_is_loaded_only_on_the_pay_page(buyer, buyer_client, fake_stripe):
    order = card_order(user=buyer)

    status_page = buyer_client.get(status_url(order)).content.decode()

    assert "js.stripe.com" not in status_page


def test_pay_answers_try_again_when_stripe_answers_500_and_the_order_stays_pending(
    buyer, buyer_client, fake_stripe
):
    order = card_order(user=buyer)
    fake_stripe.fault("503")

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 503
    assert "try again" in response.content.decode().lower() or "重试" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "Pending payment"
    assert StripePayment.objects.get(order=order).payment_intent_id == ""


def test_a_retry_after_a_timeout_reuses_the_key_and_gets_the_same_intent(
    buyer, buyer_client, fake_stripe, settings
):
    # Given Stripe created the intent but its answer came too late for the shop
    settings.STRIPE_TIMEOUT_SECONDS = 0.3
    order = card_order(user=buyer)
    fake_stripe.fault("timeout", seconds=1.0)
    first = buyer_client.get(pay_url(order))
    assert first.status_code == 503

    # When the buyer presses "try again"
    second = buyer_client.get(pay_url(order))

    # Then the same key was sent, and Stripe (replaying) gave back the one intent it made
    assert second.status_code == 200
    creates = fake_stripe.calls("POST", "/v1/payment_intents")
    assert [c.idempotency_key for c in creates] == [f"order-{order.number}-pi-v1"] * 2
    assert len(fake_stripe.intents) == 1
    payment = StripePayment.objects.get(order=order)
    assert payment.payment_intent_id == next(iter(fake_stripe.intents))


def test_a_500_that_stripe_keeps_replaying_moves_to_the_next_key(buyer, buyer_client, fake_stripe):
    # Given Stripe answered 500 for the order's key (and would replay it for 24 hours)
    order = card_order(user=buyer)
    fake_stripe.fault("500")
    assert buyer_client.get(pay_url(order)).status_code == 503

    # When the buyer tries again twice
    replay = buyer_client.get(pay_url(order))
    fresh = buyer_client.get(pay_url(order))

    # Then the first retry reused the key (and got the replay), the next one used v2 and worked
    assert replay.status_code == 503
    assert fresh.status_code == 200
    keys = [c.idempotency_key for c in fake_stripe.calls("POST", "/v1/payment_intents")]
    assert keys == [f"order-{order.number}-pi-v1"] * 2 + [f"order-{order.number}-pi-v2"]
    assert len(fake_stripe.intents) == 1


def test_pay_page_is_a_404_for_someone_elses_order(client, fake_stripe, django_user_model):
    order = card_order(user=django_user_model.objects.create_user("a", "a@example.com", "x"))
    other = django_user_model.objects.create_user("b", "b@example.com", "x")
    client.force_login(other)

    assert client.get(pay_url(order)).status_code == 404
    assert client.get(status_url(order)).status_code == 404
    assert fake_stripe.requests == []


def test_a_guest_sees_their_order_only_from_the_browser_that_placed_it(client, fake_stripe):
    order = card_order(user=None)
    assert client.get(status_url(order)).status_code == 404

    session = client.session
    session["payment_order_numbers"] = [order.number]
    session.save()

    assert client.get(pay_url(order)).status_code == 200
    assert client.get(status_url(order)).status_code == 200


def test_payment_grant_access_lets_the_checkout_hand_a_guest_order_to_this_browser(rf, fake_stripe):
    order = pending_order(user=None)
    request = rf.get("/")
    request.session = {}

    payment_grant_access(request, order)

    assert request.session["payment_order_numbers"] == [order.number]


def test_without_stripe_keys_card_payment_is_hidden_and_the_pay_page_says_so(buyer, buyer_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    order = pending_order(user=buyer)

    response = buyer_client.get(pay_url(order))

    assert gateway.stripe_enabled() is False
    assert response.status_code == 503


def test_the_amount_comes_from_the_order_never_from_the_browser(buyer, buyer_client, fake_stripe):
    order = card_order(user=buyer, price="10.00", quantity=1)

    buyer_client.get(pay_url(order) + "?amount=1&currency=usd")

    [create] = fake_stripe.calls("POST", "/v1/payment_intents")
    assert (create.params["amount"], create.params["currency"]) == ("1000", "cny")


def test_status_goes_from_pending_to_paid_once_the_webhook_is_processed(
    buyer, buyer_client, fake_stripe, client
):
    order = card_order(user=buyer)
    buyer_client.get(pay_url(order))
    json_url = reverse("payments:order-status-json", kwargs={"number": order.number})
    assert buyer_client.get(json_url).json()["state"] == "pending"

    intent = fake_stripe.pay(StripePayment.objects.get(order=order).payment_intent_id)
    deliver(client, fake_stripe.event("payment_intent.succeeded", intent))

    status = buyer_client.get(json_url).json()
    assert status["state"] == "paid"
    assert status["final"] is True
    assert "Payment received" in status["message"] or "已收到" in status["message"]


def test_a_buyer_back_from_stripe_can_make_the_status_check_with_stripe_when_the_webhook_is_late(
    buyer, buyer_client, fake_stripe
):
    order = card_order(user=buyer)
    buyer_client.get(pay_url(order))
    fake_stripe.pay(StripePayment.objects.get(order=order).payment_intent_id)
    json_url = reverse("payments:order-status-json", kwargs={"number": order.number})

    status = buyer_client.get(json_url + "?returned=1&check=1").json()

    assert status["state"] == "paid"
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/")) == 1


def test_status_checks_with_stripe_are_throttled_per_payment(buyer, buyer_client, fake_stripe):
    order = card_order(user=buyer)
    buyer_client.get(pay_url(order))
    json_url = reverse("payments:order-status-json", kwargs={"number": order.number})

    first = buyer_client.get(json_url + "?returned=1&check=1").json()
    second = buyer_client.get(json_url + "?returned=1&check=1").json()

    assert first["state"] == second["state"] == "confirming"
    assert first["can_pay"] is False
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/")) == 1


def test_a_paid_order_redirects_from_the_pay_page_to_its_status(buyer, buyer_client, fake_stripe, client):
    order = card_order(user=buyer)
    buyer_client.get(pay_url(order))
    intent = fake_stripe.pay(StripePayment.objects.get(order=order).payment_intent_id)
    deliver(client, fake_stripe.event("payment_intent.succeeded", intent))

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 302
    assert response["Location"] == status_url(order)


def test_amounts_become_whole_fen_and_never_pass_through_float():
    assert gateway.to_fen(Decimal("79.60")) == 7960
    assert gateway.to_fen(Decimal("0.01")) == 1
    assert gateway.from_fen(7960) == Decimal("79.60")
    with pytest.raises(ValueError):
        gateway.to_fen(Decimal("1.005"))
    with pytest.raises(TypeError):
        gateway.to_fen(79.6)


def test_opening_a_payment_twice_gives_the_same_record(fake_stripe):
    order = pending_order()

    first = services.stripe_payment_open(order=order)
    second = services.stripe_payment_open(order=order)

    assert first.pk == second.pk
    assert first.amount == order.total_incl_tax


def test_the_card_method_records_itself_on_the_placed_order_and_sends_the_buyer_to_pay(rf, fake_stripe):
    from shop.payment.methods import StripeCard

    method = StripeCard()
    order = pending_order(user=None)
    request = rf.post("/checkout/")
    request.session = {}

    method.order_placed(order=order)  # inside the checkout's placement transaction
    url = method.next_url(order=order, request=request)  # after commit

    assert url == pay_url(order)
    assert StripePayment.objects.get(order=order).state == "requires_payment"
    source = order.sources.get()
    assert (source.source_type.code, source.amount_allocated) == ("stripe-card", order.total_incl_tax)
    assert request.session["payment_order_numbers"] == [order.number]
    assert fake_stripe.requests == []  # nothing leaves the shop inside the placement transaction
    assert method.is_available(basket=None, user=None) is True  # asks Stripe for the account's capabilities
    assert pay_url(order) in method.render_instructions(order, "html")
    assert pay_url(order) in method.render_instructions(order, "txt")


def test_the_card_method_is_not_offered_without_stripe_keys(settings):
    from shop.payment.methods import StripeCard

    settings.STRIPE_PUBLISHABLE_KEY = ""

    assert StripeCard().is_available(basket=None, user=None) is False


def test_an_order_placed_for_another_method_is_never_turned_into_a_card_order(
    buyer, buyer_client, fake_stripe
):
    order = pending_order(user=buyer)  # e.g. bank transfer: the card method never started it

    response = buyer_client.get(pay_url(order))

    assert response.status_code == 302
    assert response["Location"] == status_url(order)
    assert not StripePayment.objects.exists()
    assert fake_stripe.requests == []


def test_the_status_poll_is_cheap(buyer, buyer_client, fake_stripe, django_assert_max_num_queries):
    order = card_order(user=buyer)
    json_url = reverse("payments:order-status-json", kwargs={"number": order.number})
    buyer_client.get(json_url)

    with django_assert_max_num_queries(3):  # session, user, order with its payment
        response = buyer_client.get(json_url)

    assert response.json()["state"] == "pending"


def test_the_buyers_payment_pages_answer_head_as_they_answer_get(buyer, buyer_client, fake_stripe):
    order = card_order(user=buyer)
    json_url = reverse("payments:order-status-json", kwargs={"number": order.number})

    for url in (pay_url(order), status_url(order), json_url):
        assert buyer_client.head(url).status_code == buyer_client.get(url).status_code == 200, url
