"""The token-authenticated batch API: clear JSON errors, a supplier's key reaches only its own rows,
nothing is created by a refused request, and the OpenAPI schema describes it."""

import datetime
import json

import pytest

from tests.factories.traceability import days_ago, draft, seller, today
from traceability import services
from traceability.models import Batch

pytestmark = pytest.mark.django_db

URL = "/api/v1/batches/"


@pytest.fixture
def grower(db):
    grower = seller(
        product_class_slug="tea", title="竹山圣水毛尖 特级 125克", sku="SY05-001", gtin="6937005000018"
    )
    grower.token, grower.key = services.api_token_create(supplier=grower.supplier, name="仓库电脑")
    return grower


@pytest.fixture
def rival(db):
    rival = seller(product_class_slug="tea", title="别家的茶", sku="RIVAL-1")
    rival.token, rival.key = services.api_token_create(supplier=rival.supplier, name="别家")
    return rival


def _payload(grower, **fields):
    data = {
        "product": "SY05-001",
        "base_id": grower.base.pk,
        "harvest_date": days_ago(7).isoformat(),
        "packing_date": days_ago(6).isoformat(),
        "best_before": (today() + datetime.timedelta(days=540)).isoformat(),
        "quantity": 60,
    }
    data.update(fields)
    return data


def _post(client, data, key=None, **headers):
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.post(URL, data=json.dumps(data), content_type="application/json", **headers)


def test_a_batch_is_created_with_a_valid_key(client, grower):
    response = _post(client, _payload(grower, lot_code="API-1", unit="piece"), grower.key)

    body = response.json()
    assert response.status_code == 201
    assert (body["lot_code"], body["status"], body["quantity"], body["trace_code"]) == (
        "API-1",
        "draft",
        60,
        None,
    )
    batch = Batch.objects.get()
    assert batch.product == grower.product and batch.base == grower.base
    grower.token.refresh_from_db()
    assert grower.token.last_used_at is not None


def test_a_missing_key_is_refused_with_a_clear_json_error(client, grower):
    response = _post(client, _payload(grower), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
    assert "Authorization: Bearer" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Batch.objects.exists()


@pytest.mark.parametrize("key", ["shy_wrong", "", "Basic abc"])
def test_an_unknown_key_is_refused(client, grower, key):
    response = client.post(
        URL,
        data=json.dumps(_payload(grower)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )

    assert response.status_code == 401 and response.json()["detail"]
    assert not Batch.objects.exists()


def test_a_revoked_key_is_refused(client, grower):
    services.api_token_revoke(token=grower.token)

    response = _post(client, _payload(grower), grower.key, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_another_suppliers_key_cannot_use_this_suppliers_product_or_base(client, grower, rival):
    response = _post(client, _payload(grower), rival.key, HTTP_ACCEPT_LANGUAGE="en")

    errors = response.json()["errors"]
    assert response.status_code == 422
    assert "another supplier" in errors["product"][0] and str(grower.base.pk) in errors["base_id"][0]
    assert not Batch.objects.exists()


def test_another_suppliers_batch_is_not_found_and_not_listed(client, grower, rival):
    theirs = draft(rival)

    detail = client.get(f"{URL}{theirs.pk}/", HTTP_AUTHORIZATION=f"Bearer {grower.key}")
    listing = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {grower.key}")

    assert detail.status_code == 404 and detail.json()["detail"]
    assert listing.status_code == 200 and listing.json() == []


def test_an_input_batch_of_another_supplier_is_refused(client, grower, rival):
    theirs = draft(rival)

    response = _post(
        client, _payload(grower, inputs=[{"batch_id": theirs.pk, "quantity": "5", "unit": "kg"}]), grower.key
    )

    assert response.status_code == 422 and "inputs" in response.json()["errors"]
    assert Batch.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"harvest_date": "2026-02-30"}, "harvest_date"),
        ({"quantity": "many"}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -4}, "quantity"),
        ({"lot_code": "批次一"}, "lot_code"),
        ({"best_before": "2001-01-01"}, "best_before"),
        (
            {"harvest_date": (today() + datetime.timedelta(days=2)).isoformat(), "packing_date": None},
            "harvest_date",
        ),
        ({"unit": "ton"}, "unit"),
        ({"product": "NOPE"}, "product"),
    ],
)
def test_a_bad_payload_gets_422_with_the_field_named_and_nothing_is_created(client, grower, changes, field):
    response = _post(client, _payload(grower, **changes), grower.key)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and field in body["errors"], body
    assert not Batch.objects.exists()


def test_a_missing_field_or_a_body_that_is_not_json_is_422(client, grower):
    data = _payload(grower)
    del data["best_before"]

    missing = _post(client, data, grower.key)
    garbage = client.post(
        URL, data="not json", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {grower.key}"
    )

    assert missing.status_code == 422 and "best_before" in missing.json()["errors"]
    assert garbage.status_code in (400, 422) and garbage["Content-Type"].startswith("application/json")
    assert not Batch.objects.exists()


def test_errors_come_in_the_requested_language(client, grower):
    chinese = _post(client, _payload(grower, quantity=0), grower.key, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert (
        "数量" in chinese.json()["errors"]["quantity"][0] or "大于" in chinese.json()["errors"]["quantity"][0]
    )


def test_the_products_and_bases_endpoints_list_what_a_batch_can_be_of(client, grower, rival):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {grower.key}"}

    products = client.get("/api/v1/products/", **auth).json()
    bases = client.get("/api/v1/bases/", **auth).json()

    assert [p["sku"] for p in products] == ["SY05-001"]
    assert [b["id"] for b in bases] == [grower.base.pk]


def test_the_openapi_schema_documents_the_batch_api_and_its_key(client):
    response = client.get("/api/v1/openapi.json")

    schema = response.json()
    assert response.status_code == 200 and schema["openapi"].startswith("3.")
    create = schema["paths"]["/api/v1/batches/"]["post"]
    assert {"201", "422"} <= set(create["responses"])
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"product", "base_id", "harvest_date", "best_before", "quantity"} <= set(
        schema["components"]["schemas"][body]["required"]
    )
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/ninja/swagger-ui-bundle" in page and "cdn." not in page, "Swagger UI is served by us"
