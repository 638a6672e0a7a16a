#!/usr/bin/env python
"""Trace page benchmark: /t/<code>/ throughput under gunicorn against a plain hello-world view in the
same run, queries of an uncached render, and how soon a new event shows.

    .venv/bin/python bench/trace_page.py                      (SQLite, memory cache per worker)
    .venv/bin/python bench/trace_page.py --redis redis://127.0.0.1:6379/1 --seconds 10 --rounds 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h1 .venv/bin/python bench/trace_page.py

1. Its own database (default: SQLite file bench/out/trace_page.sqlite3; or BENCH_DATABASE_URL, whose
   name must contain "bench"). The first run migrates it (about a minute) and seeds one published batch
   with an inspection, a certificate, base photos, lineage and a dozen events.
2. gunicorn (2 sync workers, bench.settings: the local settings with DEBUG off) serves the site plus
   /bench/hello (an HttpResponse(b"hello") behind the same middleware, bench/urls.py). wrk (or Python threads
   when wrk is missing) loads each URL for --seconds, alternating, --rounds times; medians are compared.
3. A new event is recorded by this process and the page is polled until it shows: the services forget
   the shared cache at once; a worker's memory copy lives 2 s, a memory-only cache 3 + 2 s at most.

Target (issue 4): trace page ≥ 0.5 × hello-world throughput; ≤ 10 queries uncached; new event ≤ 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (  # noqa: E402
    OUT,
    django_environment,
    load_function,
    scratch_database_url,
    start_django,
    start_gunicorn,
    stop,
)

DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'trace_page.sqlite3'}"
LOT = "BENCH-TRACE-1"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each load run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating hello/trace rounds (default 3)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8101")))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis", default="", help="a REDIS_URL for the cache (default: memory per worker)")
    return parser.parse_args()


def environment(url: str, redis: str) -> dict:
    """bench.settings (the site plus /bench/hello) on the scratch database; Redis only if asked for."""
    env = django_environment(url, "bench.settings")
    if redis:
        env["REDIS_URL"] = redis
        env["CACHE_KEY_PREFIX"] = "bench-trace"
    return env


def seed() -> str:
    """One published batch with everything the page shows; reused when it exists."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from tests.factories.suppliers import BasePhotoFactory
    from tests.factories.traceability import certificate, draft, passed_inspection, published, seller
    from traceability import services
    from traceability.models import Batch, BizStep

    batch = Batch.objects.filter(lot_code=LOT, status="published").first()
    if batch is not None:
        return batch.trace_code
    grower = seller(product_class_slug="dried-fungi", title="房县花菇 特级 250克 (bench)", stock=0)
    for caption in ("菇棚", "晾晒场", "烘干房"):
        BasePhotoFactory(base=grower.base, caption=caption)
    source = published(grower, quantity=200, harvest=40, lot_code="BENCH-SRC-1")
    batch = draft(grower, quantity=60, lot_code=LOT, inputs=[services.InputSpec(source, Decimal(20), "kg")])
    certificate(batch, basis="lab_test", inspection=passed_inspection(batch, number="BENCH-SY-1"))
    batch = services.batch_publish(batch=batch)
    for hours in range(10, 0, -1):
        services.trace_event_record(
            batch=batch,
            biz_step=BizStep.STORING if hours % 2 else BizStep.SHIPPING,
            event_time=timezone.now() - datetime.timedelta(hours=hours),
            place="十堰冷链物流中心",
            actor="顺丰冷运",
        )
    return batch.trace_code


def uncached_queries(code: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from traceability.selectors import trace_page_cache_clear

    setup_test_environment()
    client = Client()
    client.get(f"/t/{code}/")
    cache.clear()
    trace_page_cache_clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/t/{code}/").status_code == 200
    return len(queries)


def freshness(port: int, code: str) -> float:
    """Seconds until an event recorded now shows on the page served by gunicorn."""
    from django.utils import timezone

    from traceability import services
    from traceability.models import Batch, BizStep

    marker = f"北京新发地{int(time.time())}"
    batch = Batch.objects.get(trace_code=code)
    started = time.monotonic()
    services.trace_event_record(
        batch=batch, biz_step=BizStep.RECEIVING, event_time=timezone.now(), place=marker
    )
    while time.monotonic() - started < 15:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/t/{code}/", timeout=5) as response:
            if marker in response.read().decode():
                return time.monotonic() - started
        time.sleep(0.05)
    return float("inf")


def main():
    args = parse_args()
    url = scratch_database_url(DEFAULT_DATABASE_URL)
    env = environment(url, args.redis)
    start_django(env)
    code = seed()
    queries = uncached_queries(code)
    process = start_gunicorn(env, args.port, ready_path="/bench/hello", log_name="trace_page")
    load = load_function()
    base = f"http://127.0.0.1:{args.port}"
    try:
        for path in ("/bench/hello", f"/t/{code}/"):  # warm both workers (templates, URL resolvers, cache)
            load(base + path, 1, 4)
        hello, trace = [], []
        for _round in range(args.rounds):
            hello.append(load(base + "/bench/hello", args.seconds, args.connections))
            trace.append(load(base + f"/t/{code}/", args.seconds, args.connections))
        delay = freshness(args.port, code)
    finally:
        stop(process)
    ratio = statistics.median(trace) / statistics.median(hello)
    print(f"database: {url.split('://', 1)[0]}, cache: {'redis' if args.redis else 'memory per worker'}")
    print(f"load: {load.__name__[5:]}, {args.connections} connections, {args.rounds} × {args.seconds} s each")
    print(f"hello-world  req/s: median {statistics.median(hello):8.1f}   rounds {[round(x) for x in hello]}")
    print(f"trace page   req/s: median {statistics.median(trace):8.1f}   rounds {[round(x) for x in trace]}")
    print(f"ratio trace / hello: {ratio:.2f}   (target ≥ 0.50)")
    print(f"queries, uncached render: {queries}   (target ≤ 10)")
    print(f"new event visible after: {delay:.2f} s   (target ≤ 5 s)")


if __name__ == "__main__":
    main()
