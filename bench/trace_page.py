#!/usr/bin/env python
"""Trace page benchmark: /t/<code>/ throughput under gunicorn against a plain hello-world view in the
same run, queries of an uncached render, and how soon a new event shows.

    .venv/bin/python bench/trace_page.py                      (SQLite, memory cache per worker)
    .venv/bin/python bench/trace_page.py --redis redis://127.0.0.1:6379/1 --seconds 10 --rounds 3
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_h1 .venv/bin/python bench/trace_page.py

1. Its own database (default: SQLite file bench/out/trace_page.sqlite3; or BENCH_DATABASE_URL, whose
   name must contain "bench"). The first run migrates it (about a minute) and seeds one published batch
   with an inspection, a certificate, base photos, lineage and a dozen events.
2. gunicorn (2 sync workers, as production runs it: shop.settings.local with DEBUG off) serves the site
   plus /bench/hello (an HttpResponse(b"hello") behind the same middleware). wrk (or Python threads
   when wrk is missing) loads each URL for --seconds, alternating, --rounds times; medians are compared.
3. A new event is recorded by this process and the page is polled until it shows: the services forget
   the shared cache at once; a worker's memory copy lives 2 s, a memory-only cache 3 + 2 s at most.

Target (issue 4): trace page ≥ 0.5 × hello-world throughput; ≤ 10 queries uncached; new event ≤ 5 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DATABASE_URL = f"sqlite:///{OUT / 'trace_page.sqlite3'}"
LOT = "BENCH-TRACE-1"


# --- The WSGI side: gunicorn imports this module with BENCH_TRACE_WSGI=1 ----------------------------
def _hello(request):
    from django.http import HttpResponse

    return HttpResponse(b"hello", content_type="text/plain")


def _wsgi_application():
    """The site's WSGI app with /bench/hello in front of its URLs (the yardstick)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.local")
    from django.core.wsgi import get_wsgi_application
    from django.urls import path

    app = get_wsgi_application()
    from shop import urls

    urls.urlpatterns.insert(0, path("bench/hello", _hello))
    return app


if os.environ.get("BENCH_TRACE_WSGI") == "1":
    application = _wsgi_application()


# --- The bench side ---------------------------------------------------------------------------------
def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="length of each load run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating hello/trace rounds (default 3)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8101")))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--redis", default="", help="a REDIS_URL for the cache (default: memory per worker)")
    return parser.parse_args()


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    if "bench" not in urllib.parse.urlsplit(url).path:
        sys.exit(f"refusing {url}: the bench database's path or name must contain 'bench'")
    OUT.mkdir(parents=True, exist_ok=True)
    return url


def environment(url: str, redis: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="shop.settings.local",
        DJANGO_DEBUG="0",
        DJANGO_MEDIA_ROOT=str(OUT / "media"),
    )
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = redis
        env["CACHE_KEY_PREFIX"] = "bench-trace"
    return env


def start_django(env: dict) -> None:
    os.environ.update(env)
    if "REDIS_URL" not in env:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("migrating the bench database (first run only) …", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


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


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    gunicorn = str(ROOT / ".venv" / "bin" / "gunicorn")
    process = subprocess.Popen(
        [
            gunicorn,
            "bench.trace_page:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
        ],
        env={**env, "BENCH_TRACE_WSGI": "1"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(OUT / "trace_page_gunicorn.log", "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn did not answer on port {port}: see {OUT / 'trace_page_gunicorn.log'}")


def load_wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        sys.exit(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load_python(url: str, seconds: int, connections: int) -> float:
    import http.client

    parts = urllib.parse.urlsplit(url)
    done = [0] * connections
    stop = time.monotonic() + seconds

    def worker(index):
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            conn.request("GET", parts.path)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                raise SystemExit(f"{url}: HTTP {response.status}")
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - started)


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
    url = database_url()
    env = environment(url, args.redis)
    start_django(env)
    code = seed()
    queries = uncached_queries(code)
    process = start_gunicorn(env, args.port)
    load = load_wrk if shutil.which("wrk") else load_python
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
        process.terminate()
        process.wait(timeout=10)
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
