"""A database lock held elsewhere: the buyer gets "busy, try again" within seconds, keeps the basket,
and a basket left frozen by a placement that died is opened again by a periodic job."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.test import Client, TestCase
from django.utils import timezone
from oscar.core.loading import get_model

from core.db_busy import DatabaseBusyMiddleware, is_database_busy
from shop.basket.services import frozen_baskets_thaw
from tests.checkout import flow
from tests.factories.order import basket_with, place_order, product_for_sale

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")


def show(setting: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db
def test_web_and_worker_connections_have_lock_and_statement_timeouts():
    assert (settings.DB_LOCK_TIMEOUT_MS, settings.DB_STATEMENT_TIMEOUT_MS) == (5000, 30000)
    assert show("lock_timeout") == "5s"
    assert show("statement_timeout") == "30s"


@pytest.mark.postgres
def test_management_commands_run_without_them_so_migrations_are_never_cut_short():
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW lock_timeout'); a = c.fetchone()[0]; "
        "c.execute('SHOW statement_timeout'); print(a, c.fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings.test"},
    )
    assert result.stdout.split() == ["0", "0"], result.stderr[-2000:]


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_timeout_is_recognised_and_answered_503_busy_in_chinese(rf):
    with pytest.raises(OperationalError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")
    assert is_database_busy(caught.value)
    assert not is_database_busy(OperationalError("connection refused"))

    response = DatabaseBusyMiddleware(lambda r: None).process_exception(rf.get("/shop/"), caught.value)

    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "当前访问人数较多" in response.content.decode()
    assert DatabaseBusyMiddleware(lambda r: None).process_exception(rf.get("/"), ValueError()) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_checkout_with_the_stock_row_locked_elsewhere_says_busy_within_seconds_and_keeps_the_basket():
    mushrooms = product_for_sale(title="房县香菇 250克", price="39.80", stock=10)
    record = mushrooms.stockrecords.get()
    buyer = Client(raise_request_exception=False)
    flow.guest_checkout_to_preview(buyer, mushrooms, quantity=2, email="li.na@example.com")
    # Another session (a stock-taking clerk, a stuck job) holds the stock row
    other = connections.create_connection("default")
    other.connect()
    holder = other.cursor()
    holder.execute("BEGIN")
    holder.execute("SELECT 1 FROM partner_stockrecord WHERE id = %s FOR UPDATE", [record.pk])
    try:
        started = time.monotonic()
        response = flow.place_order(buyer)
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        other.close()

    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "当前访问人数较多" in html and "请过几秒钟再试" in html
    assert 4.5 < waited < 10  # the 5 s lock timeout, not as long as the lock is held
    assert not Order.objects.exists()
    basket = Basket.objects.get(lines__product=mushrooms)
    assert basket.status == Basket.OPEN and basket.frozen_at is None
    record.refresh_from_db()
    assert record.num_allocated in (0, None)

    # The lock released, trying again places the order
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = flow.place_order(buyer)
    assert again.status_code == 302
    assert Order.objects.get().lines.get().quantity == 2


@pytest.mark.django_db
def test_freezing_records_when_and_thawing_clears_it():
    basket = basket_with((product_for_sale(), 1))
    basket.freeze()
    basket.refresh_from_db()
    assert basket.status == Basket.FROZEN and basket.frozen_at is not None
    basket.thaw()
    basket.refresh_from_db()
    assert basket.status == Basket.OPEN and basket.frozen_at is None


@pytest.mark.django_db
def test_stale_frozen_baskets_without_an_order_are_opened_again_and_nothing_else(settings):
    settings.BASKET_FROZEN_THAW_MINUTES = 15
    product = product_for_sale(stock=20)
    now = timezone.now()

    def frozen(minutes_ago):
        basket = basket_with((product, 1))
        basket.freeze()
        Basket.objects.filter(pk=basket.pk).update(
            frozen_at=None if minutes_ago is None else now - timedelta(minutes=minutes_ago)
        )
        return basket

    stale, before_the_column, placing_now = frozen(20), frozen(None), frozen(2)
    ordered = frozen(60)
    order = place_order(basket=basket_with((product, 1)))
    Order.objects.filter(pk=order.pk).update(basket=ordered)
    open_basket = basket_with((product, 1))

    assert frozen_baskets_thaw(now=now) == 2
    assert frozen_baskets_thaw(now=now) == 0  # run again: nothing left

    def status(basket):
        basket.refresh_from_db()
        return basket.status

    assert status(stale) == status(before_the_column) == Basket.OPEN
    assert status(placing_now) == status(ordered) == Basket.FROZEN
    assert status(open_basket) == Basket.OPEN


def test_the_thaw_job_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["basket-frozen-baskets-thaw"]
    assert entry["task"] == "shop.basket.tasks.frozen_baskets_thaw_task"
