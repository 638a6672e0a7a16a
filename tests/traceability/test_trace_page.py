"""The public trace page /t/<code>/: what a buyer scanning the QR sees, how fast, and what it never shows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories.order import basket_with, place_order
from tests.factories.suppliers import BasePhotoFactory
from tests.factories.traceability import certificate, draft, passed_inspection, published, seller
from tests.traceability.conftest import clear_trace_caches
from traceability import services
from traceability.models import Batch, BatchAllocation, BizStep, TraceEvent

pytestmark = pytest.mark.django_db

TRACE_PAGE_MAX_QUERIES = 10


@pytest.fixture
def full_batch(mushrooms):
    """A published batch of dried shiitake with photos, an inspection, a certificate and a shipment."""
    BasePhotoFactory(base=mushrooms.base, caption="菇棚")
    BasePhotoFactory(base=mushrooms.base, caption="晾晒场")
    batch = draft(mushrooms, quantity=60, lot_code="FX-XG-2604")
    inspection = passed_inspection(batch, number="SYJC-2026-0412")
    certificate(batch, basis="lab_test", inspection=inspection)
    batch = services.batch_publish(batch=batch)
    services.trace_event_record(
        batch=batch,
        biz_step=BizStep.SHIPPING,
        event_time=timezone.now() - datetime.timedelta(hours=3),
        place="十堰冷链物流中心",
        actor="顺丰冷运",
    )
    return batch


def test_the_trace_page_shows_product_cooperative_base_dates_inspection_certificate_and_timeline(
    client, full_batch
):
    response = client.get(f"/t/{full_batch.trace_code}/")

    page = response.content.decode()
    assert response.status_code == 200
    for text in (
        "房县花菇 特级 250克",
        "FX-XG-2604",
        full_batch.base.name,
        full_batch.base.supplier.legal_name,
        full_batch.base.supplier.get_absolute_url(),
        str(full_batch.harvest_date),
        str(full_batch.best_before),
        "承诺达标合格证",
        "SYJC-2026-0412",
        "吡虫啉",
        "十堰冷链物流中心",
        "顺丰冷运",
        "菇棚",
        "sup-map",
    ):
        assert text in page, text
    assert "SHA-256" in page and 'class="tr-verified"' in page


def test_the_trace_page_is_in_chinese_by_default_and_in_english_on_request(client, full_batch):
    chinese = client.get(f"/t/{full_batch.trace_code}/").content.decode()
    english = client.get(f"/t/{full_batch.trace_code}/?lang=en").content.decode()

    assert "检测结果" in chinese and 'lang="zh-hans"' in chinese
    assert "Inspection results" in english and 'lang="en"' in english


def test_the_trace_page_costs_at_most_10_queries_uncached_and_none_cached(
    client, full_batch, django_assert_max_num_queries
):
    url = f"/t/{full_batch.trace_code}/"
    client.get(url)
    clear_trace_caches()

    with django_assert_max_num_queries(TRACE_PAGE_MAX_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(0):
        assert client.get(url).status_code == 200


def test_the_query_count_does_not_grow_with_events_inspections_or_lineage(client, mushrooms):
    def uncached_queries(batch):
        clear_trace_caches()
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/t/{batch.trace_code}/")
        return len(queries)

    small = draft(mushrooms, quantity=5)
    passed_inspection(small, number="S-1")
    certificate(small)
    small = services.batch_publish(batch=small)
    big = draft(mushrooms, quantity=50, inputs=[services.InputSpec(small, Decimal(1), "kg")])
    for n in range(4):
        passed_inspection(big, number=f"N-{n}")
    certificate(big)
    big = services.batch_publish(batch=big)
    for hours in range(8):
        services.trace_event_record(
            batch=big,
            biz_step=BizStep.STORING,
            event_time=timezone.now() - datetime.timedelta(hours=hours + 1),
            base=mushrooms.base,
        )

    assert uncached_queries(big) == uncached_queries(small) <= TRACE_PAGE_MAX_QUERIES


def test_a_new_event_shows_at_once_although_the_page_is_cached(client, full_batch):
    url = f"/t/{full_batch.trace_code}/"
    assert "北京新发地" not in client.get(url).content.decode()

    services.trace_event_record(
        batch=full_batch,
        biz_step=BizStep.RECEIVING,
        event_time=timezone.now(),
        place="北京新发地",
        actor="王小明",
    )

    assert "北京新发地" in client.get(url).content.decode()


def test_a_change_behind_the_services_back_shows_once_the_caches_expire_within_five_seconds(
    full_batch, client
):
    from traceability.selectors import (
        TRACE_PAGE_CACHE_SECONDS,
        TRACE_PAGE_LOCAL_SECONDS,
        TRACE_PAGE_MAX_STALE_SECONDS,
    )

    url = f"/t/{full_batch.trace_code}/"
    response = client.get(url)
    Batch.objects.filter(pk=full_batch.pk).update(status="on_hold", status_reason="改在服务之外")

    cached = client.get(url).content.decode()
    clear_trace_caches()  # what the caches' lifetimes do
    fresh = client.get(url).content.decode()

    assert TRACE_PAGE_CACHE_SECONDS + TRACE_PAGE_LOCAL_SECONDS == TRACE_PAGE_MAX_STALE_SECONDS <= 5
    assert "max-age=0" in response["Cache-Control"]
    assert "改在服务之外" not in cached and "改在服务之外" in fresh


def test_a_recalled_batch_shows_the_recall_notice_above_everything(client, full_batch):
    Batch.objects.filter(pk=full_batch.pk).update(status="recalled", status_reason="铅含量超标，请停止食用")
    full_batch.refresh_from_db()
    full_batch.save()  # a status change made through save() forgets the cached page

    page = client.get(f"/t/{full_batch.trace_code}/").content.decode()

    assert "铅含量超标，请停止食用" in page
    notice = page.index("tr-alert--recall")
    assert notice < page.index("<h1>") and notice < page.index("tr-hero")


def test_a_tampered_chain_is_shown_on_the_page(client, full_batch):
    shipping = full_batch.events.get(biz_step="shipping")
    TraceEvent.objects.filter(pk=shipping.pk).update(place="伪造的仓库")
    clear_trace_caches()

    page = client.get(f"/t/{full_batch.trace_code}/").content.decode()

    assert "tr-alert--tampered" in page and 'class="tr-verified"' not in page
    assert f"{shipping.sequence}" in page


def test_an_unknown_or_draft_code_gets_a_friendly_404(client, tea):
    batch = draft(tea)
    Batch.objects.filter(pk=batch.pk).update(trace_code="DraftCodeNotLive1")

    for code in ("NoSuchCode123456", "DraftCodeNotLive1", "bad$code"):
        response = client.get(f"/t/{code}/")
        assert response.status_code == 404
        assert "/t/lookup/" in response.content.decode()


def test_the_lookup_form_takes_a_typed_code_to_its_page(client, full_batch):
    response = client.get("/t/lookup/", {"code": f" {full_batch.trace_code} "})

    assert response.status_code == 302 and response["Location"] == f"/t/{full_batch.trace_code}/"


def test_the_trace_page_never_shows_buyers_or_orders(client, tea):
    batch = published(tea, quantity=10)
    order = place_order(basket=basket_with((tea.product, 2)), guest_email="secret-buyer@example.com")
    assert BatchAllocation.objects.get(line__order=order).batch == batch  # placing allocated it
    clear_trace_caches()

    page = client.get(f"/t/{batch.trace_code}/").content.decode()

    assert order.number not in page
    assert "secret-buyer@example.com" not in page
    assert order.shipping_address.last_name not in page and "SOHO" not in page


def test_lineage_shows_inputs_and_outputs_with_their_trace_links(client, tea):
    leaves = seller(product_class_slug="fresh-tea-leaves", title="竹溪贡茶 鲜叶", supplier=tea.supplier)
    leaf = published(leaves, quantity=300, unit="kg", harvest=12)
    made = published(tea, harvest=10, inputs=[services.InputSpec(leaf, Decimal("280"), "kg")])

    made_page = client.get(f"/t/{made.trace_code}/").content.decode()
    leaf_page = client.get(f"/t/{leaf.trace_code}/").content.decode()

    assert leaf.lot_code in made_page and f"/t/{leaf.trace_code}/" in made_page and "280" in made_page
    assert made.lot_code in leaf_page and f"/t/{made.trace_code}/" in leaf_page


def test_a_batch_on_hold_says_so(client, tea):
    batch = services.batch_hold(batch=published(tea), reason="等待复检")

    page = client.get(f"/t/{batch.trace_code}/").content.decode()

    assert "tr-alert--hold" in page and "等待复检" in page
