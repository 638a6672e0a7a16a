"""How fast the Stripe webhook acknowledges: verify, store, queue, answer 200 (target: median ≤ 50 ms).

Usage (from the repo root):
    .venv/bin/python bench/webhook.py [--events 300]
    REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/webhook.py     # queue to a real Redis
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7 .venv/bin/python bench/webhook.py

It runs against the test database (created or reused like ``pytest --reuse-db``), posts signed
``payment_intent.succeeded`` events through Django's full middleware stack, and queues their
processing without running it (Redis when REDIS_URL is set, Celery's in-memory broker
otherwise), so the figure is the acknowledgement alone. Queued messages and stored events are
removed afterwards.
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


if __name__ == "__main__":
    main()
