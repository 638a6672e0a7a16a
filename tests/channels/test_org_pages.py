"""A member's organisation pages: which organisation is decided by the server from the membership, so
no URL, parameter or cookie opens another organisation's records."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from channels.models import DeliverySite, Membership
from core.sales_channels import SalesChannel
from tests.factories.channels import DeliverySiteFactory, OrganisationFactory, member_of, price
from tests.factories.order import product_for_sale

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def school():
    return OrganisationFactory(name="北京市海淀实验中学")


@pytest.fixture
def other():
    return OrganisationFactory(name="北京市朝阳实验小学")


MEMBER_PAGES = ["channels:org", "channels:org-prices", "channels:org-sites", "channels:org-members"]
ADMIN_PAGES = ["channels:org-billing", "channels:org-invitations", "channels:org-site-create"]


@pytest.mark.parametrize("url_name", MEMBER_PAGES + ADMIN_PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_a_non_member_is_refused(client, url_name):
    url = reverse(url_name)
    assert client.get(url)["Location"].startswith(reverse("customer:login"))

    client.force_login(UserFactory())
    response = client.get(url)

    assert response.status_code == 403 and "does not belong to an organisation" in response.content.decode()


@pytest.mark.parametrize("url_name", MEMBER_PAGES)
def test_every_member_sees_their_own_organisations_pages(client, school, other, url_name):
    client.force_login(member_of(school, role=Role.BUYER))

    page = client.get(reverse(url_name), {"organisation": other.pk}).content.decode()

    assert school.name in page and other.name not in page


@pytest.mark.parametrize("url_name", ADMIN_PAGES)
def test_admin_pages_are_refused_to_a_buyer_and_open_to_an_administrator(client, school, url_name):
    client.force_login(member_of(school, role=Role.BUYER))
    assert client.get(reverse(url_name)).status_code == 403

    client.force_login(member_of(school, role=Role.ADMIN))
    assert client.get(reverse(url_name)).status_code == 200


def test_another_organisations_site_member_or_invitation_is_not_found_by_url(client, school, other):
    admin = member_of(school, role=Role.ADMIN)
    their_site = DeliverySiteFactory(organisation=other)
    their_member = Membership.objects.get(user=member_of(other, role=Role.ADMIN))
    client.force_login(admin)

    answers = [
        client.get(reverse("channels:org-site-update", kwargs={"pk": their_site.pk})).status_code,
        client.post(
            reverse("channels:org-site-active", kwargs={"pk": their_site.pk}), {"active": "0"}
        ).status_code,
        client.post(
            reverse("channels:org-member-role", kwargs={"pk": their_member.pk}), {"role": "buyer"}
        ).status_code,
        client.post(reverse("channels:org-member-remove", kwargs={"pk": their_member.pk})).status_code,
    ]

    assert answers == [404, 404, 404, 404]
    their_site.refresh_from_db()
    assert their_site.is_active and Membership.objects.filter(pk=their_member.pk, role=Role.ADMIN).exists()


def test_an_administrator_adds_a_site_in_a_beijing_district(client, school):
    client.force_login(member_of(school, role=Role.ADMIN))

    response = client.post(
        reverse("channels:org-site-create"),
        {
            "name": "昌平校区",
            "district": "昌平区",
            "address": "回龙观西大街9号 食堂收货口",
            "contact_name": "王师傅",
            "phone": "139 1100 0013",
            "notes": "周一 7:30–9:00 验收",
        },
    )

    assert response.status_code == 302
    site = DeliverySite.objects.get()
    assert (site.organisation, site.district, site.phone) == (school, "昌平区", "13911000013")


def test_a_site_outside_beijing_or_with_a_name_taken_is_refused(client, school):
    DeliverySiteFactory(organisation=school, name="海淀校区")
    client.force_login(member_of(school, role=Role.ADMIN))
    data = {
        "name": "海淀校区",
        "district": "武汉市",
        "address": "x",
        "contact_name": "王",
        "phone": "13911000013",
    }

    page = client.post(reverse("channels:org-site-create"), data).content.decode()

    assert "not one of the available choices" in page
    data["district"] = "海淀区"
    page = client.post(reverse("channels:org-site-create"), data).content.decode()
    assert "already has a delivery site of this name" in page
    assert DeliverySite.objects.count() == 1


def test_an_administrator_changes_the_billing_details_but_not_the_identity(client, school):
    client.force_login(member_of(school, role=Role.ADMIN))
    data = {
        "contact_name": "郑老师",
        "phone": "13911000003",
        "email": "canteen@school.example",
        "address": "北京市海淀区中关村南大街12号",
        "invoice_title": "北京市海淀实验中学（食堂）",
        "tax_number": school.uscc,
        "billing_address": "北京市海淀区中关村南大街12号",
        "billing_phone": "01062345678",
        "bank_name": "北京银行海淀支行",
        "bank_account": "2000 0003 9999 8888",
        "name": "别的名字",
        "uscc": "91110105MA0200009X",
    }

    response = client.post(reverse("channels:org-billing"), data)

    assert response.status_code == 302
    school.refresh_from_db()
    assert school.invoice_title == "北京市海淀实验中学（食堂）" and school.bank_account == "2000000399998888"
    assert school.name == "北京市海淀实验中学"


def test_the_prices_page_lists_what_the_members_pay_today(client, school):
    mushrooms = product_for_sale(title="房县香菇 250克", price="39.80")
    price(mushrooms, "31.00", channel=SalesChannel.SCHOOL, moq=12, case_size=6)
    price(
        product_for_sale(title="丹江口蜜橘 5斤装", price="39.90"), "30.00", channel=SalesChannel.SUPERMARKET
    )
    client.force_login(member_of(school))

    page = client.get(reverse("channels:org-prices")).content.decode()

    assert "房县香菇 250克" in page and "¥31.00" in page and "¥39.80" in page
    assert "丹江口蜜橘" not in page
