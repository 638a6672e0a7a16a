"""One-time codes: stored hashed, texted after the commit, good once, for minutes, for a few tries,
and sent no more often than the number's and the network's allowances."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import sms
from core.models import OutboxMessage
from shop.phone.models import OneTimeCode
from shop.phone.services import Purpose, code_hash, code_send, code_try, code_use
from tests.phone.conftest import texted_code, wrong

pytestmark = pytest.mark.django_db

NUMBER = "13812345678"


def send(number=NUMBER, *, purpose=Purpose.SIGN_IN, network="203.0.113.7", now=None, capture=None):
    with capture(execute=True):
        return code_send(number=number, purpose=purpose, network=network, now=now)


def test_the_code_is_texted_after_the_commit_and_never_stored_in_clear(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        row = code_send(number=NUMBER, purpose=Purpose.SIGN_IN, network="203.0.113.7")
    assert sms.outbox == []  # nothing inside the transaction

    for callback in callbacks:
        callback()

    code = texted_code(NUMBER)
    assert "十堰优品" in sms.outbox[0].text and "5 分钟" in sms.outbox[0].text
    row.refresh_from_db()
    assert row.code_hash == code_hash(number=NUMBER, purpose=Purpose.SIGN_IN, code=code)
    stored = [str(value) for value in OneTimeCode.objects.values_list().get()]
    stored += [str(OutboxMessage.objects.get(kind="phone.code_sms").payload)]
    assert not any(code in value for value in stored)


def test_the_texted_code_is_accepted_once(django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = texted_code(NUMBER)

    row = code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=code)
    code_use(row=row)

    with pytest.raises(ValidationError) as again:
        code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=code)
    assert again.value.code == "phone_code_expired"


def test_a_code_is_bound_to_its_number_and_purpose(django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = texted_code(NUMBER)

    with pytest.raises(ValidationError) as other_purpose:
        code_try(number=NUMBER, purpose=Purpose.CHECKOUT, code=code)

    assert other_purpose.value.code == "phone_code_missing"


def test_a_code_expires_after_its_minutes(django_capture_on_commit_callbacks):
    sent_at = timezone.now()
    send(capture=django_capture_on_commit_callbacks, now=sent_at)
    code = texted_code(NUMBER)

    with pytest.raises(ValidationError) as late:
        code_try(
            number=NUMBER, purpose=Purpose.SIGN_IN, code=code, now=sent_at + timedelta(minutes=5, seconds=1)
        )

    assert late.value.code == "phone_code_expired"
    assert "过期" in late.value.messages[0]


def test_wrong_tries_are_counted_and_the_last_one_ends_the_code(limits, django_capture_on_commit_callbacks):
    send(capture=django_capture_on_commit_callbacks)
    code = texted_code(NUMBER)
    bad = wrong(code)

    messages = []
    for _try in range(limits["MAX_ATTEMPTS"]):
        with pytest.raises(ValidationError) as refused:
            code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=bad)
        messages.append(refused.value.messages[0])
    with pytest.raises(ValidationError) as right_too_late:
        code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=code)

    assert messages[0] == "验证码不正确，还可以再试 2 次。"
    assert "重新获取" in messages[-1]
    assert right_too_late.value.code == "phone_code_attempts"
    assert OneTimeCode.objects.get().attempts == limits["MAX_ATTEMPTS"]


def test_asking_again_within_the_cool_down_is_refused_with_the_seconds_to_wait(
    django_capture_on_commit_callbacks,
):
    now = timezone.now()
    send(capture=django_capture_on_commit_callbacks, now=now)

    with pytest.raises(ValidationError) as refused:
        send(capture=django_capture_on_commit_callbacks, now=now + timedelta(seconds=20))

    assert refused.value.code == "phone_code_cooldown"
    assert "40 秒" in refused.value.messages[0]
    assert OneTimeCode.objects.count() == 1 and len(sms.outbox) == 1


def test_a_new_code_makes_the_older_one_worthless(django_capture_on_commit_callbacks):
    now = timezone.now()
    send(capture=django_capture_on_commit_callbacks, now=now - timedelta(minutes=2))
    first = texted_code(NUMBER)
    send(capture=django_capture_on_commit_callbacks, now=now)
    second = texted_code(NUMBER)

    if first != second:
        with pytest.raises(ValidationError):
            code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=first)
    assert code_try(number=NUMBER, purpose=Purpose.SIGN_IN, code=second)


def test_a_number_gets_only_its_codes_an_hour(limits, django_capture_on_commit_callbacks):
    start = timezone.now() - timedelta(minutes=59)
    for n in range(limits["PER_NUMBER_PER_HOUR"]):
        send(
            capture=django_capture_on_commit_callbacks,
            now=start + timedelta(minutes=2 * n),
            network=f"10.0.0.{n}",
        )

    with pytest.raises(ValidationError) as refused:
        send(capture=django_capture_on_commit_callbacks, network="10.0.0.99")
    an_hour_later = send(
        capture=django_capture_on_commit_callbacks, now=start + timedelta(hours=1, minutes=1)
    )

    assert refused.value.code == "phone_code_number_limit"
    assert refused.value.messages[0] == "该号码一小时内已收到 3 条验证码，请稍后再试。"
    assert an_hour_later.pk
    assert OneTimeCode.objects.filter(number=NUMBER).count() == limits["PER_NUMBER_PER_HOUR"] + 1


def test_a_network_asks_for_only_its_codes_an_hour_whatever_the_numbers(
    limits, django_capture_on_commit_callbacks
):
    for n in range(limits["PER_NETWORK_PER_HOUR"]):
        send(f"1390000000{n}", capture=django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError) as refused:
        send("13900000099", capture=django_capture_on_commit_callbacks)
    other_network = send("13900000099", capture=django_capture_on_commit_callbacks, network="198.51.100.1")

    assert refused.value.code == "phone_code_network_limit"
    assert "网络" in refused.value.messages[0]
    assert other_network.pk
    assert not OneTimeCode.objects.filter(number="13900000099", network="203.0.113.7").exists()


def test_a_code_delivered_after_it_expired_is_not_texted(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        code_send(number=NUMBER, purpose=Purpose.SIGN_IN, now=timezone.now() - timedelta(minutes=6))

    for callback in callbacks:
        callback()

    assert sms.outbox == []
    assert OutboxMessage.objects.get(kind="phone.code_sms").state == OutboxMessage.State.SENT


def test_the_cool_down_is_per_purpose_and_the_hourly_count_is_per_number(
    limits, django_capture_on_commit_callbacks
):
    now = timezone.now()
    send(capture=django_capture_on_commit_callbacks, now=now)

    checkout = send(capture=django_capture_on_commit_callbacks, now=now, purpose=Purpose.CHECKOUT)

    assert checkout.purpose == Purpose.CHECKOUT
    assert OneTimeCode.objects.filter(number=NUMBER).count() == 2


def test_the_daily_purge_forgets_week_old_codes_and_unused_locks(django_capture_on_commit_callbacks):
    from shop.phone.models import SendLock
    from shop.phone.tasks import phone_codes_purge_task

    now = timezone.now()
    send("13900000001", capture=django_capture_on_commit_callbacks, now=now - timedelta(days=8))
    send("13900000002", capture=django_capture_on_commit_callbacks, now=now - timedelta(days=2))
    send("13900000003", capture=django_capture_on_commit_callbacks, network="198.51.100.1")

    purged = phone_codes_purge_task.apply().get()

    assert purged == 1
    assert sorted(OneTimeCode.objects.values_list("number", flat=True)) == ["13900000002", "13900000003"]
    assert sorted(SendLock.objects.values_list("key", flat=True)) == [
        "mobile:13900000003",
        "network:198.51.100.1",
    ]
    assert send("13900000002", capture=django_capture_on_commit_callbacks).pk  # a purged lock is made again
    assert settings.CELERY_BEAT_SCHEDULE["phone-codes-purge"]["task"] == phone_codes_purge_task.name
