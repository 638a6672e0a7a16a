"""Every URL of the channel managers' desk, walked as each kind of visitor: anonymous visitors are sent
to sign in, only managers (and platform staff) get in, and a manager only into their own channels."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from channels.models import Organisation
from core.sales_channels import SalesChannel
from tests.factories.channels import OrganisationFactory, channel_manager, member_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return OrganisationFactory(channel=SalesChannel.SCHOOL, status=Organisation.Status.APPLIED)


ACTORS = {
    "anonymous": lambda school: None,
    "retail buyer": lambda school: UserFactory(),
    "member": lambda school: member_of(school, role="admin"),
    "plain staff": lambda school: UserFactory(is_staff=True),
    "manager of another channel": lambda school: channel_manager(SalesChannel.SUPERMARKET),
    "manager without a channel": lambda school: channel_manager(),
    "manager of the channel": lambda school: channel_manager(SalesChannel.SCHOOL),
    "platform staff": lambda school: UserFactory(is_staff=True, is_superuser=True),
}
# (URL name, URL kwargs given the school, whether the page belongs to the school's channel)
DESK_URLS = [
    ("channels:desk", lambda o: {}, False),
    ("channels:desk-organisations", lambda o: {}, False),
    ("channels:desk-organisation", lambda o: {"pk": o.pk}, True),
    ("channels:desk-organisation-assistance", lambda o: {"pk": o.pk}, True),
    ("channels:desk-prices", lambda o: {}, False),
    ("channels:desk-price-list", lambda o: {"channel": "school"}, True),
    ("channels:desk-price-export", lambda o: {"channel": "school", "fmt": "csv"}, True),
    ("channels:desk-price-export", lambda o: {"channel": "school", "fmt": "xlsx"}, True),
    ("channels:desk-contract-list", lambda o: {"channel": "school", "pk": o.pk}, True),
    ("channels:desk-contract-export", lambda o: {"channel": "school", "pk": o.pk, "fmt": "csv"}, True),
]


def expected(actor: str, scoped: bool) -> int:
    if actor == "anonymous":
        return 302
    if actor in ("retail buyer", "member", "plain staff", "manager without a channel"):
        return 403
    if actor == "manager of another channel":
        return 403 if scoped else 200
    return 200


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("url_name", "kwargs", "scoped"), DESK_URLS)
def test_each_desk_url_answers_each_visitor_rightly(client, school, actor, url_name, kwargs, scoped):
    user = ACTORS[actor](school)
    if user is not None:
        client.force_login(user)
    url = reverse(url_name, kwargs=kwargs(school))

    response = client.get(url)

    assert response.status_code == expected(actor, scoped), (actor, url)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("customer:login"))


def test_a_manager_sees_only_their_channels_organisations(client):
    school = OrganisationFactory(channel=SalesChannel.SCHOOL, name="北京市海淀实验中学")
    shop = OrganisationFactory(channel=SalesChannel.SUPERMARKET, name="北京鲜丰超市连锁有限公司")
    client.force_login(channel_manager(SalesChannel.SCHOOL))

    page = client.get(reverse("channels:desk-organisations")).content.decode()

    assert school.name in page and shop.name not in page


def test_a_manager_of_another_channel_cannot_decide_nor_import_by_posting(client, school):
    client.force_login(channel_manager(SalesChannel.SUPERMARKET))

    decision = client.post(
        reverse("channels:desk-organisation", kwargs={"pk": school.pk}), {"action": "approve", "reason": ""}
    )
    sheet = client.post(
        reverse("channels:desk-price-list", kwargs={"channel": "school"}),
        {"sheet": ("prices.csv", b"Product code,Price\nX,1\n")},
    )

    assert decision.status_code == 403 and sheet.status_code == 403
    school.refresh_from_db()
    assert school.status == Organisation.Status.APPLIED


def test_an_unknown_channel_in_a_price_list_url_is_not_found(client):
    client.force_login(channel_manager(SalesChannel.SCHOOL))

    assert client.get("/shop/channels/prices/retail/").status_code == 404
    assert client.get("/shop/channels/prices/nowhere/").status_code == 404
