"""Demo payment terms: the school and the canteen on account, orders on account with their invoices,
last month's statement made, an overdue account on the desk; seeding twice adds nothing."""

import io

import pytest
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalogue import demo as catalogue_demo
from channels import demo as channels_demo
from channels.demo import accounts as accounts_demo
from channels.models import Invoice, Organisation, Statement
from core import demo_accounts
from core.sales_channels import SalesChannel

pytestmark = pytest.mark.django_db


@pytest.fixture
def command():
    return BaseCommand(stdout=io.StringIO())


@pytest.fixture
def seeded(command):
    catalogue_demo.seed(command)
    demo_accounts.seed(command)
    channels_demo.seed(command)
    accounts_demo.seed(command)


def test_demo_orders_on_account_a_statement_and_an_overdue_account(seeded, command, client):
    school = Organisation.objects.get(channel=SalesChannel.SCHOOL)
    canteen = Organisation.objects.get(channel=SalesChannel.ENTERPRISE)

    assert {school.payment_mode, canteen.payment_mode} == {"on_account"}
    assert Invoice.objects.filter(organisation=school).count() == 3
    assert Invoice.objects.filter(organisation=school, status="paid").count() == 1
    [overdue] = Invoice.objects.filter(organisation=canteen)
    assert overdue.status == "open" and overdue.days_overdue(overdue.due_on.__class__.today()) >= 30
    assert Statement.objects.filter(state=Statement.State.READY).count() == 2

    assert client.login(username="channel@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    assert canteen.name in client.get(reverse("channels:desk")).content.decode()
    assert client.login(username="school@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    assert "D13-SCH-03" in client.get(reverse("channels:org-invoices")).content.decode()

    counts = (Invoice.objects.count(), Statement.objects.count())
    with CaptureQueriesContext(connection) as queries:
        accounts_demo.seed(command)
    assert (Invoice.objects.count(), Statement.objects.count()) == counts
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
