"""Idempotency-Key on PostgreSQL: six concurrent retries of one create make one batch, and all six
get the first answer (the key's unique row makes the others wait, then replay)."""

import datetime
import json
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from tests.factories.traceability import days_ago, seller, today
from traceability import services
from traceability.models import ApiIdempotencyKey, Batch

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

URL = "/api/v1/batches/"


def _payload(grower):
    return {
        "product": "SY05-001",
        "base_id": grower.base.pk,
        "harvest_date": days_ago(7).isoformat(),
        "best_before": (today() + datetime.timedelta(days=540)).isoformat(),
        "quantity": 60,
    }


def test_concurrent_retries_with_one_key_create_one_batch_on_postgresql():
    grower = seller(product_class_slug="tea", title="竹山圣水毛尖 特级 125克", sku="SY05-001")
    _token, key = services.api_token_create(supplier=grower.supplier, name="并发")
    body = json.dumps(_payload(grower))
    barrier = threading.Barrier(6)
    answers = [None] * 6

    def retry(index):
        try:
            barrier.wait()
            answers[index] = Client().post(
                URL,
                data=body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {key}",
                HTTP_IDEMPOTENCY_KEY="race-1",
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=retry, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [a.status_code for a in answers] == [201] * 6
    assert len({a.content for a in answers}) == 1
    assert Batch.objects.count() == 1 and ApiIdempotencyKey.objects.count() == 1
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == 5


def test_two_creates_racing_for_one_lot_code_get_one_batch_and_a_json_4xx():
    grower = seller(product_class_slug="tea", title="竹山圣水毛尖 特级 125克", sku="SY05-001")
    _token, key = services.api_token_create(supplier=grower.supplier, name="并发")
    body = json.dumps({**_payload(grower), "lot_code": "RACE-LOT"})
    barrier = threading.Barrier(4)
    answers = [None] * 4

    def create(index):
        try:
            barrier.wait()
            answers[index] = Client().post(
                URL, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
            )
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 1 and all(s in (201, 409, 422) for s in statuses), statuses
    assert all(a["Content-Type"].startswith("application/json") for a in answers)
    assert Batch.objects.filter(lot_code="RACE-LOT").count() == 1
