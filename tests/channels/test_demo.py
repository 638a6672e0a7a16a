"""The demo organisations: one per channel, approved, with sites, price lists and a member account each,
the channel manager on all four channels; seeding twice writes nothing."""

import io

import pytest
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue import demo as catalogue_demo
from channels import demo as channels_demo
from channels.models import ManagerAssignment, Membership, Organisation, PriceList
from core import demo_accounts
from core.sales_channels import INSTITUTIONAL, SalesChannel

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")
MEMBERS = {
    "supermarket@demo.shiyan.example": SalesChannel.SUPERMARKET,
    "enterprise@demo.shiyan.example": SalesChannel.ENTERPRISE,
    "school@demo.shiyan.example": SalesChannel.SCHOOL,
    "restaurant@demo.shiyan.example": SalesChannel.RESTAURANT,
}


@pytest.fixture
def command():
    return BaseCommand(stdout=io.StringIO())


@pytest.fixture
def seeded(command):
    catalogue_demo.seed(command)
    demo_accounts.seed(command)
    channels_demo.seed(command)


def test_each_channel_has_an_approved_organisation_with_its_member_as_administrator(seeded):
    memberships = Membership.objects.select_related("organisation", "user")

    assert {m.user.email: m.organisation.channel for m in memberships} == MEMBERS
    assert {m.role for m in memberships} == {Membership.Role.ADMIN}
    assert set(Organisation.objects.values_list("status", flat=True)) == {Organisation.Status.APPROVED}
    school = Organisation.objects.get(channel=SalesChannel.SCHOOL)
    assert sorted(school.sites.values_list("name", flat=True)) == ["昌平校区", "海淀校区"]
    assert [c.new_status for c in school.status_changes.order_by("pk")] == ["applied", "approved"]


def test_the_channel_manager_manages_all_four_channels(seeded, client):
    manager = ManagerAssignment.objects.values_list("user__email", "channel")

    assert sorted(manager) == sorted(("channel@demo.shiyan.example", c.value) for c in INSTITUTIONAL)
    assert client.login(username="channel@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    assert client.get(reverse("channels:desk")).status_code == 200


def test_every_channel_has_a_price_list_and_the_school_a_contract(seeded):
    lists = {
        (pl.channel, pl.organisation_id is not None): pl.entries.count() for pl in PriceList.objects.all()
    }

    assert lists == {
        (SalesChannel.SUPERMARKET.value, False): 9,
        (SalesChannel.ENTERPRISE.value, False): 9,
        (SalesChannel.SCHOOL.value, False): 9,
        (SalesChannel.RESTAURANT.value, False): 9,
        (SalesChannel.SCHOOL.value, True): 1,
    }


def test_the_school_member_signs_in_and_sees_its_contract_price_for_citrus(seeded, client, settings):
    settings.LANGUAGE_CODE = "en"
    citrus = Product.objects.get(gtin="6937007000013")

    assert client.login(username="school@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    page = client.get(citrus.get_absolute_url()).content.decode()

    assert "¥28.70" in page and "Your contract price" in page and 'value="8"' in page


def test_seeding_again_writes_nothing(seeded, command):
    with CaptureQueriesContext(connection) as queries:
        channels_demo.seed(command)

    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_without_demo_accounts_the_organisations_exist_but_nobody_is_bound(command, settings):
    settings.DEMO_ACCOUNTS_ENABLED = False
    catalogue_demo.seed(command)
    demo_accounts.seed(command)

    channels_demo.seed(command)

    assert Organisation.objects.count() == 4
    assert not Membership.objects.exists() and not ManagerAssignment.objects.exists()


def test_the_school_has_a_weekly_standing_delivery_the_desk_shows_next_week(seeded, client, settings):
    from channels.models import StandingOrder
    from channels.services.standing import standing_outlook

    settings.LANGUAGE_CODE = "en"
    standing = StandingOrder.objects.get()
    assert standing.organisation.channel == SalesChannel.SCHOOL and standing.site.name == "海淀校区"
    assert standing.weekdays == [0, 2, 4] and not standing.is_paused
    assert standing.lines.count() == 2 and standing.created_by.email == "school@demo.shiyan.example"
    rows = standing_outlook(channels=[SalesChannel.SCHOOL], days=7)
    # Any seven days hold a Monday, a Wednesday and a Friday (the skipped week is October 2026's).
    assert len([row for row in rows if row.standing == standing]) >= 3
    assert client.login(username="channel@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    assert "每周一三五 食堂水果菌菇" in client.get(reverse("channels:desk")).content.decode()
