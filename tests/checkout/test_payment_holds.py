"""Bank-transfer and pay-on-delivery orders hold their stock for a limited time; staff confirm transfers.

Expiry cancels through the one cancellation service (stock and batches back) and tells the buyer by
e-mail and SMS; a confirmed order is never expired, and when both race exactly one wins.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from core import sms
from shop.checkout import holds
from shop.checkout.payment_methods import BankTransfer, CashOnDelivery
from shop.checkout.tasks import order_holds_expire_task
from shop.payment.methods import StripeCard
from tests.checkout import flow
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale
from tests.factories.traceability import net_stock, published, seller

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def order_paid_by(method, *, product=None, quantity=2, days_ago=0, email="buyer@example.com"):
    product = product or product_for_sale(stock=10)
    order = place_order(basket=basket_with((product, quantity)), guest_email=email)
    method.order_placed(order=order)
    placed = timezone.now() - timedelta(days=days_ago, minutes=1)
    Order.objects.filter(pk=order.pk).update(date_placed=placed)
    order.refresh_from_db()
    return order


def allocated(product) -> int:
    return StockRecord.objects.get(product=product).num_allocated


def run_job():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return order_holds_expire_task()


@pytest.fixture
def staff():
    user = UserFactory(
        is_staff=True, email="finance@shiyan-select.example", first_name="财务", last_name="李"
    )
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    return user


# --- Expiry --------------------------------------------------------------------------------------
def test_a_bank_transfer_not_paid_in_3_days_is_cancelled_its_stock_released_and_the_buyer_told():
    product = product_for_sale(stock=10)
    order = order_paid_by(BankTransfer(), product=product, quantity=3, days_ago=3)
    assert allocated(product) == 3

    assert run_job() == 1

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert allocated(product) == 0
    assert order.notes.filter(message__contains="Bank transfer").exists() or order.notes.exists()
    [message] = mail.outbox
    assert message.to == ["buyer@example.com"]
    assert order.number in message.subject and "已取消" in message.subject
    assert "不会被扣款" in message.body
    [text] = sms.outbox
    assert text.to == "+8613812345678" and order.number in text.text and "取消" in text.text
    assert run_job() == 0 and len(mail.outbox) == 1  # running again changes and sends nothing


def test_orders_within_their_hold_are_kept(settings):
    settings.SHOP_PAYMENT_HOLD_MINUTES = {"bank-transfer": 3 * 24 * 60, "cash-on-delivery": 5 * 24 * 60}
    transfer = order_paid_by(BankTransfer(), days_ago=2)
    on_delivery = order_paid_by(CashOnDelivery(), days_ago=4)

    assert run_job() == 0

    assert Order.objects.get(pk=transfer.pk).status == "Pending payment"
    assert Order.objects.get(pk=on_delivery.pk).status == "Awaiting shipment"
    assert mail.outbox == [] and sms.outbox == []


def test_an_order_to_pay_on_delivery_not_shipped_in_5_days_is_cancelled_and_a_shipped_one_is_not():
    product = product_for_sale(stock=10)
    stale = order_paid_by(CashOnDelivery(), product=product, quantity=1, days_ago=5)
    shipped = order_paid_by(CashOnDelivery(), product=product, quantity=1, days_ago=6)
    shipped.set_status("Shipped")

    assert run_job() == 1

    assert Order.objects.get(pk=stale.pk).status == "Cancelled"
    assert Order.objects.get(pk=shipped.pk).status == "Shipped"
    assert allocated(product) == 1


def test_a_hold_set_to_zero_is_off_and_card_orders_are_left_to_their_own_job(settings):
    settings.SHOP_PAYMENT_HOLD_MINUTES = {"bank-transfer": 0}
    transfer = order_paid_by(BankTransfer(), days_ago=30)
    card = order_paid_by(StripeCard(), days_ago=30)

    assert run_job() == 0

    assert Order.objects.get(pk=transfer.pk).status == "Pending payment"
    assert Order.objects.get(pk=card.pk).status == "Pending payment"


def test_expiry_gives_the_units_back_to_their_batches():
    tea = seller(product_class_slug="tea", title="竹溪贡茶 明前特级 100克", stock=0)
    batch = published(tea, quantity=10)
    order = order_paid_by(BankTransfer(), product=tea.product, quantity=4, days_ago=3)
    batch.refresh_from_db()
    assert batch.quantity_remaining == 6

    run_job()

    batch.refresh_from_db()
    assert Order.objects.get(pk=order.pk).status == "Cancelled"
    assert batch.quantity_remaining == 10 and net_stock(tea.stockrecord) == 10


# --- Confirming a transfer ---------------------------------------------------------------------
def test_staff_confirm_a_transfer_the_order_is_paid_recorded_and_the_buyer_gets_a_receipt(staff):
    order = order_paid_by(BankTransfer(), days_ago=2)

    with TestCase.captureOnCommitCallbacks(execute=True):
        holds.order_bank_transfer_confirm(order=order, user=staff, reference="  ICBC 2026-12-01  0042 ")

    order.refresh_from_db()
    assert order.status == "Paid"
    source = order.sources.get()
    assert source.amount_debited == order.total_incl_tax
    assert source.transactions.get().reference == "ICBC 2026-12-01 0042"
    assert order.payment_events.get().reference == "ICBC 2026-12-01 0042"
    note = order.notes.latest("pk")
    assert note.user == staff and "ICBC 2026-12-01 0042" in note.message
    [receipt] = mail.outbox
    assert receipt.to == ["buyer@example.com"] and order.number in receipt.subject
    assert "银行转账" in receipt.body
    # A confirmed order is never expired, however late the job runs.
    assert run_job() == 0
    assert Order.objects.get(pk=order.pk).status == "Paid"


@pytest.mark.parametrize("case", ["cancelled", "paid already", "pay on delivery", "no reference"])
def test_a_transfer_is_confirmed_only_on_an_unpaid_bank_transfer_order_with_a_reference(staff, case):
    order = order_paid_by(CashOnDelivery() if case == "pay on delivery" else BankTransfer())
    if case == "cancelled":
        order.set_status("Cancelled")
    if case == "paid already":
        holds.order_bank_transfer_confirm(order=order, user=staff, reference="first")
    before = (Order.objects.get(pk=order.pk).status, order.sources.get().amount_debited)

    with pytest.raises(holds.TransferNotConfirmed) as refused:
        holds.order_bank_transfer_confirm(
            order=order, user=staff, reference="" if case == "no reference" else "x"
        )

    assert refused.value.messages[0]
    assert (Order.objects.get(pk=order.pk).status, order.sources.get().amount_debited) == before


def test_the_order_page_offers_staff_the_confirmation_and_says_what_happened(client, staff):
    order = order_paid_by(BankTransfer(), days_ago=1)
    client.force_login(staff)
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})

    page = client.get(url).content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(
            reverse("order-bank-transfer-confirm", kwargs={"number": order.number}),
            {"reference": "ICBC-0042"},
            follow=True,
        )
    again = client.post(
        reverse("order-bank-transfer-confirm", kwargs={"number": order.number}),
        {"reference": "x"},
        follow=True,
    )

    assert reverse("order-bank-transfer-confirm", kwargs={"number": order.number}) in page
    assert "已付款" in done.content.decode() or "Paid" in done.content.decode()
    assert [str(m) for m in done.context["messages"]][0].startswith(f"订单 {order.number}")
    assert "只有等待付款的订单" in [str(m) for m in again.context["messages"]][0]
    assert Order.objects.get(pk=order.pk).status == "Paid"


def test_only_staff_who_may_change_orders_confirm_transfers(client):
    order = order_paid_by(BankTransfer())
    client.force_login(UserFactory(is_staff=True))

    response = client.post(
        reverse("order-bank-transfer-confirm", kwargs={"number": order.number}), {"reference": "x"}
    )

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "Pending payment"


# --- The buyer sees the deadline ----------------------------------------------------------------
def test_the_buyer_sees_the_transfer_deadline_on_the_thank_you_page_and_in_the_confirmation(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SHOP_PAYMENT_HOLD_MINUTES = {"bank-transfer": 3 * 24 * 60}
    product = product_for_sale(stock=10)
    flow.guest_checkout_to_preview(client, product, email="li.na@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = flow.place_order(client)
    page = client.get(response["Location"]).content.decode()

    order = Order.objects.get()
    deadline = timezone.localtime(order.date_placed + timedelta(days=3))
    shown = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    assert "payment-deadline" in page and shown in page
    assert shown in mail.outbox[0].body and "自动取消" in mail.outbox[0].body
