"""The incremental roll-ups equal a rebuild from scratch, after a random mix of order events."""

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from oscar.core.loading import get_model

from channels.models import Delivery
from core.sales_channels import SalesChannel
from impact import rollup
from impact.figures import Filters, figures_compute
from impact.models import DailySales, DirtyDay, MonthlyDistrictSales, MonthlySales
from tests.impact.conftest import at, deliver, order_of, pay, refund

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def snapshot():
    """Every roll-up row, in a stable order, without ids."""
    tables = {}
    for model in (DailySales, MonthlySales, MonthlyDistrictSales):
        columns = [f.column for f in model._meta.concrete_fields if f.column != "id"]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(columns)} FROM {model._meta.db_table}")  # noqa: S608
            tables[model.__name__] = sorted(cursor.fetchall(), key=repr)
    return tables


@pytest.mark.parametrize("seed", [14, 2026, 5])
def test_incremental_equals_rebuild_after_random_events(known, seed):
    k = known
    rollup.rollups_rebuild()
    rng = random.Random(seed)
    products = [k.p1, k.p2, k.p3, k.p4]
    channels = [c.value for c in SalesChannel]
    districts = ["朝阳区", "海淀区", "西城区", "浦东新区"]
    orders = []
    for step in range(150):
        action = rng.choice(["new", "new", "pay", "pay", "refund", "cancel", "deliver"])
        if action == "new" or not orders:
            lines = [
                (rng.choice(products), rng.randint(1, 3), f"{rng.randint(10, 300)}.00")
                for _ in range(rng.randint(1, 3))
            ]
            on_account = rng.random() < 0.25
            order = order_of(
                lines,
                channel=SalesChannel.SCHOOL if on_account else rng.choice(channels),
                district=rng.choice(districts),
                status="Pending payment",
            )
            orders.append((order, on_account))
            if on_account:
                deliver(order, k.account_site)
            continue
        order, on_account = rng.choice(orders)
        order.refresh_from_db()
        day = at("2026-01-01 08:00") + datetime.timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23))
        if action == "pay" and not on_account and order.status == "Pending payment":
            pay(order, day)
            order.status = "Paid"
            order.save()
        elif action == "refund" and order.status == "Paid":
            refund(order, day, Decimal(rng.randint(1, int(order.total_incl_tax))))
        elif action == "cancel" and order.status != "Cancelled":
            order.status = "Cancelled"
            order.save()
        elif action == "deliver" and on_account:
            delivery = Delivery.objects.get(organisation_order__order=order)
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = day
            delivery.save()
        if step % 10 == 0:
            rollup.dirty_days_refresh()
    rollup.dirty_days_refresh()
    assert not DirtyDay.objects.exists()
    incremental = snapshot()
    assert incremental["DailySales"], "the random mix should have sold something"
    rollup.rollups_rebuild()
    rebuilt = snapshot()
    for name, rows in rebuilt.items():
        assert set(rows) - set(incremental[name]) == set(), name
        assert set(incremental[name]) - set(rows) == set(), name
    assert rebuilt == incremental


def test_a_payment_is_visible_right_after_the_commit(known, django_capture_on_commit_callbacks):
    """The refresh queued after the commit (eager Celery in tests) brings today's sale in at once."""
    rollup.rollups_rebuild()
    today = datetime.date.today()
    period = Filters(start=today.replace(day=1), end=today)
    before = figures_compute(period).sales
    order = order_of([(known.p1, 1, "88.00")], status="Pending payment")
    event_type, _created = PaymentEventType.objects.get_or_create(name="Paid")
    with django_capture_on_commit_callbacks(execute=True):
        PaymentEvent.objects.create(order=order, amount=Decimal("88.00"), event_type=event_type)
    assert figures_compute(period).sales == before + Decimal("88.00")
    assert not DirtyDay.objects.exists()
