"""Redis actually stopped: the shop keeps selling, slower at worst, and nothing is lost.

A redis-server of the test's own backs the cache (core.cache.ResilientRedisCache, the shared page
cache included) and the Celery broker; it is killed in the middle of each test. Storefront pages,
the basket, checkout, a recall and a Stripe webhook then all answer as usual, a signed-in buyer
stays signed in (sessions are in the database), and what had to be sent waits in the outbox.
"""

import logging
import subprocess
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from core import cache as resilient_cache
from core.models import OutboxMessage
from core.outbox import outbox_sweep
from shop.celery_app import app as celery_app
from shop.payment import services
from shop.payment.models import StripeEvent
from shop.payment.tasks import stripe_events_sweep_task
from tests.catalogue.builders import shelf_product
from tests.checkout import flow
from tests.core.test_outbox import PrivateRedis
from tests.factories.order import UserFactory, basket_with, place_order
from tests.factories.payment import pending_order
from tests.factories.traceability import published, seller
from tests.payment.conftest import deliver, fake_stripe  # noqa: F401  (fixture)
from traceability.models import Recall

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis(settings):
    """Cache, page cache and broker on a private redis-server, which the test may stop."""
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": server.url, "KEY_PREFIX": "t"}
    }
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 10
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()
    from core import outbox

    outbox._broker.down_until = 0
    resilient_cache._down_until.clear()
    yield server
    server.stop()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._after_fork()
    outbox._broker.down_until = 0
    resilient_cache._down_until.clear()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_the_cache_answers_as_a_miss_while_redis_is_down_logs_once_and_comes_back(redis, caplog):
    cache.set("k", "v")
    assert cache.get("k") == "v"
    redis.stop()

    with caplog.at_level(logging.INFO, logger="core.cache"):
        (value, first) = timed(lambda: cache.get("k", "miss"))
        assert value == "miss" and first < 1.0  # 0.25 s connect timeout, no retries
        (values, skipped) = timed(
            lambda: [
                cache.get("k"),
                cache.add("a", 1),
                cache.set("b", 2),
                cache.get_many(["k", "b"]),
                cache.get_or_set("c", 3),
                cache.delete("k"),
                cache.has_key("k"),
                cache.clear(),
            ]
        )
    assert values == [None, False, None, {}, 3, False, False, False]
    assert skipped < 0.05  # Redis is not even tried for the next 5 s
    with pytest.raises(ValueError):
        cache.incr("counter")  # as for a missing key: callers already handle that
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "not answering" in warnings[0].getMessage()

    # Redis back: after the pause the cache is used again, and that is logged
    redis.start()
    resilient_cache._down_until[cache._outage_key] = time.monotonic()  # the 5 s pause is over
    with caplog.at_level(logging.INFO, logger="core.cache"):
        cache.set("k", "again")
        assert cache.get("k") == "again"
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_browsing_the_basket_and_checkout_work_with_redis_stopped_and_sessions_survive(redis):
    mushrooms = shelf_product(title="房县香菇 250克")
    pages = ["/", "/shop/", "/shop/catalogue/", mushrooms.get_absolute_url(), "/shop/search/?q=香菇"]
    # Pages are shared through Redis while it runs ...
    for url in pages[1:4]:
        Client().get(url)
    assert Client().get("/shop/catalogue/")["X-Page-Cache"] == "hit"
    # ... a buyer signs in and a guest fills a basket
    buyer = UserFactory(email="wang@example.com")
    signed_in = Client()
    signed_in.force_login(buyer)
    guest = Client()
    flow.add_to_basket(guest, mushrooms, 2)

    redis.stop()

    for url in pages:
        response, seconds = timed(lambda url=url: Client().get(url, follow=True))
        assert response.status_code == 200, url
        assert seconds < 3, (url, seconds)
        assert "X-Page-Cache" not in response
    assert "房县香菇 250克" in Client().get(mushrooms.get_absolute_url()).content.decode()
    # Sessions live in the database: the buyer is still signed in, the guest's basket still full
    account = signed_in.get(reverse("customer:summary"), follow=True)
    assert account.status_code == 200 and "wang@example.com" in account.content.decode()
    basket_page = guest.get(reverse("basket:summary"))
    assert basket_page.status_code == 200 and "房县香菇 250克" in basket_page.content.decode()
    # A guest checkout goes through to the thank-you page; the confirmation waits in the outbox
    shopper = Client()
    flow.guest_checkout_to_preview(shopper, mushrooms, email="li.na@example.com")
    with TestCase.captureOnCommitCallbacks(execute=True):
        placed = flow.place_order(shopper)
    assert placed.status_code == 302
    thank_you = shopper.get(placed["Location"])
    assert thank_you.status_code == 200 and "订单" in thank_you.content.decode()
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(kind="order.confirmation", state="pending").count() == 1

    outbox_sweep()  # the minute sweeper, Redis still down: delivered all the same
    assert [m.to for m in mail.outbox] == [["li.na@example.com"]]


def test_a_recall_with_redis_stopped_is_done_and_its_notices_are_delivered_by_the_sweeper(client, redis):
    tea = seller(product_class_slug="tea", title="竹溪贡茶 明前特级 100克", stock=0)
    batch = published(tea, quantity=20)
    place_order(basket=basket_with((tea.product, 1)), guest_email="zhang@example.com")
    staff = UserFactory(is_staff=True, email="qa@shiyan-select.example")
    staff.user_permissions.add(Permission.objects.get(codename="add_recall"))
    client.force_login(staff)
    redis.stop()

    with TestCase.captureOnCommitCallbacks(execute=True):
        response, seconds = timed(
            lambda: client.post(
                reverse("recall:create", args=[batch.pk]), {"reason": "农残超标"}, follow=True
            )
        )

    assert response.status_code == 200 and seconds < 5
    assert Recall.objects.filter(batch=batch).exists()
    assert mail.outbox == []
    outbox_sweep()
    assert [m.to for m in mail.outbox] == [["zhang@example.com"]]


def test_a_stripe_webhook_with_redis_stopped_is_stored_answered_and_processed_by_the_sweeper(
    client,
    fake_stripe,  # noqa: F811
    redis,
):
    order = pending_order(user=None, price="39.80", quantity=2, guest_email="guest@example.com")
    payment = services.stripe_payment_open(order=order)
    services.stripe_payment_intent_ensure(payment=payment)
    payment.refresh_from_db()
    fake_stripe.pay(payment.payment_intent_id)
    event = fake_stripe.intent_event("payment_intent.succeeded", payment.payment_intent_id)
    redis.stop()

    response, seconds = timed(lambda: deliver(client, event))

    assert response.status_code == 200 and seconds < 5
    stored = StripeEvent.objects.filter(event_id=event["id"])
    assert stored.get().processed_at is None  # not queued: the broker is down
    stored.update(received_at=timezone.now() - timedelta(minutes=2))  # the sweeper's next minute
    stripe_events_sweep_task()
    outbox_sweep()
    order.refresh_from_db()
    assert order.status == "Paid"
    assert [m.to for m in mail.outbox] == [["guest@example.com"]]
