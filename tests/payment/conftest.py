"""Fixtures for card payments: a running fake Stripe, signed webhook delivery, buyers and staff."""

import json
import os

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase
from oscar.test.factories import UserFactory

from tests.payment.fake_stripe import FakeStripe, sign

WEBHOOK_SECRET = "whsec_test_fake_secret"
WEBHOOK_URL = "/payments/stripe/webhook/"


def pytest_collection_modifyitems(config, items):
    """``postgres`` tests need row locks: skipped on SQLite, unless POSTGRES_REQUIRED=1 says fail."""
    if connection.vendor == "postgresql" or os.environ.get("POSTGRES_REQUIRED") == "1":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def fake_stripe(settings):
    """A fake Stripe over HTTP, with the shop's keys and STRIPE_API_BASE pointing at it."""
    fake = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0  # our own retries are under test, not the client's
    settings.STRIPE_TIMEOUT_SECONDS = 2
    yield fake
    fake.stop()


def deliver(client, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, body=None):
    """POST an event to the webhook as Stripe does: raw JSON body, ``Stripe-Signature`` header.

    What the view queues on commit runs too (the test's transaction never commits), and with
    Celery eager that is the processing task and the e-mail it queues.
    """
    payload = body if body is not None else json.dumps(event)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            WEBHOOK_URL,
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": sign(payload, secret, timestamp)},
        )


@pytest.fixture
def buyer(db):
    return UserFactory(email="buyer@example.com")


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def staff_client(client, db):
    staff = UserFactory(email="staff@example.com", is_staff=True)
    # What Oscar's order pages ask of staff, beyond is_staff.
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    client.force_login(staff)
    client.staff = staff
    return client
