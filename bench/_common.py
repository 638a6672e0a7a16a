"""Shared helpers of the benchmarks: a scratch database, gunicorn with a hello-world yardstick, load.

The approach is the one of bench/trace_page.py: the site and a plain ``HttpResponse(b"hello")`` view
behind the same middleware are served by the same gunicorn (2 sync workers, DEBUG off) and loaded
alternately, so the ratio of their throughputs says what the page costs on this machine today.
"""

from __future__ import annotations

import http.client
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
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"


def scratch_database_url(default: str) -> str:
    """BENCH_DATABASE_URL or ``default``; its path or name must contain "bench" (never a real one)."""
    url = os.environ.get("BENCH_DATABASE_URL", default)
    if "bench" not in urllib.parse.urlsplit(url).path:
        sys.exit(f"refusing {url}: the bench database's path or name must contain 'bench'")
    if url.startswith(("postgres://", "postgresql://")):
        _create_postgres_database(url)
    return url


def _create_postgres_database(url: str) -> None:
    """Create the scratch PostgreSQL database when it does not exist yet (psycopg, via the
    server's "postgres" maintenance database)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def django_environment(url: str, settings_module: str) -> dict:
    """The environment of this process and of gunicorn: the scratch database, no Redis, DEBUG off."""
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE=settings_module,
        DJANGO_DEBUG="0",
        DJANGO_MEDIA_ROOT=str(OUT / "media"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    return env


def start_django(env: dict) -> None:
    """Set this process up with ``env`` and migrate the scratch database when it is behind.

    ``django_environment`` leaves Redis out; a bench that measures with it puts REDIS_URL back in.
    """
    os.environ.update(env)
    if "REDIS_URL" not in env:
        os.environ.pop("REDIS_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("migrating the bench database (first run only, about a minute) …", flush=True)
        call_command("migrate", interactive=False, verbosity=0)


def fresh_factory_sequences() -> None:
    """Start the test factories' sequences past anything an earlier run left in this kept database."""
    import inspect

    import factory

    from tests.factories import catalogue, order, suppliers, traceability

    offset = time.time_ns() // 1000 % 10**7
    for module in (catalogue, order, suppliers, traceability):
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, factory.Factory) and cls is not factory.Factory and not cls._meta.abstract:
                cls.reset_sequence(offset, force=True)


def start_gunicorn(env: dict, port: int, *, ready_path: str, log_name: str, workers: int = 2):
    """gunicorn serving ``env``'s DJANGO_SETTINGS_MODULE through shop.wsgi; returns once it answers."""
    log = OUT / f"{log_name}_gunicorn.log"
    process = subprocess.Popen(
        [str(GUNICORN), "shop.wsgi:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        + ["--chdir", str(ROOT), "--log-level", "warning"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(log, "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit(f"gunicorn did not answer on port {port}: see {log}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def load_wrk(url: str, seconds: int, connections: int, headers: dict | None = None) -> float:
    header_args = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *header_args, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        sys.exit(f"{url}: {non_2xx.group(1)} error responses")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def load_python(url: str, seconds: int, connections: int, headers: dict | None = None) -> float:
    """Requests per second from ``connections`` threads, each a new connection per request (as wrk
    would with a sync gunicorn worker, which closes after every response); ``headers`` (e.g. a
    session cookie) go with every request."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    done = [0] * connections
    failures = []
    stop_at = time.monotonic() + seconds

    def worker(index):
        while time.monotonic() < stop_at and not failures:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.request("GET", target, headers=headers or {})
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
            if response.status != 200:
                failures.append(f"{url}: HTTP {response.status}")
                return
            done[index] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(failures[0])
    return sum(done) / (time.monotonic() - started)


def load_function():
    return load_wrk if shutil.which("wrk") else load_python


def throughput(
    base: str,
    paths: dict[str, str],
    *,
    seconds: int,
    rounds: int,
    connections: int,
    headers: dict[str, dict] | None = None,
):
    """Median requests/s per name over ``rounds`` alternating runs of ``seconds`` each; ``headers``
    maps a name to the headers its requests carry (e.g. a signed-in buyer's session cookie)."""
    load = load_function()
    headers = headers or {}
    for name, path in paths.items():  # warm both workers (templates, URL resolvers, caches)
        load(base + path, 1, 4, headers.get(name))
    figures: dict[str, list[float]] = {name: [] for name in paths}
    for _round in range(rounds):
        for name, path in paths.items():
            figures[name].append(load(base + path, seconds, connections, headers.get(name)))
    return {name: (statistics.median(values), values) for name, values in figures.items()}


def insert_order_lines_and_payments(cursor, *, prefix: str, products: int, paid: int, refunded: int) -> None:
    """Fill the orders numbered ``prefix || n`` of the temporary table ``bench_orders`` (columns n,
    at, on_account, refunded) with three lines each over the first ``products`` stock records, set
    their totals, and record their payments (a third refunded three days later where ``refunded``);
    orders on account have no payment event. ``paid``/``refunded`` are the payment event type ids."""
    cursor.execute(
        "CREATE TEMP TABLE bench_products AS SELECT p.id AS product_id, s.partner_id, s.partner_sku, "
        "row_number() OVER (ORDER BY p.id) - 1 AS k FROM catalogue_product p "
        "JOIN partner_stockrecord s ON s.product_id = p.id"
    )
    cursor.execute(
        """
        INSERT INTO order_line (order_id, partner_id, partner_name, partner_sku, partner_line_reference,
            partner_line_notes, stockrecord_id, product_id, title, upc, quantity, line_price_incl_tax,
            line_price_excl_tax, line_price_before_discounts_incl_tax,
            line_price_before_discounts_excl_tax,
            unit_price_incl_tax, unit_price_excl_tax, status, num_allocated, allocation_cancelled)
        SELECT o.id, bp.partner_id, '', bp.partner_sku, '', '', NULL, bp.product_id, 'bench', '',
               1 + (b.n + i) %% 3, price, price, price, price, price, price, o.status, 0, false
        FROM bench_orders b JOIN order_order o ON o.number = %(prefix)s || b.n
        CROSS JOIN generate_series(0, 2) i
        JOIN bench_products bp ON bp.k = (b.n * 7 + i * 113) %% %(products)s
        CROSS JOIN LATERAL (SELECT (20 + (b.n * 13 + i * 29) %% 300)::numeric(12, 2) AS price) pr
        """,
        {"products": products, "prefix": prefix},
    )
    cursor.execute(
        "UPDATE order_order o SET total_incl_tax = t.s, total_excl_tax = t.s FROM "
        "(SELECT order_id, SUM(line_price_incl_tax) s FROM order_line GROUP BY order_id) t "
        "WHERE t.order_id = o.id AND o.number LIKE %(pattern)s",
        {"pattern": prefix + "%"},
    )
    cursor.execute(
        """
        INSERT INTO order_paymentevent (order_id, amount, reference, event_type_id, date_created)
        SELECT o.id, o.total_incl_tax, '', %(paid)s, b.at AT TIME ZONE 'Asia/Shanghai'
        FROM bench_orders b JOIN order_order o ON o.number = %(prefix)s || b.n WHERE NOT b.on_account
        UNION ALL
        SELECT o.id, round(o.total_incl_tax / 3, 2), '', %(refunded)s,
               b.at AT TIME ZONE 'Asia/Shanghai' + interval '3 days'
        FROM bench_orders b JOIN order_order o ON o.number = %(prefix)s || b.n
        WHERE b.refunded AND NOT b.on_account
        """,
        {"paid": paid, "refunded": refunded, "prefix": prefix},
    )
