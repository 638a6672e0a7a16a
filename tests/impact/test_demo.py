"""The demo sales: a year of paid orders in the figures, and a second run adds nothing."""

import datetime

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from impact import demo
from impact.figures import Filters, figures_compute

Order = get_model("order", "Order")

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_demo_sales_fill_the_last_year_and_are_idempotent(known):
    demo.seed(orders=30)
    demo.seed(orders=30)
    assert Order.objects.filter(number__startswith=demo.PREFIX).count() == 30
    today = timezone.localdate()
    year = figures_compute(Filters(start=today - datetime.timedelta(days=366), end=today))
    assert year.sales > 0 and year.suppliers >= 1 and year.households > 0
    assert sum(1 for _month, amount in year.by_month if amount) >= 6  # spread over the year
