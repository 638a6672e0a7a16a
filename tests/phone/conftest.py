"""Helpers for phone accounts: the codes the locmem SMS backend (core.sms) received."""

import re

import pytest

from core import sms
from tests.factories.order import product_for_sale
from tests.payment.conftest import fake_stripe  # noqa: F401  (the local fake Stripe, for card checkout)


def texted_code(number: str) -> str:
    """The newest six-digit code texted to ``number``."""
    for message in reversed(sms.outbox):
        if message.to == number:
            found = re.search(r"\b(\d{6})\b", message.text)
            if found:
                return found.group(1)
    raise AssertionError(f"no code was texted to {number}: {sms.outbox}")


@pytest.fixture
def limits(settings):
    """The code limits, small enough to reach in a test."""
    settings.PHONE_CODES = {
        "TTL_MINUTES": 5,
        "MAX_ATTEMPTS": 3,
        "RESEND_SECONDS": 60,
        "PER_NUMBER_PER_HOUR": 3,
        "PER_NETWORK_PER_HOUR": 4,
    }
    return settings.PHONE_CODES


def wrong(code: str) -> str:
    """A six-digit code that is surely not ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def mushrooms(db):
    return product_for_sale(title="房县香菇 250克", price="39.80", stock=10)
