"""The batch API answers every malformed request with JSON and a 4xx (never a 5xx or an HTML page),
creates nothing when it refuses, and an Idempotency-Key makes a retried create answer as the first."""

import datetime
import json

import pytest
from django.utils import timezone

from tests.factories.traceability import days_ago, draft, seller, today
from traceability import idempotency, services
from traceability.models import ApiIdempotencyKey, Batch

pytestmark = pytest.mark.django_db

URL = "/api/v1/batches/"


@pytest.fixture
def grower(db):
    grower = seller(product_class_slug="tea", title="竹山圣水毛尖 特级 125克", sku="SY05-001")
    grower.token, grower.key = services.api_token_create(supplier=grower.supplier, name="仓库电脑")
    return grower


def _payload(grower, **fields):
    data = {
        "product": "SY05-001",
        "base_id": grower.base.pk,
        "harvest_date": days_ago(7).isoformat(),
        "best_before": (today() + datetime.timedelta(days=540)).isoformat(),
        "quantity": 60,
    }
    data.update(fields)
    return data


def _post(client, body, key, content_type="application/json", **headers):
    if not isinstance(body, str | bytes):
        body = json.dumps(body)
    return client.post(
        URL, data=body, content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {key}", **headers
    )


def _json_4xx(response, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    return body


# --- Each kind, with the status it gets ---------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "{",
        '{"a": 1,}',
        "",
        "\ufeff{}",
        '{"a": NaN}'.replace("NaN", "nan"),
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["text", "cut", "trailing comma", "blank", "bom", "bare nan", "nested 100,000 deep"],
)
def test_a_body_that_is_not_json_is_400_or_422(client, grower, body):
    response = _post(client, body, grower.key)

    _json_4xx(response)
    assert not Batch.objects.exists()


def test_a_body_that_is_not_utf8_is_400(client, grower):
    body = json.dumps(_payload(grower, notes="明前"), ensure_ascii=False).encode("gb18030")

    assert "UTF-8" in _json_4xx(_post(client, body, grower.key, HTTP_ACCEPT_LANGUAGE="en"), 400)["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("notes", "before\u0000after"), ("product", "\u0000"), ("lot_code", "A\u0000")],
)
def test_a_nul_character_in_any_text_is_422_naming_the_field(client, grower, field, value):
    response = _post(client, _payload(grower, **{field: value}), grower.key, HTTP_ACCEPT_LANGUAGE="en")

    body = _json_4xx(response, 422)
    assert "NUL" in body["errors"][field][0]
    assert not Batch.objects.exists()


def test_a_lone_surrogate_is_422_naming_the_field(client, grower):
    body = json.dumps(_payload(grower, notes="x")).replace('"x"', '"\\ud800"')

    assert "notes" in _json_4xx(_post(client, body, grower.key), 422)["errors"]


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("quantity", "1e309"),
        ("quantity", "-1e309"),
        ("quantity", "Infinity"),
        ("quantity", "NaN"),
        ("quantity", "1" + "0" * 100),
        ("base_id", "1" + "0" * 30),
        ("base_id", "9223372036854775808"),
        ("quantity", "9" * 5000),
    ],
)
def test_a_number_no_field_can_hold_is_422_naming_the_field(client, grower, field, raw):
    body = json.dumps(_payload(grower, **{field: 12345})).replace("12345", raw)

    response = _post(client, body, grower.key)

    assert field in _json_4xx(response, 422)["errors"]
    assert not Batch.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("quantity", True),
        ("quantity", "5"),
        ("quantity", 5.5),
        ("quantity", 5.0),
        ("quantity", None),
        ("quantity", [5]),
        ("quantity", {"n": 5}),
        ("quantity", 3_000_000_000),
        ("base_id", True),
        ("base_id", "1"),
        ("base_id", 0),
        ("product", 6937005000018),
        ("product", ""),
        ("product", "x" * 256),
        ("harvest_date", 1_770_000_000),
        ("harvest_date", "2026/03/01"),
        ("harvest_date", True),
        ("unit", True),
        ("unit", "ton"),
        ("notes", ["a"]),
        ("notes", "长" * 2001),
        ("lot_code", 123),
        ("inputs", "none"),
        ("inputs", [{"batch_id": 1, "quantity": True}]),
        ("inputs", [{"batch_id": 1, "quantity": "NaN"}]),
        ("inputs", [{"batch_id": 1, "quantity": "1e999"}]),
        ("inputs", [{"batch_id": 1}] * 51),
        ("qty", 5),
    ],
)
def test_a_wrong_json_type_or_value_is_422_naming_the_field(client, grower, field, value):
    response = _post(client, _payload(grower, **{field: value}), grower.key)

    body = _json_4xx(response, 422)
    assert any(name == field or name.startswith(f"{field}.") for name in body["errors"]), body
    assert not Batch.objects.exists()


def test_a_body_over_the_limit_is_413_without_being_read(client, grower):
    response = _post(client, _payload(grower, notes="x" * 70_000), grower.key, HTTP_ACCEPT_LANGUAGE="en")

    assert "64 KB" in _json_4xx(response, 413)["detail"]


def test_a_body_announced_larger_than_any_limit_is_413(client, grower):
    response = client.generic(
        "POST",
        URL,
        data=b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {grower.key}",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )

    _json_4xx(response, 413)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"],
)
def test_a_body_that_is_not_sent_as_json_is_415(client, grower, content_type):
    response = _post(client, json.dumps(_payload(grower)), grower.key, content_type=content_type)

    _json_4xx(response, 415)
    assert not Batch.objects.exists()


def test_json_with_a_charset_or_a_json_suffix_is_accepted(client, grower):
    first = _post(
        client, _payload(grower, lot_code="CS-1"), grower.key, content_type="application/json; charset=utf-8"
    )
    second = _post(
        client, _payload(grower, lot_code="CS-2"), grower.key, content_type="application/merge-patch+json"
    )

    assert (first.status_code, second.status_code) == (201, 201)


def test_a_missing_key_is_401_json_before_the_body_is_read(client, grower):
    response = client.post(URL, data="not json" * 100_000, content_type="text/plain")

    _json_4xx(response, 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nope/"),
        ("post", "/api/v1/batches"),  # no trailing slash
        ("get", "/api/v1/batches/abc/"),
        ("get", "/api/v1/%00/"),
        ("delete", "/api/v1/batches/"),
        ("put", "/api/v1/products/"),
    ],
)
def test_a_path_or_method_the_api_lacks_is_a_json_404_or_405(client, grower, method, path):
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {grower.key}")

    _json_4xx(response)
    assert response.status_code in (404, 405, 422)


@pytest.mark.parametrize("batch_id", ["0", "-1", "99999999999999999999", "9223372036854775808"])
def test_a_batch_id_out_of_range_is_4xx_json(client, grower, batch_id):
    response = client.get(f"{URL}{batch_id}/", HTTP_AUTHORIZATION=f"Bearer {grower.key}")

    _json_4xx(response)


def test_a_status_filter_with_odd_characters_is_answered(client, grower):
    draft(grower)
    for status in ("%00", "x" * 5000, "draft%00", "%ud800"):
        response = client.get(f"{URL}?status={status}", HTTP_AUTHORIZATION=f"Bearer {grower.key}")
        assert response.status_code in (200, 422) and response["Content-Type"].startswith("application/json")


# --- The property: nothing thrown at any endpoint gets a 5xx -----------------------------------------
HOSTILE_VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    2**63,
    -(2**63) - 1,
    "",
    " ",
    "5",
    "NaN",
    "\u0000",
    "\ud83d",
    "长" * 3000,
    "<script>",
    "' OR 1=1 --",
    [],
    [None],
    {},
    {"$gt": ""},
]
RAW_NUMBERS = ["1e309", "-1e309", "NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1e-400", "-0"]


def _malformed_bodies(grower):
    good = _payload(grower, inputs=[{"batch_id": 1, "quantity": "1.5", "unit": "kg"}])
    yield from ["", "null", "[]", "1", '"text"', "{}", "{{}", "[" * 5000, '{"a":' * 5000]
    for field in [*good, "inputs.0.batch_id", "inputs.0.quantity", "inputs.0.unit", "extra"]:
        for value in HOSTILE_VALUES:
            body = json.loads(json.dumps(good))
            if field.startswith("inputs.0."):
                body["inputs"][0][field.rsplit(".", 1)[1]] = value
            else:
                body[field] = value
            yield json.dumps(body)
        for raw in RAW_NUMBERS:
            body = dict(good, **{field.split(".")[0]: 424242})
            yield json.dumps(body).replace("424242", raw)
    missing = dict(good)
    for field in list(missing):
        yield json.dumps({k: v for k, v in good.items() if k != field})


def test_no_malformed_request_to_any_endpoint_gets_a_5xx_or_a_page_of_html(client, grower):
    """Every body above (about 330) posted to the create endpoint, and odd paths and queries sent to
    every endpoint, with and without a key: each answer is JSON with a status below 500."""
    draft(grower, lot_code="EXISTING")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {grower.key}"}
    answers = []
    for body in _malformed_bodies(grower):
        answers.append(client.post(URL, data=body, content_type="application/json", **auth))
    for path in ["/api/v1/products/", "/api/v1/bases/", URL, f"{URL}1/", f"{URL}x/", "/api/v1/"]:
        for method in ("get", "post", "put", "patch", "delete"):
            for headers in (
                auth,
                {},
                {"HTTP_AUTHORIZATION": "Bearer \u00e9\u0000"},
                {"HTTP_AUTHORIZATION": "Basic a"},
            ):
                answers.append(
                    client.generic(
                        method.upper(), path, data="{}", content_type="application/json", **headers
                    )
                )
    for query in ["status=%00", "status=" + "x" * 3000, "status=draft&status=published", "%ff=%fe"]:
        answers.append(client.get(f"{URL}?{query}", **auth))

    problems = [
        (a.status_code, a.get("Content-Type"), a.content[:120])
        for a in answers
        if a.status_code >= 500 or not a.get("Content-Type", "").startswith("application/json")
    ]
    assert not problems, problems[:5]
    assert len(answers) > 400
    assert Batch.objects.count() == 1 + sum(a.status_code == 201 for a in answers)


# --- Idempotency-Key ---------------------------------------------------------------------------------
def test_a_retried_create_with_the_same_key_returns_the_first_answer_and_creates_once(client, grower):
    first = _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY="4f6c-retry-1")
    retry = _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY="4f6c-retry-1")

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json() and retry["Idempotent-Replayed"] == "true"
    assert Batch.objects.count() == 1 and first.get("Idempotent-Replayed") is None


def test_a_refused_create_is_replayed_too_and_a_new_key_is_a_new_request(client, grower):
    refused = _post(client, _payload(grower, base_id=999_999), grower.key, HTTP_IDEMPOTENCY_KEY="k-422")
    again = _post(client, _payload(grower, base_id=999_999), grower.key, HTTP_IDEMPOTENCY_KEY="k-422")
    fresh = _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY="k-201")

    assert refused.status_code == again.status_code == 422 and again.json() == refused.json()
    assert fresh.status_code == 201 and Batch.objects.count() == 1


def test_the_same_key_with_a_different_body_is_refused_and_creates_nothing(client, grower):
    _post(client, _payload(grower, quantity=60), grower.key, HTTP_IDEMPOTENCY_KEY="same-key")

    response = _post(client, _payload(grower, quantity=61), grower.key, HTTP_IDEMPOTENCY_KEY="same-key")

    body = _json_4xx(response, 422)
    assert "Idempotency-Key" in body["errors"] and Batch.objects.count() == 1


def test_keys_belong_to_a_supplier(client, grower):
    rival = seller(product_class_slug="tea", title="别家的茶", sku="RIVAL-1")
    _token, rival_key = services.api_token_create(supplier=rival.supplier, name="别家")

    mine = _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY="shared-key")
    theirs = _post(
        client,
        {**_payload(grower), "product": "RIVAL-1", "base_id": rival.base.pk},
        rival_key,
        HTTP_IDEMPOTENCY_KEY="shared-key",
    )

    assert mine.status_code == theirs.status_code == 201 and Batch.objects.count() == 2


@pytest.mark.parametrize("key", ["", " ", "a b", "ключ", "x" * 256])
def test_a_malformed_key_is_422(client, grower, key):
    response = _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY=key)

    assert "Idempotency-Key" in _json_4xx(response, 422)["errors"] and not Batch.objects.exists()


def test_old_keys_are_purged_by_the_daily_job(client, grower):
    _post(client, _payload(grower), grower.key, HTTP_IDEMPOTENCY_KEY="old")
    ApiIdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    _post(client, _payload(grower, lot_code="NEW-1"), grower.key, HTTP_IDEMPOTENCY_KEY="new")

    assert idempotency.api_idempotency_keys_purge() == 1
    assert list(ApiIdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
