"""Every URL of payment terms on account, walked as each kind of visitor: the desk's pages (overdue
accounts, terms, invoices, statements and their files, fapiao requests and their export) only for
managers of the organisation's channel and platform staff; a member's account pages only for members,
each seeing only their own organisation's invoices and statements."""

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.test.factories import UserFactory

from channels import statements
from channels.models import FapiaoRequest, Organisation, Statement
from channels.services import accounts
from core.sales_channels import SalesChannel
from tests.channels.test_accounts import order_on_account
from tests.factories.channels import OrganisationFactory, channel_manager, member_of
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

ACTORS = {
    "anonymous": lambda: None,
    "retail buyer": lambda: UserFactory(),
    "plain staff": lambda: UserFactory(is_staff=True),
    "manager of another channel": lambda: channel_manager(SalesChannel.SUPERMARKET),
    "manager without a channel": lambda: channel_manager(),
    "manager of the channel": lambda: channel_manager(SalesChannel.SCHOOL),
    "platform staff": lambda: UserFactory(is_staff=True, is_superuser=True),
}
MONTH = lambda: f"{timezone.localdate():%Y-%m}"  # noqa: E731
# (URL name, URL kwargs given the world, whether the page belongs to the school's channel)
DESK_URLS = [
    ("channels:desk-accounts", lambda w: {}, False),
    ("channels:desk-account", lambda w: {"pk": w["school"].pk}, True),
    ("channels:desk-invoice", lambda w: {"pk": w["invoice"].pk}, True),
    ("channels:desk-statement", lambda w: {"pk": w["school"].pk, "month": MONTH()}, True),
    ("channels:desk-statement-file", lambda w: {"pk": w["school"].pk, "month": MONTH(), "fmt": "pdf"}, True),
    ("channels:desk-statement-file", lambda w: {"pk": w["school"].pk, "month": MONTH(), "fmt": "xlsx"}, True),
    ("channels:desk-fapiao", lambda w: {}, False),
    ("channels:desk-fapiao-export", lambda w: {"fmt": "csv"}, False),
    ("channels:desk-fapiao-export", lambda w: {"fmt": "xlsx"}, False),
]
ORG_URLS = [
    ("channels:org-invoices", lambda w: {}),
    ("channels:org-invoice", lambda w: {"pk": w["invoice"].pk}),
    ("channels:org-statement", lambda w: {"month": MONTH()}),
    ("channels:org-statement-file", lambda w: {"month": MONTH(), "fmt": "pdf"}),
    ("channels:org-statement-file", lambda w: {"month": MONTH(), "fmt": "xlsx"}),
]


@pytest.fixture
def world():
    school = OrganisationFactory(payment_mode=Organisation.PaymentMode.ON_ACCOUNT, credit_limit=5000)
    buyer = member_of(school)
    invoice = order_on_account(buyer, product_for_sale(price="40.00", stock=100), 10).channel_invoice
    statement = Statement.objects.create(organisation=school, month=timezone.localdate().replace(day=1))
    statements.statement_generate(statement.pk)
    accounts.fapiao_request(invoice=invoice, membership=buyer.channel_membership)
    return {"school": school, "buyer": buyer, "invoice": invoice}


def expected(actor: str, scoped: bool) -> int:
    if actor == "anonymous":
        return 302
    if actor in ("retail buyer", "plain staff", "manager without a channel"):
        return 403
    if actor == "manager of another channel":
        return 403 if scoped else 200
    return 200


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("url_name", "kwargs", "scoped"), DESK_URLS)
def test_each_desk_url_answers_each_visitor_rightly(client, world, actor, url_name, kwargs, scoped):
    user = ACTORS[actor]()
    if user is not None:
        client.force_login(user)

    response = client.get(reverse(url_name, kwargs=kwargs(world)))

    assert response.status_code == expected(actor, scoped), (actor, url_name)
    if (
        actor == "manager of another channel"
        and response.status_code == 200
        and url_name != "channels:desk-fapiao-export"
    ):
        assert world["school"].name not in response.content.decode()


@pytest.mark.parametrize("actor", ["anonymous", "member of the school", "member of another", "retail buyer"])
@pytest.mark.parametrize(("url_name", "kwargs"), ORG_URLS)
def test_each_account_url_answers_each_visitor_rightly(client, world, actor, url_name, kwargs):
    user = {
        "anonymous": None,
        "member of the school": world["buyer"],
        "member of another": member_of(OrganisationFactory(payment_mode="on_account", credit_limit=100)),
        "retail buyer": UserFactory(),
    }[actor]
    if user is not None:
        client.force_login(user)

    response = client.get(reverse(url_name, kwargs=kwargs(world)))

    if actor == "anonymous":
        assert response.status_code == 302
    elif actor == "retail buyer":
        assert response.status_code == 403
    elif actor == "member of the school":
        assert response.status_code == 200
    else:  # another organisation's invoice and files are not found; its own pages show nothing of ours
        if url_name in ("channels:org-invoice", "channels:org-statement-file"):
            assert response.status_code == 404
        else:
            assert response.status_code == 200
            assert world["invoice"].number not in response.content.decode()


def test_posting_on_the_desk_is_refused_outside_the_managers_channels(client, world):
    client.force_login(channel_manager(SalesChannel.SUPERMARKET))
    request = FapiaoRequest.objects.get()
    today = timezone.localdate().isoformat()

    posts = [
        (
            reverse("channels:desk-account", kwargs={"pk": world["school"].pk}),
            {"payment_mode": "pay_now", "net_days": 1, "credit_limit": 0},
        ),
        (
            reverse("channels:desk-invoice", kwargs={"pk": world["invoice"].pk}),
            {"amount": "1", "paid_on": today, "method": "cash"},
        ),
        (reverse("channels:desk-statement", kwargs={"pk": world["school"].pk, "month": MONTH()}), {}),
        (reverse("channels:desk-fapiao-issued", kwargs={"pk": request.pk}), {"fapiao_number": "1"}),
    ]

    assert [client.post(url, data).status_code for url, data in posts] == [403] * 4
    world["invoice"].refresh_from_db()
    world["school"].refresh_from_db()
    assert world["invoice"].amount_paid == 0 and world["school"].payment_mode == "on_account"
    assert FapiaoRequest.objects.get().status == "requested"
