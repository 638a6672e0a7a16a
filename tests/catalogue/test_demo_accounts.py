"""One demo account per role (core.demo_accounts), each able to sign in where its role works."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import PartnerFactory

from core import demo_accounts

User = get_user_model()
Partner = get_model("partner", "Partner")

pytestmark = pytest.mark.django_db


@pytest.fixture
def command():
    return BaseCommand(stdout=io.StringIO())


@pytest.fixture
def mushroom_coop(db):
    return PartnerFactory(code="fangxian-mushroom-coop", name="房县菌菇专业合作社")


def test_each_role_has_its_account_and_groups(command, mushroom_coop):
    demo_accounts.seed(command)

    users = {user.email: user for user in User.objects.prefetch_related("groups")}
    groups = {email: {g.name for g in user.groups.all()} for email, user in users.items()}
    assert groups == {
        "buyer@demo.shiyan.example": set(),
        "coop@demo.shiyan.example": {"Cooperative users"},
        "channel@demo.shiyan.example": {"Channel managers"},
        "editor@demo.shiyan.example": {"Marketing editors"},
        "staff@demo.shiyan.example": set(),
        # One per demo organisation; channels.demo binds them (tests/channels/test_demo.py).
        "supermarket@demo.shiyan.example": set(),
        "enterprise@demo.shiyan.example": set(),
        "school@demo.shiyan.example": set(),
        "restaurant@demo.shiyan.example": set(),
    }
    assert [email for email, user in users.items() if user.is_staff] == ["staff@demo.shiyan.example"]


def test_cooperative_user_is_an_oscar_partner_user_of_the_mushroom_coop(command, mushroom_coop):
    demo_accounts.seed(command)

    coop = User.objects.get(email="coop@demo.shiyan.example")
    assert list(coop.partners.all()) == [mushroom_coop]
    # Oscar's dashboard shows whole orders (other suppliers' lines too): cooperatives use the portal.
    assert not coop.has_perm("partner.dashboard_access")


def test_cooperative_user_is_kept_out_of_oscars_dashboard(client, command, mushroom_coop):
    demo_accounts.seed(command)

    assert client.login(username="coop@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)
    response = client.get(reverse("dashboard:order-list"))

    assert response.status_code in (302, 403)


@pytest.mark.parametrize("url_name", ["dashboard:index", "wagtailadmin_home"])
def test_staff_signs_in_with_the_demo_password_to_the_dashboard_and_the_cms(
    client, command, mushroom_coop, url_name
):
    demo_accounts.seed(command)

    assert client.login(username="staff@demo.shiyan.example", password=demo_accounts.DEMO_PASSWORD)

    assert client.get(reverse(url_name)).status_code == 200


def test_seeding_again_creates_nothing_and_keeps_a_changed_password(command, mushroom_coop):
    demo_accounts.seed(command)
    buyer = User.objects.get(email="buyer@demo.shiyan.example")
    buyer.set_password("my-own-password")
    buyer.save()

    demo_accounts.seed(command)

    assert User.objects.count() == len(demo_accounts.ACCOUNTS) == 9
    buyer.refresh_from_db()
    assert buyer.check_password("my-own-password")


def test_report_prints_every_account_with_where_it_signs_in_marked_local_only(command, mushroom_coop):
    demo_accounts.seed(command)

    demo_accounts.report(command)

    output = command.stdout.getvalue()
    assert "LOCAL USE ONLY" in output
    for email in (
        "buyer",
        "coop",
        "channel",
        "editor",
        "staff",
        "supermarket",
        "enterprise",
        "school",
        "restaurant",
    ):
        assert f"{email}@demo.shiyan.example" in output
    for url in (
        "/shop/accounts/login/",
        "/shop/portal/",
        "/shop/channels/",
        "/shop/channels/org/",
        "/cms-admin/",
    ):
        assert url in output


def test_no_demo_account_is_created_where_demo_accounts_are_disabled(command, mushroom_coop, settings):
    settings.DEMO_ACCOUNTS_ENABLED = False

    demo_accounts.seed(command)
    demo_accounts.report(command)

    assert not User.objects.exists()
    assert "skipped" in command.stdout.getvalue()
    assert demo_accounts.DEMO_PASSWORD not in command.stdout.getvalue()
