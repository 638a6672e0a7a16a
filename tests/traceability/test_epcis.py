"""/t/<code>/epcis.json is an EPCIS 2.0 JSON-LD document that GS1's own JSON schema accepts."""

import datetime
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from jsonschema import Draft7Validator, FormatChecker

from tests.factories.traceability import (
    certificate,
    draft,
    failed_inspection,
    passed_inspection,
    published,
    seller,
)
from traceability import services
from traceability.models import BizStep

pytestmark = pytest.mark.django_db

STANDARD = Path(__file__).resolve().parents[2] / "traceability" / "standards" / "epcis-2.0"

# jsonschema checks "uri" and "date-time" only with optional packages; these two follow RFC 3986
# (a scheme, then no spaces) and RFC 3339 (what EPCIS times are), so the formats are checked too.
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FORMATS = FormatChecker()
FORMATS.checks("uri")(lambda value: not isinstance(value, str) or bool(_URI.match(value)))
FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or bool(_DATE_TIME.match(value)))


def _validator():
    schema = json.loads((STANDARD / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema, format_checker=FORMATS)


def _errors(document) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document)]


@pytest.mark.parametrize("example", sorted(p.name for p in (STANDARD / "examples").glob("*.jsonld")))
def test_gs1s_own_examples_pass_the_validator_used_here(example):
    assert _errors(json.loads((STANDARD / "examples" / example).read_text(encoding="utf-8"))) == []


def test_the_validator_used_here_catches_a_broken_document():
    broken = {
        "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "yesterday",
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-01-01T00:00:00+08:00",
                    "eventTimeZoneOffset": "+8",
                    "action": "LOOK",
                    "epcList": [],
                }
            ]
        },
    }

    assert len(_errors(broken)) >= 3


def _export(client, batch) -> dict:
    response = client.get(f"/t/{batch.trace_code}/epcis.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return json.loads(response.content)


def test_a_batchs_events_export_as_a_valid_epcis_document_with_digital_link_ids(client, mushrooms, settings):
    settings.SHOP_BASE_URL = "https://shop.example.cn"
    product = mushrooms.product
    product.gtin = "6937001000019"
    product.save()
    batch = draft(mushrooms, quantity=40, lot_code="FX/2604-1")
    certificate(batch, basis="lab_test", inspection=passed_inspection(batch, number="SY-1"))
    batch = services.batch_publish(batch=batch)
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.SHIPPING,
        event_time=timezone.now() - datetime.timedelta(hours=1),
        place="十堰冷链物流中心",
        actor="顺丰冷运",
        details={"note": "冷藏车 4℃"},
    )

    document = _export(client, batch)

    assert _errors(document) == []
    events = document["epcisBody"]["eventList"]
    assert [e["bizStep"] for e in events] == [
        "inspecting",
        "commissioning",
        "packing",
        "stocking",
        "shipping",
    ]
    commissioning = events[1]
    assert commissioning["quantityList"] == [
        {"epcClass": "https://id.gs1.org/01/06937001000019/10/FX%2F2604-1", "quantity": 40.0}
    ]
    assert commissioning["eventTimeZoneOffset"] == "+08:00" and commissioning["eventTime"].endswith("+08:00")
    assert commissioning["bizLocation"]["id"].startswith("https://shop.example.cn/shop/suppliers/")
    assert commissioning["ilmd"]["shiyan:lotNumber"] == "FX/2604-1"
    assert events[0]["disposition"] == "conformant" and events[0]["certificationInfo"].startswith("https://")
    assert events[4]["shiyan:place"] == "十堰冷链物流中心" and events[4]["shiyan:details"] == {
        "note": "冷藏车 4℃"
    }
    assert [e["shiyan:sequence"] for e in events] == [1, 2, 3, 4, 5]
    assert events[4]["shiyan:previousHash"] == events[3]["shiyan:contentHash"]


def test_a_transformation_a_correction_and_a_failed_inspection_export_validly(client, tea):
    leaves = seller(product_class_slug="fresh-tea-leaves", title="竹溪贡茶 鲜叶", supplier=tea.supplier)
    leaf = published(leaves, quantity=300, unit="kg", harvest=12)
    batch = published(tea, harvest=10, inputs=[services.InputSpec(leaf, Decimal("280"), "jin")])
    wrong = services.trace_event_record(
        batch=batch,
        biz_step=BizStep.SHIPPING,
        event_time=timezone.now() - datetime.timedelta(hours=2),
        place="武汉",
    )
    right = services.trace_event_correct(event=wrong, reason="目的地写错", place="北京")
    failed_inspection(batch)

    document = _export(client, batch)

    assert _errors(document) == []
    events = {e["eventID"]: e for e in document["epcisBody"]["eventList"]}
    transformation = next(e for e in events.values() if e["type"] == "TransformationEvent")
    assert "action" not in transformation
    assert (
        transformation["inputQuantityList"][0]["uom"] == "KGM"
        and transformation["inputQuantityList"][0]["quantity"] == 140.0
    )
    corrected = events[f"urn:uuid:{wrong.event_id}"]
    assert corrected["errorDeclaration"]["correctiveEventIDs"] == [f"urn:uuid:{right.event_id}"]
    assert any(e.get("disposition") == "non_conformant" for e in events.values())
    assert any(e.get("bizStep") == "holding" for e in events.values())


def test_a_packing_event_into_a_case_exports_as_an_aggregation_event(client, tea):
    batch = published(tea)
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.PACKING,
        event_time=timezone.now(),
        base=tea.base,
        parent_id="https://id.gs1.org/00/069370040000000017",
    )

    document = _export(client, batch)

    assert _errors(document) == []
    aggregation = document["epcisBody"]["eventList"][-1]
    assert aggregation["type"] == "AggregationEvent" and aggregation["parentID"].endswith("0017")


def test_an_unknown_code_has_no_export(client):
    assert client.get("/t/NoSuchCode123456/epcis.json").status_code == 404
