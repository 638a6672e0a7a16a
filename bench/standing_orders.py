#!/usr/bin/env python
"""Standing deliveries benchmark: 1,000 organisations' standing deliveries turned into orders.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_x .venv/bin/python bench/standing_orders.py
    .venv/bin/python bench/standing_orders.py --organisations 1000 --lines 3 [--profile]

Its own database (the first run migrates it and creates the world, kept for later runs): a supplier
selling 20 products through batches (a million units each), a school channel price for each (case
of 6), and N schools, each with a site, an administrator and a standing delivery of ``--lines``
products on every weekday. Each run places the deliveries of a day no earlier run placed (the job's
``today`` moves on), through ``channels.services.standing.standing_orders_place``: the real path,
one transaction per order, stock records and batches locked and allocated. Printed: wall time,
orders placed, queries per order. Target (issue 13): ≤ 60 s for 1,000 organisations.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'standing_orders.sqlite3'}"

sys.path.insert(0, str(ROOT))
from bench._common import django_environment, fresh_factory_sequences, scratch_database_url  # noqa: E402
from bench._common import start_django as setup_django  # noqa: E402

PRODUCTS = 20
MARK = "基准定期配送合作社"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions")
    parser.add_argument(
        "--queries", action="store_true", help="print the most frequent query shapes (1 worker)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes placing chunks at once, as Celery workers do after the hourly job fans out",
    )
    return parser.parse_args()


def world(organisations: int, lines: int):
    """The supplier, products, prices and schools (created once, topped up to ``organisations``)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from channels.models import Membership, Organisation, StandingOrder, StandingOrderLine
    from core.sales_channels import SalesChannel
    from suppliers.models import Supplier
    from tests.factories.channels import (
        DeliverySiteFactory,
        OrganisationFactory,
        beijing_uscc,
        member_of,
        price,
    )

    User = get_user_model()
    from tests.factories.traceability import published, seller

    fresh_factory_sequences()
    supplier = Supplier.objects.filter(legal_name=MARK).first()
    if supplier is None:
        from tests.factories.suppliers import SupplierFactory

        supplier = SupplierFactory(legal_name=MARK)
        for n in range(PRODUCTS):
            grower = seller(supplier=supplier, product_class_slug="tea", title=f"定期配送基准茶 {n}")
            published(grower, quantity=1_000_000)
            price(grower.product, "20.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
    products = list(
        supplier.partner.stockrecords.select_related("product")
        .order_by("pk")
        .values_list("product", flat=True)
    )
    existing = Organisation.objects.filter(name__startswith="基准学校").count()
    start = datetime.date(2020, 1, 1)
    with transaction.atomic():
        for n in range(existing, organisations):
            school = OrganisationFactory(
                name=f"基准学校{n:05d}",
                short_name=f"基准{n:05d}",
                channel=SalesChannel.SCHOOL,
                uscc=beijing_uscc(50000 + n),
            )
            site = DeliverySiteFactory(organisation=school, name="本部")
            admin = member_of(
                school,
                role=Membership.Role.ADMIN,
                user=User.objects.create_user(f"bench-school-{n}", f"bench-school-{n}@example.com"),
            )
            standing = StandingOrder.objects.create(
                organisation=school,
                site=site,
                name="每日配送",
                weekdays=list(range(7)),
                starts_on=start,
                created_by=admin,
            )
            StandingOrderLine.objects.bulk_create(
                [
                    StandingOrderLine(
                        standing_order=standing,
                        product_id=products[(n + k) % len(products)],
                        quantity=6 * (1 + k),
                    )
                    for k in range(lines)
                ]
            )
    return organisations


def _work(today, ids, queue):
    from django import db

    from channels.services.standing import standing_orders_place

    db.connections.close_all()
    queue.put(standing_orders_place(today=today, schedule_ids=ids))


def in_workers(today, workers: int) -> dict:
    """The fan-out of the hourly job (``standing_orders_fan_out``), its chunks placed by ``workers``
    forked processes (each its own database connection), as Celery's workers would."""
    import multiprocessing

    from django import db

    from channels.models import StandingOrder

    ids = list(
        StandingOrder.objects.filter(paused_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    db.connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    slices = [ids[n::workers] for n in range(workers)]
    processes = [context.Process(target=_work, args=(today, chunk, queue)) for chunk in slices]
    for process in processes:
        process.start()
    counts: dict[str, int] = {}
    for _process in processes:
        for outcome, n in queue.get().items():
            counts[outcome] = counts.get(outcome, 0) + n
    for process in processes:
        process.join()
    return counts


def main():
    args = parse_args()
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    OUT.mkdir(parents=True, exist_ok=True)
    setup_django(django_environment(url, "shop.settings.local"))
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from channels.models import StandingOrder, StandingRun
    from channels.services.standing import standing_orders_place

    settings.CHANNELS_STANDING_LEAD_DAYS = 1
    # Mails (order confirmations) are the workers' job, not the placement's: queued, not sent here.
    from shop.celery_app import app

    app.conf.task_always_eager = False
    started = time.perf_counter()
    world(args.organisations, args.lines)
    print(f"world ready in {time.perf_counter() - started:.1f} s ({connection.vendor})", flush=True)
    # Pause the schedules beyond --organisations (a smaller run on a kept larger world).
    StandingOrder.objects.filter(organisation__name__gte=f"基准学校{args.organisations:05d}").update(
        paused_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    StandingOrder.objects.filter(organisation__name__lt=f"基准学校{args.organisations:05d}").update(
        paused_at=None
    )
    last = StandingRun.objects.aggregate(last=Max("date"))["last"] or datetime.date(2030, 1, 1)
    today = last  # the job places tomorrow's deliveries: a day no run placed yet

    profile = cProfile.Profile() if args.profile and args.workers == 1 else None
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        started = time.perf_counter()
        if args.workers == 1:
            if profile:
                profile.enable()
            counts = standing_orders_place(today=today)
            if profile:
                profile.disable()
        else:
            counts = in_workers(today, args.workers)
        elapsed = time.perf_counter() - started
    placed = counts.get("placed", 0)
    per_order = f"{len(queries) / max(placed, 1):.0f} queries per order" if args.workers == 1 else ""
    print(
        f"{args.organisations} organisations × {args.lines} lines, day {today + datetime.timedelta(days=1)}, "
        f"{args.workers} worker(s): {counts} in {elapsed:.1f} s "
        f"({elapsed / max(placed, 1) * 1000:.0f} ms per order{', ' + per_order if per_order else ''})"
        "  target ≤ 60 s"
    )
    if args.queries and args.workers == 1:
        import collections
        import re

        shapes = collections.Counter(re.sub(r"\d+", "N", sql)[:150] for sql in queries)
        for shape, count in shapes.most_common(40):
            print(f"{count / max(placed, 1):6.2f}  {shape}")
    if profile:
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(25)
        # Our own code (receivers of the save signals, placement hooks), costliest first.
        stats.print_stats(r"/(shop|channels|catalogue|core|traceability|suppliers|cms)/", 40)


if __name__ == "__main__":
    main()
