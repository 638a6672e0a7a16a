"""The outbox: a side effect is recorded with its change, delivered after the commit, retried with
backoff, given up visibly, and never delivered twice; with Redis actually stopped nothing is lost."""

import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core import sms
from core.models import OutboxMessage
from core.outbox import backoff, outbox_add, outbox_deliver, outbox_handler, outbox_retry, outbox_sweep
from shop.celery_app import app as celery_app
from tests.checkout import flow
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale
from tests.factories.traceability import published, seller
from traceability.models import Recall

pytestmark = pytest.mark.django_db

calls: list[dict] = []


@outbox_handler("tests.record")
def _record(payload: dict) -> None:
    if payload.get("fail"):
        raise RuntimeError(payload["fail"])
    if payload.get("smtp_down"):
        raise ConnectionRefusedError("mail server down")
    calls.append(payload)


@pytest.fixture(autouse=True)
def _calls_emptied():
    calls.clear()
    yield
    calls.clear()


def later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


# --- Recording ---------------------------------------------------------------------------------
def test_a_message_is_delivered_after_the_commit_and_not_before():
    with TestCase.captureOnCommitCallbacks(execute=True):
        with transaction.atomic():
            outbox_add(kind="tests.record", payload={"n": 1}, key="k1")
            assert calls == []

    assert calls == [{"n": 1}]
    message = OutboxMessage.objects.get(key="k1")
    assert (message.state, message.attempts, message.sent_at is not None) == ("sent", 1, True)


def test_a_rolled_back_change_records_and_sends_nothing():
    with TestCase.captureOnCommitCallbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_add(kind="tests.record", payload={"n": 1}, key="k1")
            raise RuntimeError("the change fails after recording its side effect")

    assert calls == [] and not OutboxMessage.objects.exists()


def test_the_same_key_is_recorded_and_delivered_once():
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = outbox_add(kind="tests.record", payload={"n": 1}, key="same")
        second = outbox_add(kind="tests.record", payload={"n": 2}, key="same")

    assert first.pk == second.pk
    assert calls == [{"n": 1}]


def test_an_unknown_kind_fails_where_it_is_recorded():
    with pytest.raises(ValueError):
        outbox_add(kind="tests.no-such-kind", payload={}, key="x")


# --- Failing, retrying, giving up --------------------------------------------------------------
def test_a_failed_delivery_is_retried_with_backoff_and_then_given_up_visibly(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = outbox_add(kind="tests.record", payload={"smtp_down": True}, key="down")

    assert outbox_deliver(message_id=message.pk) == "retry"
    message.refresh_from_db()
    assert message.state == "pending" and message.attempts == 1
    assert "mail server down" in message.last_error
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=25)
    assert outbox_sweep() == {}  # not due yet
    assert outbox_sweep(now=later(1)) == {"retry": 1}
    assert outbox_sweep(now=later(10)) == {"failed": 1}
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("failed", 3)
    assert outbox_sweep(now=later(60)) == {}
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 1800, 1800]


def test_a_bug_in_a_handler_is_recorded_and_raised_in_tests():
    message = outbox_add(kind="tests.record", payload={"fail": "boom"}, key="bug")

    with pytest.raises(RuntimeError):
        outbox_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.state == "pending" and "RuntimeError: boom" in message.last_error


def test_staff_see_a_given_up_message_with_its_error_and_can_send_it_again(client, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = outbox_add(kind="tests.record", payload={"smtp_down": True}, key="given-up")
    outbox_deliver(message_id=message.pk)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:core_outboxmessage_changelist"), {"state": "failed"})
    OutboxMessage.objects.filter(pk=message.pk).update(payload={"n": 3})
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("admin:core_outboxmessage_changelist"),
            {"action": "try_again", "_selected_action": [message.pk]},
        )

    assert "given-up" in listing.content.decode() and "mail server down" in listing.content.decode()
    message.refresh_from_db()
    assert message.state == "sent" and calls == [{"n": 3}]
    assert outbox_retry(message_ids=[message.pk]) == 0  # a sent message is never sent again


def test_the_sweeper_runs_every_minute():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["core-outbox-sweep"]
    assert entry["task"] == "core.tasks.outbox_sweep_task"
    assert entry["schedule"].minute == set(range(60))


# --- Redis actually stopped --------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server of this test's own on a free port, which the test may stop and start again."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def queued(self) -> int:
        import redis

        return redis.Redis(port=self.port).llen("celery")


@pytest.fixture
def redis_stopped():
    """Celery publishes to a private Redis (not eagerly), and that Redis is then killed."""
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    server = PrivateRedis()
    server.start()
    saved = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url = server.url
    celery_app.conf.task_always_eager = False
    celery_app._after_fork()  # forget pooled connections to the old broker
    from core import outbox

    outbox._broker.down_until = 0
    server.stop()
    yield server
    server.stop()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    celery_app._after_fork()
    outbox._broker.down_until = 0


@pytest.fixture
def recaller():
    user = UserFactory(is_staff=True, email="qa@shiyan-select.example")
    user.user_permissions.add(Permission.objects.get(codename="add_recall"))
    return user


def test_a_recall_committed_while_redis_is_down_loses_no_notice_and_recovers_alone(
    client, recaller, redis_stopped
):
    # Given two buyers of a batch (one of them twice, from the same mobile number)
    tea = seller(product_class_slug="tea", title="竹溪贡茶 明前特级 100克", stock=0)
    batch = published(tea, quantity=20)
    for email, quantity in (("zhang@example.com", 1), ("li@example.com", 2), ("zhang@example.com", 1)):
        place_order(basket=basket_with((tea.product, quantity)), guest_email=email)
    client.force_login(recaller)

    # When staff recall it with Redis stopped
    started = time.monotonic()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("recall:create", args=[batch.pk]), {"reason": "农残超标"}, follow=True)
    elapsed = time.monotonic() - started

    # Then the recall is done and shown, nothing was sent, every notice waits in the outbox
    recall = Recall.objects.get()
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("recall:detail", args=[recall.pk])
    assert "农残超标" in response.content.decode()
    assert elapsed < 5  # the broker was tried once, briefly, not once per notice
    assert mail.outbox == [] and sms.outbox == []
    waiting = OutboxMessage.objects.filter(state="pending")
    assert sorted(waiting.values_list("kind", flat=True)) == [
        "core.sms",
        "traceability.recall_email",
        "traceability.recall_email",
    ]

    # When Redis is back, the next message is queued there for a worker ...
    redis_stopped.start()
    from core import outbox

    outbox._broker.down_until = 0
    with TestCase.captureOnCommitCallbacks(execute=True):
        outbox_add(kind="tests.record", payload={"n": 1}, key="after-restart")
    assert redis_stopped.queued() == 1
    # ... and the minute sweeper delivers everything that waited: exactly once, however often it runs
    outbox_sweep()
    outbox_sweep()
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "zhang@example.com"]
    [text] = sms.outbox
    assert text.to == "+8613812345678" and "召回" in text.text
    assert not OutboxMessage.objects.filter(state="pending").exists()
    assert recall.notices.filter(sent_at__isnull=False).count() == 2


def test_an_order_placed_while_redis_is_down_shows_its_page_and_gets_its_confirmation_later(
    client, redis_stopped
):
    mushrooms = product_for_sale(title="房县香菇 250克", price="39.80", stock=10)
    flow.guest_checkout_to_preview(client, mushrooms, email="li.na@example.com")

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = flow.place_order(client)
    thank_you = client.get(response["Location"])

    assert response.status_code == 302 and thank_you.status_code == 200
    assert "订单" in thank_you.content.decode()
    assert mail.outbox == []
    [message] = OutboxMessage.objects.filter(kind="order.confirmation")
    assert message.state == "pending"

    outbox_sweep()  # the next minute, with or without Redis back

    [confirmation] = mail.outbox
    assert confirmation.to == ["li.na@example.com"] and "已确认" in confirmation.subject
