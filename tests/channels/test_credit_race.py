"""Twenty members of one organisation on account order at once against a credit limit that fits five
of them, through the real checkout on PostgreSQL: exactly five placed, fifteen refused with the
credit message on the preview page, no error page, the limit never exceeded.

Each member buys a different product, so no stock record serialises the placements: the
organisation's row lock (``channels.services.accounts.invoice_for_order``) is the only thing that
keeps the limit. Determinism: every client walks to the preview before any thread starts; the
threads are released together by a barrier; each closes its own database connection when done
(threads otherwise leave connections open past the test's flush); every thread must finish and
report an outcome (a missing one fails the test, it is not counted as a refusal).
"""

import os
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from channels.models import Invoice, Organisation
from tests.checkout import flow
from tests.concurrency import race
from tests.factories.channels import OrganisationFactory, member_of
from tests.factories.order import china, product_for_sale

Country = get_model("address", "Country")
Order = get_model("order", "Order")

ON_POSTGRES = connection.vendor == "postgresql"
POSTGRES_REQUIRED = os.environ.get("POSTGRES_REQUIRED") == "1"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (ON_POSTGRES or POSTGRES_REQUIRED), reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MEMBERS = 20
FITS = 5
ORDER_TOTAL = Decimal("500.00")  # 10 × ¥50.00, delivery free from ¥99
LIMIT = FITS * ORDER_TOTAL + Decimal("250.00")  # five fit, a sixth does not


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


def test_twenty_orders_on_account_against_a_limit_for_five_place_exactly_five():
    assert ON_POSTGRES, "POSTGRES_REQUIRED=1 but the test database is not PostgreSQL"
    china()
    school = OrganisationFactory(
        payment_mode=Organisation.PaymentMode.ON_ACCOUNT, credit_limit=LIMIT, net_days=30
    )
    clients = []
    for number in range(MEMBERS):
        product = product_for_sale(title=f"房县香菇 {number}", price="50.00", stock=100)
        client = Client()
        client.force_login(member_of(school))
        flow.add_to_basket(client, product, 10)
        assert flow.enter_address(client).status_code == 302
        assert flow.choose_payment(client, "on-account").status_code == 302
        assert client.get(reverse("checkout:preview")).status_code == 200
        clients.append(client)

    def order(number):
        response = flow.place_order(clients[number])
        if response.status_code == 302:
            return ("placed", response["Location"])
        return (response.status_code, response.content.decode())

    outcomes = race(order, MEMBERS)

    placed = [o for o in outcomes if o and o[0] == "placed"]
    refused = [o for o in outcomes if o and o[0] == 200 and "more than the credit" in o[1]]
    assert len(placed) == FITS, outcomes
    assert all(location == reverse("checkout:thank-you") for _, location in placed)
    assert len(refused) == MEMBERS - FITS, [o[:1] + (o[1][:300],) for o in outcomes if o not in placed]
    assert "Nothing was ordered" in refused[0][1]
    assert Order.objects.count() == FITS
    invoices = Invoice.objects.filter(organisation=school)
    assert invoices.count() == FITS
    assert sum(invoice.amount for invoice in invoices) == FITS * ORDER_TOTAL <= LIMIT
