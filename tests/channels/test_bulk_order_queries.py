"""A bulk order costs the same number of queries however many lines it has (issue 13, speed): the
placement reads and writes its lines, stock records, batches, alerts and analytics in bulk. Half of
the products are sold through batches, so the batch allocation is counted too."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import OrganisationOrder
from channels.services.bulk import OrderLine, channel_order_place
from core.sales_channels import SalesChannel
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, member_of, price
from tests.factories.order import product_for_sale
from tests.factories.traceability import published, seller
from traceability.models import BatchAllocation

pytestmark = pytest.mark.django_db

StockRecord = get_model("partner", "StockRecord")
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)
#: What a bulk order of any size may cost (the 500-line bench order: 57 queries, its page included).
MOST = 55


@pytest.fixture
def school():
    school = OrganisationFactory(channel=SalesChannel.SCHOOL)
    DeliverySiteFactory(organisation=school, name="东校区")
    DeliverySiteFactory(organisation=school, name="西校区")
    return school


@pytest.fixture
def products():
    found = []
    for n in range(40):
        if n % 2:
            grower = seller(title=f"竹溪贡茶 {n}")
            published(grower, quantity=30)
            product = grower.product
        else:
            product = product_for_sale(title=f"房县香菇 {n}", stock=30)
        price(product, "15.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
        found.append(product)
    return found


def _lines(products, sites):
    return [
        OrderLine(product_id=product.pk, quantity=6, site_id=sites[n % 2].pk, date=TOMORROW)
        for n, product in enumerate(products)
    ]


def test_a_bulk_order_costs_the_same_queries_for_4_and_40_lines(school, products):
    buyer = member_of(school)
    sites = list(school.sites.order_by("pk"))
    # A first order warms what every order of the organisation shares (the price book).
    channel_order_place(user=buyer, lines=_lines(products[:2], sites), source=OrganisationOrder.Source.SHEET)

    counts = {}
    for size in (4, 40):
        lines = _lines(products[:size] if size == 4 else products, sites)
        with CaptureQueriesContext(connection) as queries:
            order = channel_order_place(user=buyer, lines=lines, source=OrganisationOrder.Source.SHEET)
        counts[size] = len(queries)
        assert order.lines.count() == size

    assert counts[4] == counts[40] <= MOST, counts
    # Every line of the batch products still allocated to its batches, every stock record allocated.
    last = order
    batch_lines = [line for line in last.lines.all() if line.product.batches.exists()]
    assert len(batch_lines) == 20
    for line in batch_lines:
        assert sum(a.quantity for a in BatchAllocation.objects.filter(line=line)) == line.quantity
    for product in products:
        record = StockRecord.objects.get(product=product)
        assert record.num_allocated == 6 * (1 + (product in products[:4]) + (product in products[:2]))
