#!/usr/bin/env python
"""Bulk order benchmark: a 500-line order sheet uploaded by a school's member, to the placed order.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_bulk_order \
        .venv/bin/python bench/bulk_order.py

1. Its own database (BENCH_DATABASE_URL, whose name must contain "bench"; default SQLite file
   bench/out/bulk_order.sqlite3); the first run migrates it and seeds, once: --products products
   (default 500) with stock and a school channel price (minimum 6, cases of 6), a school with two
   campuses and a member.
2. --repeats times (default 3), inside a transaction rolled back afterwards (each run starts from
   the same stock): the member POSTs a CSV of --lines lines (default 500; one per product, alternating
   the two campuses, quantity 6 or 12) to /shop/channels/org/orders/sheet/ through Django's test
   client (sessions, middleware, the bounded sheet reader in its child process, every check, the
   placement with its stock locks and allocations, deliveries). Wall time and queries are printed,
   and the median.

Target (issue 13): at most 3 s for 500 lines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'bulk_order.sqlite3'}"

sys.path.insert(0, str(ROOT))
from bench._common import django_environment, fresh_factory_sequences, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402

ORG = "基准实验学校"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--lines", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the most frequent query shapes")
    return parser.parse_args()


def seed(args):
    from django.db import transaction

    from channels.models import Membership, Organisation
    from core.sales_channels import SalesChannel
    from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, member_of, price
    from tests.factories.order import product_for_sale

    organisation = Organisation.objects.filter(short_name=ORG).first()
    if organisation is not None:
        return organisation, Membership.objects.filter(organisation=organisation).get().user
    fresh_factory_sequences()
    with transaction.atomic():
        organisation = OrganisationFactory(channel=SalesChannel.SCHOOL, short_name=ORG)
        DeliverySiteFactory(organisation=organisation, name="东校区")
        DeliverySiteFactory(organisation=organisation, name="西校区")
        user = member_of(organisation)
        for n in range(args.products):
            product = product_for_sale(
                title=f"基准商品{n:04d}", price="20.00", stock=100_000, upc=f"BENCH-{n:05d}"
            )
            price(product, "15.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
    return organisation, user


def main():
    args = parse_args()
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    env = django_environment(url, "shop.settings.local")
    setup_django(env)

    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from channels.models import OrganisationOrder

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    organisation, user = seed(args)
    day = timezone.localdate() + timezone.timedelta(days=1)
    rows = ["商品编号,数量,送货点"]
    for n in range(args.lines):
        rows.append(f"BENCH-{n % args.products:05d},{6 * (1 + n % 2)},{'东校区' if n % 2 else '西校区'}")
    data = ("\n".join(rows) + "\n").encode()
    client = Client()
    client.force_login(user)
    times = []
    for repeat in range(args.repeats):
        connection.queries_log.clear()  # the log keeps 9,000 queries: count each run from zero
        with transaction.atomic():
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.post(
                    "/shop/channels/org/orders/sheet/",
                    {
                        "sheet": SimpleUploadedFile("order.csv", data, content_type="text/csv"),
                        "delivery_date": day.isoformat(),
                        "po_number": f"BENCH-{repeat}",
                    },
                )
                elapsed = time.perf_counter() - start
            link = OrganisationOrder.objects.filter(po_number=f"BENCH-{repeat}").first()
            if response.status_code != 302 or link is None:
                sys.exit(f"the order was not placed: {response.status_code} {response.content[:2000]!r}")
            lines = link.order.lines.count()
            total = link.order.total_incl_tax
            transaction.set_rollback(True)
        times.append(elapsed)
        print(
            f"run {repeat + 1}: {lines} lines, total {total}, {elapsed:.2f} s, {len(queries)} queries "
            f"({len(queries) / lines:.1f} per line)",
            flush=True,
        )
        if "--profile" in sys.argv[1:] or args.profile:
            import collections
            import re

            shapes = collections.Counter(
                re.sub(r"\d+", "N", q["sql"])[:150] for q in queries.captured_queries
            )
            for shape, count in shapes.most_common(15):
                print(f"{count:6d}  {shape}")
    median = statistics.median(times)
    print(
        f"median {median:.2f} s for {args.lines} lines (target ≤ 3 s): {'OK' if median <= 3 else 'TOO SLOW'}"
    )
    assert total > Decimal("0")


if __name__ == "__main__":
    main()
