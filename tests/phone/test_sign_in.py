"""Signing in and up by mobile number at /shop/accounts/phone/: no password, no e-mail address."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import sms
from shop.phone.models import OneTimeCode, VerifiedMobile
from tests.factories.order import UserFactory
from tests.phone.conftest import texted_code, wrong

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = reverse("phone:sign-in")


def ask_code(client, typed, capture):
    with capture(execute=True):
        return client.post(URL, {"action": "send", "mobile": typed})


def enter_code(client, code, url=URL):
    return client.post(url, {"action": "verify", "code": code})


def test_a_new_number_signs_up_without_an_e_mail_address(client, django_capture_on_commit_callbacks):
    asked = ask_code(client, "+86 138 1234 5678", django_capture_on_commit_callbacks)
    step_two = client.get(asked["Location"]).content.decode()

    signed_up = enter_code(client, texted_code("13812345678"))

    assert "验证码已发送到 138****5678" in step_two and 'name="code"' in step_two
    assert signed_up.status_code == 302 and signed_up["Location"] == "/shop/"
    user = User.objects.get()
    assert (user.email, user.has_usable_password()) == ("", False)
    assert user.verified_mobile.number == "13812345678"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert "欢迎！您的账户已创建。" in client.get("/shop/").content.decode()
    assert mail.outbox == []


def test_a_verified_number_signs_in_to_its_account_and_goes_where_it_was_going(
    client, django_capture_on_commit_callbacks
):
    buyer = UserFactory(email="li.na@example.com")
    VerifiedMobile.objects.create(user=buyer, number="13987654321")
    url = f"{URL}?next={reverse('checkout:index')}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send", "mobile": "139 8765 4321"})

    signed_in = enter_code(client, texted_code("13987654321"), url)

    assert signed_in["Location"] == reverse("checkout:index")
    assert int(client.session["_auth_user_id"]) == buyer.pk
    assert User.objects.count() == 1


def test_a_signed_in_buyer_adds_a_number_and_signs_in_with_it_later(
    client, django_capture_on_commit_callbacks
):
    buyer = UserFactory(email="li.na@example.com")
    client.force_login(buyer)
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)
    added = enter_code(client, texted_code("13812345678"))
    client.post(reverse("customer:logout"))
    OneTimeCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))  # past the cool-down
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    enter_code(client, texted_code("13812345678"))

    assert "138****5678 已绑定为您账户的手机号" in client.get(added["Location"]).content.decode()
    assert VerifiedMobile.objects.get(user=buyer).number == "13812345678"
    assert int(client.session["_auth_user_id"]) == buyer.pk
    assert User.objects.count() == 1


def test_a_number_of_another_account_is_not_taken_over(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="owner@example.com")
    VerifiedMobile.objects.create(user=owner, number="13812345678")
    client.force_login(UserFactory(email="other@example.com"))
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    refused = enter_code(client, texted_code("13812345678"))

    assert refused.status_code == 200
    assert "该手机号已绑定其他账户" in refused.content.decode()
    assert VerifiedMobile.objects.get().user == owner
    assert OneTimeCode.objects.get().used_at is None  # nothing half-saved: the code is still unused


def test_a_wrong_code_signs_nobody_up_and_says_how_many_tries_are_left(
    client, django_capture_on_commit_callbacks
):
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)
    code = texted_code("13812345678")

    refused = enter_code(client, wrong(code))

    assert refused.status_code == 200
    assert "验证码不正确，还可以再试 4 次。" in refused.content.decode()
    assert not User.objects.exists() and not VerifiedMobile.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("typed", ["", "1381234567", "010-6512-3456", "+1 415 555 0100"])
def test_a_number_that_is_not_a_mainland_mobile_is_refused_and_nothing_is_sent(
    client, typed, django_capture_on_commit_callbacks
):
    refused = ask_code(client, typed, django_capture_on_commit_callbacks)

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "error-block" in page
    assert not OneTimeCode.objects.exists() and sms.outbox == []


def test_a_code_that_is_not_six_digits_is_refused_without_using_a_try(
    client, django_capture_on_commit_callbacks
):
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    refused = enter_code(client, "12ab")

    assert "验证码是 6 位数字。" in refused.content.decode()
    assert OneTimeCode.objects.get().attempts == 0


def test_a_closed_account_cannot_sign_in_by_phone(client, django_capture_on_commit_callbacks):
    closed = UserFactory(email="closed@example.com", is_active=False)
    VerifiedMobile.objects.create(user=closed, number="13812345678")
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    refused = enter_code(client, texted_code("13812345678"))

    assert "该手机号的账户已停用" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_asking_again_too_soon_keeps_the_buyer_on_the_code_step(client, django_capture_on_commit_callbacks):
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    again = client.post(URL, {"action": "resend"}, follow=True)

    page = again.content.decode()
    assert "秒后可以重新获取" in page and 'name="code"' in page
    assert OneTimeCode.objects.count() == 1 and len(sms.outbox) == 1


def test_the_sign_in_page_offers_the_phone_first(client):
    page = client.get(reverse("customer:login")).content.decode()

    assert page.index('id="login_mobile"') < page.index('id="login_form"')
    assert reverse("phone:sign-in") in page
    assert "手机号登录 / 注册" in page


def test_the_basket_filled_before_signing_up_by_phone_is_still_there(
    client, mushrooms, django_capture_on_commit_callbacks
):
    from tests.checkout import flow

    flow.add_to_basket(client, mushrooms, 2)
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)
    enter_code(client, texted_code("13812345678"))

    basket = client.get(reverse("basket:summary")).context["basket"]
    assert basket.owner == User.objects.get()
    assert [(line.product, line.quantity) for line in basket.all_lines()] == [(mushrooms, 2)]


def test_another_number_can_be_chosen_on_the_code_step(client, django_capture_on_commit_callbacks):
    ask_code(client, "13812345678", django_capture_on_commit_callbacks)

    changed = client.post(URL, {"action": "change"}, follow=True)

    page = changed.content.decode()
    assert 'name="mobile"' in page and 'name="code"' not in page
