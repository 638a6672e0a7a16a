#!/usr/bin/env python
"""Checkout race: 50 buyers check out at once on PostgreSQL for a product with 10 units over 3 batches.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_race .venv/bin/python bench/checkout_race.py
    … --buyers 50 --units 3,3,4 --rounds 3

Its own PostgreSQL database (the name must contain "bench"; the first run migrates it). Each round
creates a fresh supplier and product, publishes the batches (stock comes from them), walks every buyer
through the real checkout (Django's test client: basket, guest, Beijing address, bank transfer,
preview) one after another, then releases them together: each thread posts "place order" on its own
database connection. Printed per round: units sold and orders placed (must equal the batches' units),
each batch's remaining quantity (never below zero), how many buyers were sent back to the basket with
the clear "sold out" message, how many saw anything else (an error page would count here), and the
time the race took.

Target (issue 4): exactly 10 units sold, no batch below zero, no error page, only a clear message.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import django_environment, fresh_factory_sequences, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument(
        "--units", default="3,3,4", help="units of each batch (default 3,3,4: 10 in 3 batches)"
    )
    parser.add_argument("--rounds", type=int, default=1)
    return parser.parse_args()


def start_django():
    """The scratch PostgreSQL database (created and migrated when needed), no Redis: Celery runs
    eagerly and the confirmation e-mails go to memory."""
    url = scratch_database_url("postgres://postgres@127.0.0.1:5432/bench_race")
    if not url.startswith("postgres"):
        sys.exit("the checkout race needs PostgreSQL (row locks): set BENCH_DATABASE_URL=postgres://…")
    env = django_environment(url, "shop.settings.local")
    env.update(EMAIL_URL="memorymail://", DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost")
    import logging

    logging.disable(logging.INFO)  # one line per order and e-mail otherwise
    setup_django(env)
    return url


def race(args, units: list[int]) -> dict:
    from django.db import close_old_connections, connection
    from django.db.models import Sum
    from django.test import Client
    from django.urls import reverse
    from oscar.core.loading import get_model

    from tests.checkout import flow
    from tests.factories.order import china
    from tests.factories.traceability import net_stock, published, seller
    from traceability.models import Batch, BatchAllocation

    Order = get_model("order", "Order")
    china()
    grower = seller(product_class_slug="tea", title=f"竹溪贡茶 限量 {time.time_ns() % 10**6}")
    batches = [published(grower, quantity=q, best_before_in=100 + n) for n, q in enumerate(units)]
    buyers = [Client() for _ in range(args.buyers)]
    for number, buyer in enumerate(buyers):
        flow.guest_checkout_to_preview(buyer, grower.product, email=f"race{number}@example.com")
    connection.close()
    start = threading.Barrier(args.buyers)
    outcomes: list = [None] * args.buyers

    def buy(number):
        try:
            start.wait(timeout=60)
            response = flow.place_order(buyers[number])
            location = response.get("Location", "")
            if location == reverse("basket:summary"):
                page = buyers[number].get(location).content.decode()
                outcomes[number] = "told" if ("已售罄" in page or "仅剩" in page) else "basket, no message"
            elif location == reverse("checkout:thank-you"):
                outcomes[number] = "bought"
            else:
                outcomes[number] = f"status {response.status_code} {location}"
        except Exception as error:  # noqa: BLE001 - reported
            outcomes[number] = repr(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(args.buyers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    orders = Order.objects.filter(lines__product=grower.product).distinct()
    sold = BatchAllocation.objects.filter(batch__in=batches).aggregate(n=Sum("quantity"))["n"] or 0
    return {
        "units": sum(units),
        "sold": sold,
        "orders": orders.count(),
        "remaining": list(
            Batch.objects.filter(pk__in=[b.pk for b in batches])
            .order_by("pk")
            .values_list("quantity_remaining", "status")
        ),
        "net_stock": net_stock(grower.stockrecord),
        "bought": outcomes.count("bought"),
        "told": outcomes.count("told"),
        "other": [o for o in outcomes if o not in ("bought", "told")],
        "seconds": elapsed,
    }


def main():
    args = parse_args()
    units = [int(u) for u in args.units.split(",")]
    url = start_django()
    fresh_factory_sequences()
    print(f"database: {url.rsplit('/', 1)[-1]}; {args.buyers} buyers, batches of {units} units")
    ok = True
    for number in range(1, args.rounds + 1):
        result = race(args, units)
        negative = [r for r, _status in result["remaining"] if r < 0]
        round_ok = (
            result["sold"] == result["units"] == result["bought"]
            and result["orders"] == result["bought"]
            and not negative
            and result["net_stock"] == 0
            and not result["other"]
        )
        ok &= round_ok
        print(
            f"round {number}: {result['sold']} of {result['units']} units sold in {result['orders']} orders; "
            f"batches left {result['remaining']}; stock record net {result['net_stock']}; "
            f"{result['told']} buyers got the clear sold-out message; "
            f"{len(result['other'])} saw anything else "
            f"{result['other'][:3] if result['other'] else ''}; race took {result['seconds']:.2f} s  "
            f"[{'OK' if round_ok else 'FAILED'}]"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
