"""Many requests for codes at once (PostgreSQL row locks): the hourly limits hold exactly.

Transactional, so it runs after the others (and sorts after tests/e2e, see tests/outbox).
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from shop.phone.models import OneTimeCode
from shop.phone.services import Purpose, code_send

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def at_once(calls):
    """Run each call in its own thread and connection, all released together; returns the refusals."""
    barrier = threading.Barrier(len(calls))
    refusals, errors = [], []

    def run(call):
        try:
            barrier.wait()
            call()
        except ValidationError as refused:
            refusals.append(refused.code)
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return refusals


def test_parallel_requests_for_one_number_never_exceed_its_hourly_codes(limits, settings):
    settings.PHONE_CODES = {**limits, "RESEND_SECONDS": 0, "PER_NETWORK_PER_HOUR": 100}

    refusals = at_once(
        [
            lambda n=n: code_send(number="13812345678", purpose=Purpose.SIGN_IN, network=f"10.0.0.{n}")
            for n in range(8)
        ]
    )

    assert OneTimeCode.objects.filter(number="13812345678").count() == limits["PER_NUMBER_PER_HOUR"]
    assert refusals == ["phone_code_number_limit"] * (8 - limits["PER_NUMBER_PER_HOUR"])


def test_parallel_requests_from_one_network_never_exceed_its_hourly_codes(limits):
    refusals = at_once(
        [
            lambda n=n: code_send(number=f"1390000000{n}", purpose=Purpose.SIGN_IN, network="203.0.113.7")
            for n in range(8)
        ]
    )

    assert OneTimeCode.objects.filter(network="203.0.113.7").count() == limits["PER_NETWORK_PER_HOUR"]
    assert refusals == ["phone_code_network_limit"] * (8 - limits["PER_NETWORK_PER_HOUR"])


def test_parallel_requests_within_the_cool_down_send_one_code(limits):
    refusals = at_once(
        [lambda: code_send(number="13812345678", purpose=Purpose.SIGN_IN, network="203.0.113.7")] * 6
    )

    assert OneTimeCode.objects.count() == 1
    assert refusals == ["phone_code_cooldown"] * 5
