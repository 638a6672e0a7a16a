#!/usr/bin/env python
"""Credit race: 20 members of one organisation order on account at once, on PostgreSQL, against a
credit limit that fits 5 of the orders.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_credit .venv/bin/python bench/credit_race.py
    … --members 20 --fits 5 --rounds 5

Its own PostgreSQL database (the name must contain "bench"; the first run migrates it). Each round
creates a fresh organisation on account (limit = fits × order total + half an order) and one product
per member (so no stock record serialises the placements: only the organisation's row lock keeps the
limit), walks every member through the real checkout (basket, Beijing address, "on account",
preview) one after another, then releases them together: each thread posts "place order" on its own
database connection. Printed per round: orders placed, members refused with the clear credit message,
members who saw anything else (an error page would count here), what the invoices add up to against
the limit, and the time the race took.

Target (issue 13): exactly `fits` orders placed, the others refused with a clear message, no 500.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench._common import django_environment, fresh_factory_sequences, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402

ORDER_TOTAL = Decimal("500.00")  # 10 × ¥50.00 (delivery free from ¥99)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--fits", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=1)
    return parser.parse_args()


def start_django():
    url = scratch_database_url("postgres://postgres@127.0.0.1:5432/bench_credit")
    if not url.startswith("postgres"):
        sys.exit("the credit race needs PostgreSQL (row locks): set BENCH_DATABASE_URL=postgres://…")
    env = django_environment(url, "shop.settings.local")
    env.update(
        EMAIL_URL="memorymail://", DJANGO_ALLOWED_HOSTS="testserver,127.0.0.1,localhost", LANGUAGE_CODE="en"
    )
    import logging

    logging.disable(logging.WARNING)  # each refusal is logged as a warning otherwise
    setup_django(env)
    return url


def race(args, number: int) -> dict:
    from django.db import close_old_connections, connection
    from django.db.models import Sum
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from channels.models import Invoice, Organisation
    from tests.checkout import flow
    from tests.factories.channels import OrganisationFactory, member_of
    from tests.factories.order import china, product_for_sale

    china()
    limit = args.fits * ORDER_TOTAL + ORDER_TOTAL / 2
    organisation = OrganisationFactory(payment_mode=Organisation.PaymentMode.ON_ACCOUNT, credit_limit=limit)
    clients = []
    for member in range(args.members):
        product = product_for_sale(title=f"房县香菇 {number}-{member}", price="50.00", stock=100)
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(member_of(organisation))
        flow.add_to_basket(client, product, 10)
        flow.enter_address(client)
        flow.choose_payment(client, "on-account")
        clients.append(client)
    connection.close()
    with translation.override("zh-hans"):
        clear = "超过了" + str(organisation) + "剩余的月结信用额度"
    start = threading.Barrier(args.members)
    outcomes: list = [None] * args.members

    def order(member):
        try:
            start.wait(timeout=60)
            response = flow.place_order(clients[member])
            if response.status_code == 302 and response["Location"] == reverse("checkout:thank-you"):
                outcomes[member] = "placed"
            elif response.status_code == 200 and clear in response.content.decode():
                outcomes[member] = "told"
            else:
                outcomes[member] = f"status {response.status_code}"
        except Exception as error:  # noqa: BLE001 - reported
            outcomes[member] = repr(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=order, args=(m,)) for m in range(args.members)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    elapsed = time.perf_counter() - started
    invoices = Invoice.objects.filter(organisation=organisation)
    return {
        "limit": limit,
        "invoiced": invoices.aggregate(total=Sum("amount"))["total"] or Decimal(0),
        "invoices": invoices.count(),
        "placed": outcomes.count("placed"),
        "told": outcomes.count("told"),
        "other": [o for o in outcomes if o not in ("placed", "told")],
        "seconds": elapsed,
    }


def main():
    args = parse_args()
    url = start_django()
    fresh_factory_sequences()
    from tests.factories.channels import OrganisationFactory

    OrganisationFactory.reset_sequence(time.time_ns() // 1000 % 90_000, force=True)  # USCCs unused so far
    print(f"database: {url.rsplit('/', 1)[-1]}; {args.members} members, a limit that fits {args.fits} orders")
    ok = True
    for number in range(1, args.rounds + 1):
        r = race(args, number)
        round_ok = (
            r["placed"] == r["invoices"] == args.fits
            and r["told"] == args.members - args.fits
            and not r["other"]
            and r["invoiced"] <= r["limit"]
        )
        ok &= round_ok
        print(
            f"round {number}: {r['placed']} placed, {r['told']} refused with the credit message, "
            f"{len(r['other'])} saw anything else {r['other'][:3] if r['other'] else ''}; "
            f"invoiced ¥{r['invoiced']} of a ¥{r['limit']} limit; race took {r['seconds']:.2f} s  "
            f"[{'OK' if round_ok else 'FAILED'}]"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
