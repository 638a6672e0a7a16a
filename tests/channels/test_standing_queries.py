"""The hourly job's cost per organisation does not grow with the number of organisations or of
lines (issue 13, speed: 1,000 organisations in at most 60 s): schedules, products, stock records
and their sellers are read once per job, the shared price book once, and each order's own work is
the placement's, in bulk."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.models import Membership, StandingOrder, StandingOrderLine
from channels.services import standing as service
from core.sales_channels import SalesChannel
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, beijing_uscc, member_of, price
from tests.factories.traceability import published, seller

pytestmark = pytest.mark.django_db

#: What one organisation's order may cost the job (56 on SQLite; the bench on PostgreSQL: about 50).
MOST_PER_ORDER = 60
START = datetime.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def lead(settings):
    settings.CHANNELS_STANDING_LEAD_DAYS = 1


@pytest.fixture
def products():
    found = []
    for n in range(6):
        grower = seller(title=f"定期配送茶 {n}")
        published(grower, quantity=10_000)
        price(grower.product, "20.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
        found.append(grower.product)
    return found


def schools(count: int, products, *, lines: int, first: int) -> list[int]:
    ids = []
    for n in range(first, first + count):
        school = OrganisationFactory(channel=SalesChannel.SCHOOL, uscc=beijing_uscc(60000 + n))
        site = DeliverySiteFactory(organisation=school)
        admin = member_of(school, role=Membership.Role.ADMIN)
        standing = StandingOrder.objects.create(
            organisation=school, site=site, name="每日配送", weekdays=list(range(7)), starts_on=START,
            created_by=admin,
        )  # fmt: skip
        StandingOrderLine.objects.bulk_create(
            [
                StandingOrderLine(
                    standing_order=standing, product=products[(n + k) % len(products)], quantity=6
                )
                for k in range(lines)
            ]
        )
        ids.append(standing.pk)
    return ids


def _job(ids) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        counts = service.standing_orders_place(today=timezone.localdate(), schedule_ids=ids)
    return len(queries), counts


def test_each_organisation_costs_the_same_queries_however_many_organisations_and_lines(products):
    _job(schools(1, products, lines=6, first=0))  # warms what jobs share (price book, analytics rows)

    two, placed_two = _job(schools(2, products, lines=2, first=10))
    five, placed_five = _job(schools(5, products, lines=2, first=20))
    five_long, placed_long = _job(schools(5, products, lines=6, first=30))

    assert placed_two == {"placed": 2} and placed_five == placed_long == {"placed": 5}
    per_order = (five - two) / 3
    assert per_order == int(per_order) and per_order <= MOST_PER_ORDER, (two, five)
    assert five_long == five, "more lines per order cost more queries"
