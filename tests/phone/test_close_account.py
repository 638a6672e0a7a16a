"""A buyer who signed up by phone has no password: the profile offers no password change, and the
account is closed with a code texted to its own number (never to a number posted with the request)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse

from core import sms
from shop.phone.models import VerifiedMobile
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale
from tests.phone.conftest import texted_code, wrong

pytestmark = pytest.mark.django_db

User = get_user_model()
CLOSE = reverse("phone:close-account")
PROFILE = reverse("customer:profile-view")
NUMBER = "13712345678"


@pytest.fixture
def phone_buyer():
    buyer = UserFactory(email="")
    buyer.set_unusable_password()
    buyer.save()
    VerifiedMobile.objects.create(user=buyer, number=NUMBER)
    return buyer


def _send(client, **extra):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(CLOSE, {"action": "send", **extra})


def test_the_profile_of_a_phone_account_offers_closing_by_code_and_no_password_change(client, phone_buyer):
    client.force_login(phone_buyer)

    page = client.get(PROFILE).content.decode()

    assert reverse("customer:change-password") not in page
    assert f'id="delete_profile" href="{CLOSE}"' in page


def test_an_account_with_a_password_keeps_oscars_pages(client):
    buyer = UserFactory(email="li.na@example.com", password="a long enough password 1")
    client.force_login(buyer)

    page = client.get(PROFILE).content.decode()

    assert reverse("customer:change-password") in page
    assert f'id="delete_profile" href="{reverse("customer:profile-delete")}"' in page
    assert client.get(CLOSE)["Location"] == reverse("customer:profile-delete")  # no number to text


def test_the_code_goes_to_the_accounts_own_number_whatever_is_posted(client, phone_buyer):
    client.force_login(phone_buyer)
    page = client.get(CLOSE).content.decode()
    assert "发送验证码到 137****5678" in page

    _send(client, mobile="13912345678")

    assert [message.to for message in sms.outbox] == [NUMBER]


def test_a_wrong_code_closes_nothing_and_the_right_one_closes_the_account_and_keeps_its_orders(
    client, phone_buyer
):
    order = place_order(basket=basket_with((product_for_sale(), 1), owner=phone_buyer), user=phone_buyer)
    client.force_login(phone_buyer)
    _send(client)

    refused = client.post(CLOSE, {"action": "verify", "code": wrong(texted_code(NUMBER))})
    assert refused.status_code == 200 and "不正确" in refused.content.decode()
    assert User.objects.filter(pk=phone_buyer.pk).exists()

    closed = client.post(CLOSE, {"action": "verify", "code": texted_code(NUMBER)}, follow=True)

    assert not User.objects.filter(pk=phone_buyer.pk).exists()
    assert not VerifiedMobile.objects.filter(number=NUMBER).exists()
    assert "您的账户已注销" in closed.content.decode()
    assert not closed.context["user"].is_authenticated
    order.refresh_from_db()
    assert order.user_id is None


def test_a_code_for_signing_in_does_not_close_the_account(client, phone_buyer):
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("phone:sign-in"), {"action": "send", "mobile": NUMBER})
    sign_in_code = texted_code(NUMBER)
    client.force_login(phone_buyer)
    _send(client)
    sms.outbox.clear()

    client.post(CLOSE, {"action": "verify", "code": sign_in_code})

    assert User.objects.filter(pk=phone_buyer.pk).exists()


def test_closing_needs_a_signed_in_buyer(client):
    response = client.get(CLOSE)

    assert response.status_code == 302 and reverse("customer:login") in response["Location"]
