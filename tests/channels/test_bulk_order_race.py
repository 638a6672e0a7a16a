"""Six schools' bulk orders race for the same products on PostgreSQL, each listing them in a
different order: the stock (and the batches) cover three orders, so exactly three are placed and
three refused with the shortage message, nothing oversold, every placed line allocated to its
batches, no deadlock. The batched placement (one lock query for all stock records, one for all
batches, both in primary-key order) must keep what the line-by-line one kept."""

import datetime
import os

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from channels.models import OrganisationOrder
from channels.services.bulk import OrderLine, channel_order_place
from core.sales_channels import SalesChannel
from tests.concurrency import race
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, beijing_uscc, member_of, price
from tests.factories.order import product_for_sale
from tests.factories.traceability import published, seller
from traceability.models import Batch, BatchAllocation

Country = get_model("address", "Country")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

ON_POSTGRES = connection.vendor == "postgresql"
POSTGRES_REQUIRED = os.environ.get("POSTGRES_REQUIRED") == "1"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (ON_POSTGRES or POSTGRES_REQUIRED), reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCHOOLS = 6
FITS = 3
EACH = 12  # units of every product per order
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture(scope="module", autouse=True)
def _migration_data_restored_afterwards(django_db_setup, django_db_blocker):
    """Put back what data migrations created once the transactional test flushed it (see
    tests/order/test_concurrent_placement.py)."""
    yield
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents and not Country.objects.exists():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.LANGUAGES = [("en", "English")]


def test_six_bulk_orders_for_stock_that_covers_three_place_exactly_three_and_oversell_nothing():
    assert ON_POSTGRES, "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    products = []
    for n in range(4):
        if n % 2:
            grower = seller(title=f"竹溪贡茶 {n}")
            # Two batches each: the orders span them, earliest best-before first.
            published(grower, quantity=FITS * EACH // 2, best_before_in=100)
            published(grower, quantity=FITS * EACH // 2, best_before_in=200)
            product = grower.product
        else:
            product = product_for_sale(title=f"房县香菇 {n}", stock=FITS * EACH)
        price(product, "15.00", channel=SalesChannel.SCHOOL, moq=6, case_size=6)
        products.append(product)
    orders = []
    for number in range(SCHOOLS):
        school = OrganisationFactory(channel=SalesChannel.SCHOOL, uscc=beijing_uscc(70000 + number))
        site = DeliverySiteFactory(organisation=school)
        mine = products[number % 4 :] + products[: number % 4]  # each lists them from another one
        if number % 2:
            mine.reverse()
        lines = [OrderLine(product_id=p.pk, quantity=EACH, site_id=site.pk, date=TOMORROW) for p in mine]
        orders.append((member_of(school), lines))

    def order(number):
        buyer, lines = orders[number]
        try:
            channel_order_place(user=buyer, lines=lines, source=OrganisationOrder.Source.SHEET)
        except ValidationError as refusal:
            return ("refused", " ".join(refusal.messages))
        return ("placed",)

    outcomes = race(order, SCHOOLS)

    assert sum(1 for o in outcomes if o == ("placed",)) == FITS, outcomes
    refused = [o for o in outcomes if o and o[0] == "refused"]
    assert len(refused) == SCHOOLS - FITS, outcomes
    assert all("Nothing was ordered" in message for _, message in refused), refused
    assert Order.objects.count() == FITS
    for record in StockRecord.objects.filter(product__in=products):
        assert record.num_allocated == FITS * EACH <= record.num_in_stock
    for product in products[1::2]:
        assert not Batch.objects.filter(product=product, quantity_remaining__gt=0).exists()
        assert set(Batch.objects.filter(product=product).values_list("status", flat=True)) == {"sold_out"}
    allocated = BatchAllocation.objects.aggregate(units=Sum("quantity"))["units"]
    assert allocated == 2 * FITS * EACH  # every placed line of the two batch products, in full
