"""Food-safety gates hold on every path to sale (issue 11): publish, release, late records (farm input,
inspection, certificate), lineage at any depth, expiry, and staff edits in the admin."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from tests.factories.order import UserFactory
from tests.factories.traceability import (
    days_ago,
    draft,
    failed_inspection,
    net_stock,
    published,
    seller,
    spray,
)
from traceability import gates, recall, services
from traceability.models import Batch, ComplianceCertificate, FarmInput

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def food_safety_staff(db):
    user = UserFactory(is_staff=True, email="qa@shiyan-select.example")
    user.user_permissions.add(Permission.objects.get(codename="add_recall"))
    return user


@pytest.fixture
def leaves(tea):
    return seller(product_class_slug="fresh-tea-leaves", title="竹溪贡茶 鲜叶", supplier=tea.supplier)


def _made_from(product_seller, source, *, lot_code, harvest=8, publish=True):
    batch = draft(
        product_seller,
        quantity=20,
        harvest=harvest,
        lot_code=lot_code,
        inputs=[services.InputSpec(source, Decimal("5"), source.unit)],
    )
    return services.batch_publish(batch=batch) if publish else batch


def _lineage(tea, leaves, depth=3):
    """leaf (published) → tea → blend → …, each published; returns the list, the leaf first."""
    chain = [published(leaves, quantity=300, unit="kg", harvest=20, lot_code="LEAF-0")]
    for level in range(1, depth):
        product = (
            tea
            if level == 1
            else seller(product_class_slug="tea", title=f"竹溪 拼配茶 {level}", supplier=tea.supplier)
        )
        chain.append(_made_from(product, chain[-1], lot_code=f"LEVEL-{level}", harvest=20 - level))
    return chain


def _status(batch):
    fresh = Batch.objects.get(pk=batch.pk)
    return fresh.status, fresh.hold_kind


def _notices():
    return sorted(
        (m.payload["batch_id"], m.payload["audience"])
        for m in OutboxMessage.objects.filter(kind="traceability.gate_hold")
    )


# --- Publish ----------------------------------------------------------------------------------------
def test_publish_is_refused_while_an_input_at_any_depth_fails_a_gate(tea, leaves):
    leaf = published(leaves, quantity=300, unit="kg", harvest=20, lot_code="LEAF-0")
    middle = _made_from(tea, leaf, lot_code="MID-1", harvest=15)
    blend_seller = seller(product_class_slug="tea", title="竹溪 拼配茶", supplier=tea.supplier)
    blend = _made_from(blend_seller, middle, lot_code="TOP-2", harvest=10, publish=False)
    failed_inspection(leaf, number="HB-LEAF-1")  # two levels down

    with pytest.raises(ValidationError) as refused:
        services.batch_publish(batch=blend)

    assert "LEAF-0" in str(refused.value) and "HB-LEAF-1" in str(refused.value)
    assert Batch.objects.get(pk=blend.pk).status == "draft"


@pytest.mark.parametrize("kind", ["hold", "recall"])
def test_publish_is_refused_while_an_input_is_on_hold_or_recalled(tea, leaves, kind):
    leaf = published(leaves, quantity=300, unit="kg", harvest=20, lot_code="LEAF-0")
    made = draft(tea, quantity=20, harvest=8, inputs=[services.InputSpec(leaf, Decimal("5"), "kg")])
    if kind == "hold":
        services.batch_hold(batch=leaf, reason="复检中")
    else:
        recall.batch_recall(batch=leaf, reason="铅超标")
        # The recall took the draft with it; even put back to draft it stays refused.
        Batch.objects.filter(pk=made.pk).update(status="draft", trace_code=None)

    with pytest.raises(ValidationError) as refused:
        services.batch_publish(batch=made)

    assert "LEAF-0" in str(refused.value)


def test_publish_is_refused_without_the_certificate_the_product_class_needs(mushrooms):
    batch = draft(mushrooms)

    with pytest.raises(ValidationError, match="承诺达标合格证"):
        services.batch_publish(batch=batch)


# --- Late records -------------------------------------------------------------------------------------
def test_a_late_farm_input_holds_the_batch_and_every_descendant_and_tells_the_cooperative_and_staff(
    tea, leaves, food_safety_staff, django_capture_on_commit_callbacks
):
    leaf, middle, top = _lineage(tea, leaves, depth=3)
    other = published(tea, quantity=10, harvest=30, lot_code="OLD-1")  # harvested before the spray
    stock_before = net_stock(tea.stockrecord)

    with django_capture_on_commit_callbacks(execute=True):
        spray(leaves.base, applied_days_ago=22, interval=7, product=leaves.product)

    for batch in (leaf, middle, top):
        assert _status(batch) == ("on_hold", "gate")
    assert "10%吡虫啉可湿性粉剂" in Batch.objects.get(pk=top.pk).status_reason
    assert "LEAF-0" in Batch.objects.get(pk=top.pk).status_reason
    assert _status(other) == ("published", "")
    assert net_stock(tea.stockrecord) == stock_before - 20  # what remained of the held tea batch
    assert _notices() == sorted((b.pk, who) for b in (leaf, middle, top) for who in ("supplier", "staff"))
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients.count(food_safety_staff.email) == 3
    assert recipients.count(tea.supplier.email) == 3
    assert any("LEAF-0" in message.subject for message in mail.outbox)


def test_a_late_failed_inspection_of_an_input_holds_what_was_made_from_it(tea, leaves):
    leaf, middle, top = _lineage(tea, leaves, depth=3)

    failed_inspection(leaf, number="HB-2026-0001")

    for batch in (leaf, middle, top):
        assert _status(batch) == ("on_hold", "gate")
    assert "HB-2026-0001" in Batch.objects.get(pk=middle.pk).status_reason


def test_a_late_failed_inspection_of_a_sold_out_input_still_holds_its_descendants(tea, leaves):
    leaf, middle = _lineage(tea, leaves, depth=2)
    Batch.objects.filter(pk=leaf.pk).update(status="sold_out", quantity_remaining=0)

    failed_inspection(leaf)

    assert _status(leaf) == ("on_hold", "gate")  # a cancelled order cannot put it back on sale
    assert _status(middle) == ("on_hold", "gate")


def test_a_farm_input_outside_the_interval_or_on_another_crop_holds_nothing(tea, leaves):
    batch = published(tea, quantity=10, harvest=10)
    spray(tea.base, applied_days_ago=30, interval=7)  # interval over 23 days ago
    spray(tea.base, applied_days_ago=12, interval=7, product=leaves.product)  # another crop

    assert _status(batch) == ("published", "")
    assert OutboxMessage.objects.filter(kind="traceability.gate_hold").count() == 0


# --- Release ---------------------------------------------------------------------------------------
def test_release_is_refused_while_a_gate_fails_and_allowed_once_it_passes(tea, leaves):
    leaf, made = _lineage(tea, leaves, depth=2)
    services.batch_hold(batch=leaf, reason="复检")
    services.batch_hold(batch=made, reason="随原料一起复检")

    with pytest.raises(ValidationError, match="LEAF-0"):
        services.batch_release(batch=made)

    services.batch_release(batch=leaf)
    services.batch_release(batch=made)
    assert _status(made) == ("published", "")


def test_release_of_a_gate_hold_is_refused_until_the_cause_is_gone(tea):
    batch = published(tea, quantity=10, harvest=5)
    farm_input = spray(tea.base, applied_days_ago=6, interval=7)
    assert _status(batch) == ("on_hold", "gate")

    with pytest.raises(ValidationError, match="吡虫啉"):
        services.batch_release(batch=batch)

    # The record was wrong (the pesticide went on another plot's crop): corrected, the batch may go back.
    FarmInput.objects.filter(pk=farm_input.pk).update(product=seller().product)
    services.batch_release(batch=batch, reason="投入品记录更正")
    assert _status(batch) == ("published", "")


# --- Staff edits -----------------------------------------------------------------------------------
def test_a_farm_input_added_by_staff_in_the_admin_holds_the_batch(client, tea):
    batch = published(tea, quantity=10, harvest=3)
    admin = UserFactory(is_staff=True, is_superuser=True, email="admin@shiyan-select.example")
    client.force_login(admin)

    response = client.post(
        reverse("admin:traceability_farminput_add"),
        {
            "base": tea.base.pk,
            "kind": "pesticide",
            "name": "阿维菌素",
            "dose": "10毫升/亩",
            "applied_on": days_ago(5).isoformat(),
            "pre_harvest_interval_days": 14,
            "plot": "",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    assert _status(batch) == ("on_hold", "gate")
    assert "阿维菌素" in Batch.objects.get(pk=batch.pk).status_reason


def test_gate_findings_are_empty_for_a_clean_lineage(tea, leaves):
    chain = _lineage(tea, leaves, depth=3)

    assert all(gates.batch_gate_findings(batch) == [] for batch in chain)


# --- Expiry ----------------------------------------------------------------------------------------
def _expire(batch, days=1):
    Batch.objects.filter(pk=batch.pk).update(best_before=days_ago(days))


def test_an_expired_batch_is_never_allocated_and_the_earliest_unexpired_goes_first(tea):
    from tests.factories.order import basket_with, place_order
    from traceability.models import BatchAllocation

    expired = published(tea, quantity=10, lot_code="EXP-1", best_before_in=30)
    late = published(tea, quantity=10, lot_code="LATE-1", best_before_in=200)
    early = published(tea, quantity=10, lot_code="EARLY-1", best_before_in=100)
    _expire(expired)

    order = place_order(basket=basket_with((tea.product, 12)))

    taken = {a.batch.lot_code: a.quantity for a in BatchAllocation.objects.filter(line__order=order)}
    assert taken == {"EARLY-1": 10, "LATE-1": 2}
    assert Batch.objects.get(pk=expired.pk).quantity_remaining == 10
    assert Batch.objects.get(pk=early.pk).status == "sold_out"
    assert Batch.objects.get(pk=late.pk).quantity_remaining == 8


def test_an_order_only_expired_batches_could_fill_is_refused(tea):
    from shop.order.exceptions import InsufficientStock
    from tests.factories.order import basket_with, place_order

    expired = published(tea, quantity=10)
    _expire(expired)

    with pytest.raises(InsufficientStock):
        place_order(basket=basket_with((tea.product, 1)))
    assert Batch.objects.get(pk=expired.pk).quantity_remaining == 10


def test_the_daily_job_holds_batches_past_best_before_once(tea):
    expired = published(tea, quantity=10, lot_code="EXP-1")
    fresh = published(tea, quantity=5, lot_code="FRESH-1")
    _expire(expired)

    assert services.batches_expiry_hold() == {"expired": 1, "certificate": 0}
    assert services.batches_expiry_hold() == {"expired": 0, "certificate": 0}

    assert _status(expired) == ("on_hold", "expired")
    assert _status(fresh) == ("published", "")
    assert net_stock(tea.stockrecord) == 5
    with pytest.raises(ValidationError):
        services.batch_release(batch=expired)


def test_the_daily_job_is_on_the_beat_schedule():
    from shop.schedule import CELERY_BEAT_SCHEDULE

    entry = CELERY_BEAT_SCHEDULE["traceability-batches-expiry-hold"]
    assert entry["task"] == "traceability.tasks.batches_expiry_hold_task"


def test_a_certificate_that_expires_holds_the_batch_through_the_daily_job(mushrooms):
    from tests.factories.traceability import certificate

    batch = draft(mushrooms)
    certificate(batch, valid_until=days_ago(-1))  # valid until tomorrow
    services.batch_publish(batch=batch)
    ComplianceCertificate.objects.filter(batch=batch).update(valid_until=days_ago(1))

    assert services.batches_expiry_hold() == {"expired": 0, "certificate": 1}

    assert _status(batch) == ("on_hold", "gate")
    assert OutboxMessage.objects.filter(kind="traceability.gate_hold").count() == 2


def test_a_batch_with_an_expired_certificate_cannot_be_published(mushrooms):
    from tests.factories.traceability import certificate

    batch = draft(mushrooms)
    certificate(batch, issued_at=timezone.now() - datetime.timedelta(days=9), valid_until=days_ago(2))

    with pytest.raises(ValidationError, match="HGZ"):
        services.batch_publish(batch=batch)


def test_staff_shortening_a_certificate_in_the_admin_holds_the_batch(client, mushrooms):
    from tests.factories.traceability import certificate

    batch = draft(mushrooms)
    issued = certificate(batch, issued_at=timezone.now() - datetime.timedelta(days=9))
    services.batch_publish(batch=batch)
    client.force_login(UserFactory(is_staff=True, is_superuser=True, email="admin@shiyan-select.example"))

    response = client.post(
        reverse("admin:traceability_compliancecertificate_change", args=[issued.pk]),
        {"valid_until": days_ago(1).isoformat()},
    )

    assert response.status_code == 302, response.content[:2000]
    assert _status(batch) == ("on_hold", "gate")
