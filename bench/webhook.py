"""How fast the Stripe webhook acknowledges: verify, store, queue, answer 200 (target: median ≤ 50 ms);
and how fast the sweeper drains a backlog of stored events (events/s).

Usage (from the repo root):
    .venv/bin/python bench/webhook.py [--events 300] [--drain 600]
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/webhook.py     # queue to a real Redis
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7 .venv/bin/python bench/webhook.py

It runs against the test database (created or reused like ``pytest --reuse-db``), posts signed
``payment_intent.succeeded`` events through Django's full middleware stack, and queues their
processing without running it (Redis when REDIS_URL is set, Celery's in-memory broker
otherwise), so the figure is the acknowledgement alone. Queued messages and stored events are
removed afterwards.

The drain part (``--drain N``, 0 skips it) is the backlog after an outage: N stored events, two
per card order (``payment_intent.succeeded`` and a later duplicate-type ``charge.refunded`` of a
partial refund), none processed, then one ``stripe_events_sweep`` (shop/payment/services.py)
against the local fake Stripe (tests/payment/fake_stripe.py, over HTTP). Everything it writes is
rolled back at the end.
"""

import argparse
import hashlib
import hmac
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.test")

SECRET = "whsec_bench_only"


def signed(payload: str) -> str:
    timestamp = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(n: int) -> str:
    intent = {
        "id": f"pi_bench_{n:06d}",
        "object": "payment_intent",
        "amount": 7960,
        "amount_received": 7960,
        "currency": "cny",
        "status": "succeeded",
        "latest_charge": f"ch_bench_{n:06d}",
        "metadata": {"order_number": f"9{n:06d}"},
        "automatic_payment_methods": {"enabled": True},
        "payment_method_types": ["card", "alipay", "wechat_pay"],
        "description": f"Shiyan Select order 9{n:06d}",
    }
    return json.dumps(
        {
            "id": f"evt_bench_{time.time_ns()}_{n}",
            "object": "event",
            "api_version": "2025-10-29.clover",
            "created": int(time.time()),
            "data": {"object": intent},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": "payment_intent.succeeded",
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--drain", type=int, default=600, help="backlog events for the sweeper (0: skip)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    from shop.celery_app import app
    from shop.payment.models import StripeEvent

    setup_test_environment()
    runner = DiscoverRunner(keepdb=True, verbosity=0)
    old_config = runner.setup_databases()
    redis_url = os.environ.get("REDIS_URL", "")
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_SECRET_KEY = "sk_test_bench"
    app.conf.update(task_always_eager=False, broker_url=redis_url or "memory://")
    client = Client()
    payloads = [event(n) for n in range(args.warmup + args.events)]
    timings = []
    try:
        for index, payload in enumerate(payloads):
            started = time.perf_counter()
            response = client.post(
                "/payments/stripe/webhook/",
                data=payload,
                content_type="application/json",
                headers={"Stripe-Signature": signed(payload)},
            )
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"webhook answered {response.status_code}")
            if index >= args.warmup:
                timings.append(elapsed)
        waiting = StripeEvent.objects.filter(event_id__startswith="evt_bench_", processed_at__isnull=True)
        stored = waiting.count()
    finally:
        StripeEvent.objects.filter(event_id__startswith="evt_bench_").delete()
        queued = "n/a (in-memory broker)"
        if redis_url:
            import redis

            queue = redis.Redis.from_url(redis_url)
            queued = queue.llen("celery")
            queue.delete("celery")
        runner.teardown_databases(old_config)

    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    broker = redis_url or "memory:// (set REDIS_URL to queue to Redis)"
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"webhook acknowledgement over {len(timings)} signed events ({vendor}, broker {broker})")
    print(f"  median {statistics.median(timings):6.2f} ms   (target ≤ 50 ms)")
    print(f"  p95    {p95:6.2f} ms")
    print(f"  max    {timings[-1]:6.2f} ms")
    print(f"  events stored, unprocessed: {stored} of {len(payloads)}; task messages queued: {queued}")
    if args.drain:
        drain(args.drain)


def drain(events: int) -> None:
    """A backlog of ``events`` stored events (2 per order), drained by one sweep against the fake."""
    from datetime import timedelta

    from django.conf import settings
    from django.db import transaction
    from django.test.runner import DiscoverRunner
    from django.utils import timezone

    from shop.payment import services
    from shop.payment.models import StripeEvent
    from tests.factories.payment import pending_order
    from tests.payment.fake_stripe import FakeStripe

    runner = DiscoverRunner(keepdb=True, verbosity=0)
    old_config = runner.setup_databases()
    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = "sk_test_bench"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    try:
        with transaction.atomic():
            orders = events // 2
            for n in range(orders):
                order = pending_order(price="39.80", quantity=2, guest_email=f"bench{n}@example.com")
                payment = services.stripe_payment_open(order=order)
                services.stripe_payment_intent_ensure(payment=payment)
                payment.refresh_from_db()
                fake.pay(payment.payment_intent_id)
                stored = [fake.intent_event("payment_intent.succeeded", payment.payment_intent_id)]
                fake.refund_at_stripe(payment.payment_intent_id, 1000)
                stored.append(fake.charge_refunded_event(payment.payment_intent_id))
                for item in stored:
                    services.stripe_event_record(event=item)
            StripeEvent.objects.update(received_at=timezone.now() - timedelta(minutes=2))
            backlog = StripeEvent.objects.filter(processed_at__isnull=True).count()
            started = time.perf_counter()
            result = services.stripe_events_sweep(seconds=3600)
            elapsed = time.perf_counter() - started
            left = StripeEvent.objects.filter(processed_at__isnull=True).count()
            transaction.set_rollback(True)
    finally:
        fake.stop()
        runner.teardown_databases(old_config)
    rate = result["processed"] / elapsed
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"sweeper drain of a backlog of {backlog} events for {orders} card orders "
        f"({vendor}, fake Stripe over HTTP)"
    )
    print(
        f"  {result['processed']} processed in {elapsed:.1f} s: {rate:.1f} events/s; "
        f"left {left}; failed {result['failed']}"
    )
    print(f"  Stripe fetched {result['stripe_fetches']} times (once per PaymentIntent, 2 calls each)")
    print(f"  one 45 s sweep run drains about {rate * 45:.0f} events (the job runs every minute)")


if __name__ == "__main__":
    main()
