"""A buyer's account pages name them by e-mail, mobile number or both, never "None" or an empty label;
the mobile number changes only through a code texted to the new number."""

from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core import sms
from shop.phone.models import OneTimeCode, VerifiedMobile
from tests.factories.order import UserFactory
from tests.phone.conftest import texted_code, wrong

pytestmark = pytest.mark.django_db

PROFILE = reverse("customer:profile-view")
CHANGE = reverse("phone:sign-in") + "?next=" + PROFILE


def profile_of(client, user) -> str:
    client.force_login(user)
    page = client.get(PROFILE).content.decode()
    assert "None" not in page
    return page


def test_a_phone_only_buyer_sees_their_number_and_is_offered_an_e_mail(client):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")

    page = profile_of(client, buyer)

    assert "13712345678" in page and "更换手机号" in page
    assert "添加邮箱" in page and reverse("customer:profile-update") in page


def test_an_e_mail_only_buyer_sees_the_address_and_is_offered_a_mobile(client):
    buyer = UserFactory(email="li.na@example.com")

    page = profile_of(client, buyer)

    assert "li.na@example.com" in page and "绑定手机号" in page and "添加邮箱" not in page


def test_a_buyer_with_both_sees_both(client):
    buyer = UserFactory(email="li.na@example.com")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")

    page = profile_of(client, buyer)

    assert "li.na@example.com" in page and "13712345678" in page


def test_the_sign_out_page_names_a_phone_only_buyer_by_number(client):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)

    page = client.get(reverse("customer:logout")).content.decode()

    assert "13712345678" in page


def test_a_phone_only_buyer_can_save_the_profile_without_an_e_mail(client):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)

    response = client.post(
        reverse("customer:profile-update"), {"first_name": "娜", "last_name": "李", "email": ""}
    )

    assert response.status_code == 302
    buyer.refresh_from_db()
    assert (buyer.first_name, buyer.email) == ("娜", "")


def send_code(client, number):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(CHANGE, {"action": "send", "mobile": number})


def test_the_number_changes_with_the_code_texted_to_the_new_number(client, limits):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    send_code(client, "13912345678")

    refused = client.post(CHANGE, {"action": "verify", "code": wrong(texted_code("13912345678"))})
    assert refused.status_code == 200 and "不正确" in refused.content.decode()
    assert VerifiedMobile.objects.get(user=buyer).number == "13712345678"

    accepted = client.post(CHANGE, {"action": "verify", "code": texted_code("13912345678"), "next": PROFILE})

    assert accepted["Location"] == PROFILE
    assert VerifiedMobile.objects.get(user=buyer).number == "13912345678"
    assert "13912345678" in client.get(PROFILE).content.decode()


def test_an_expired_code_does_not_change_the_number(client, limits):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)
    send_code(client, "13912345678")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    OneTimeCode.objects.update(created_at=an_hour_ago, expires_at=an_hour_ago + timedelta(minutes=5))

    refused = client.post(CHANGE, {"action": "verify", "code": texted_code("13912345678")})

    assert refused.status_code == 200 and "过期" in refused.content.decode()
    assert VerifiedMobile.objects.get(user=buyer).number == "13712345678"


def test_a_number_of_another_account_cannot_be_taken(client, limits):
    VerifiedMobile.objects.create(user=UserFactory(email=""), number="13912345678")
    buyer = UserFactory(email="li.na@example.com")
    client.force_login(buyer)
    send_code(client, "13912345678")

    refused = client.post(CHANGE, {"action": "verify", "code": texted_code("13912345678")})

    assert refused.status_code == 200 and "已绑定其他账户" in refused.content.decode()
    assert not VerifiedMobile.objects.filter(user=buyer).exists()


def test_asking_for_codes_to_a_new_number_is_rate_limited(client, limits):
    buyer = UserFactory(email="")
    client.force_login(buyer)
    for _ in range(limits["PER_NUMBER_PER_HOUR"]):
        send_code(client, "13912345678")
        OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # past the cool-down

    with TestCase.captureOnCommitCallbacks(execute=True):
        refused = client.post(CHANGE, {"action": "resend"}, follow=True)

    assert "一小时内已收到" in refused.content.decode()
    assert [message.to for message in sms.outbox].count("13912345678") == limits["PER_NUMBER_PER_HOUR"]


def test_the_change_page_says_it_changes_the_number_and_names_the_current_one(client):
    buyer = UserFactory(email="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")
    client.force_login(buyer)

    page = client.get(CHANGE).content.decode()

    assert "更换手机号" in page and "当前号码为 13712345678" in page
    assert "绑定手机号" not in page


def test_a_buyer_without_a_name_or_e_mail_is_offered_a_name_and_shown_no_mail_history(client):
    buyer = UserFactory(email="", first_name="", last_name="")
    VerifiedMobile.objects.create(user=buyer, number="13712345678")

    page = profile_of(client, buyer)

    assert "填写姓名" in page and reverse("customer:profile-update") in page
    assert reverse("customer:email-list") not in page


def test_a_buyer_with_an_e_mail_address_keeps_the_mail_history_tab(client):
    page = profile_of(client, UserFactory(email="li.na@example.com", first_name="娜", last_name="李"))

    assert reverse("customer:email-list") in page and "填写姓名" not in page
