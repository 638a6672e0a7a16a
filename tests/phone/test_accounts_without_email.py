"""An account made by phone has no e-mail address: its pages work, and the e-mail stays optional."""

import pytest
from django.urls import reverse

from shop.phone.models import VerifiedMobile
from tests.factories.order import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_buyer(client):
    buyer = UserFactory(email="", username="mobile_abc123")
    buyer.set_unusable_password()
    buyer.save()
    VerifiedMobile.objects.create(user=buyer, number="13812345678")
    client.force_login(buyer)
    return buyer


@pytest.mark.parametrize(
    "name",
    ["customer:profile-view", "customer:profile-update", "customer:order-list", "customer:address-list"],
)
def test_the_account_pages_work_without_an_e_mail_address(client, phone_buyer, name):
    assert client.get(reverse(name)).status_code == 200


def test_a_phone_buyer_saves_the_profile_with_the_e_mail_left_empty(client, phone_buyer):
    saved = client.post(
        reverse("customer:profile-update"), {"last_name": "王", "first_name": "小明", "email": ""}
    )

    assert saved.status_code == 302
    phone_buyer.refresh_from_db()
    assert (phone_buyer.last_name, phone_buyer.email) == ("王", "")


def test_two_phone_buyers_without_e_mail_do_not_clash(client, phone_buyer):
    other = UserFactory(email="")
    VerifiedMobile.objects.create(user=other, number="13900000000")

    saved = client.post(reverse("customer:profile-update"), {"last_name": "王", "email": ""})

    assert saved.status_code == 302


def test_a_phone_buyer_may_add_an_e_mail_address(client, phone_buyer):
    client.post(reverse("customer:profile-update"), {"last_name": "王", "email": "wang@example.com"})

    phone_buyer.refresh_from_db()
    assert phone_buyer.email == "wang@example.com"


def test_an_account_without_a_verified_mobile_still_needs_its_e_mail(client):
    buyer = UserFactory(email="li.na@example.com")
    client.force_login(buyer)

    refused = client.post(reverse("customer:profile-update"), {"last_name": "李", "email": ""})

    assert refused.status_code == 200
    buyer.refresh_from_db()
    assert buyer.email == "li.na@example.com"
