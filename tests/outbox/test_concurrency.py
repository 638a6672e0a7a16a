"""Two outbox sweepers at once (PostgreSQL row locks): every message is delivered exactly once.

Kept apart from tests/core/test_outbox.py: transactional tests run last, and this module sorts after
tests/e2e (a transactional test run before the browser test on the same worker breaks its live server).
"""

import threading

import pytest
from django.db import connection

from core.models import OutboxMessage
from core.outbox import outbox_sweep
from tests.core.test_outbox import calls

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_sweepers_at_once_deliver_each_message_exactly_once():
    for n in range(40):
        OutboxMessage.objects.create(kind="tests.record", key=f"race-{n}", payload={"n": n})
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            outbox_sweep()
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(call["n"] for call in calls) == list(range(40))
    assert OutboxMessage.objects.filter(state="sent").count() == 40
