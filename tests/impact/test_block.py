"""The public impact figures block: live totals, cached, never a buyer."""

import datetime

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from impact import rollup
from impact.blocks import ImpactFiguresBlock
from tests.impact.conftest import order_of, pay

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _render(block, value):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return block.render(block.to_python(value), context={"request": request})


def test_block_shows_live_totals_and_no_buyer(known):
    k = known
    now = timezone.localtime()
    order = order_of([(k.p1, 1, "1234.00")], district="朝阳区")
    pay(order, now - datetime.timedelta(minutes=5))
    rollup.rollups_rebuild()
    block = ImpactFiguresBlock()
    html = _render(block, {"heading": "帮扶成效", "period": "all"})
    # Since the start: O1 150 + O2 150 + O5 120 + O6 100 + O8 45 + 1,234 today.
    assert "¥1799" in html
    assert order.shipping_address.last_name not in html and "guest" not in html
    assert "@" not in html


def test_a_cached_block_adds_at_most_one_query(known):
    rollup.rollups_rebuild()
    block = ImpactFiguresBlock()
    value = {"heading": "", "period": "year"}
    with CaptureQueriesContext(connection) as first:
        _render(block, value)
    assert len(first) == 1  # one query for all four figures
    with CaptureQueriesContext(connection) as cached:
        _render(block, value)
    assert len(cached) <= 1


def test_the_home_page_shows_live_figures(known, client):
    from cms.models import HomePage

    rollup.rollups_rebuild()
    home = HomePage.objects.get()
    home.body = [("impact_figures", {"heading": "京堰消费帮扶成效", "period": "all"})]
    home.save_revision().publish()
    response = client.get(home.url, follow=True)
    page = response.content.decode()
    assert "京堰消费帮扶成效" in page
    assert "¥565" in page  # every counted sale of the known data set, 2025 and 2026
    assert "<dd>190</dd>" in page  # households of the two suppliers reached
