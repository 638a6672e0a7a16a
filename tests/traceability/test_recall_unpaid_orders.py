"""A recalled line on an order nobody has paid for yet is not billed: the line comes off, the totals
(and a pending card payment) go down, an order left with nothing is cancelled, and the buyer is told
by e-mail and SMS that they will not be charged for it. Paid orders keep their lines (a notice).
Card orders: tests/payment/test_recalled_lines.py."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from oscar.core.loading import get_model

from core import sms
from shop.checkout.payment_methods import BankTransfer, CashOnDelivery
from shop.order.services import order_status_path
from tests.factories.order import UserFactory, basket_with, place_order, product_for_sale
from tests.factories.traceability import net_stock, published
from traceability import recall as recalls
from traceability.models import Batch

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def _order(method, *lines, email="buyer@example.com", user=None):
    order = place_order(basket=basket_with(*lines, owner=user), guest_email=email, user=user)
    method.order_placed(order=order)
    order.refresh_from_db()
    return order


def _recall(batch):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return recalls.batch_recall(batch=Batch.objects.get(pk=batch.pk), reason="农残超标")


@pytest.fixture
def honey(db):
    """Another product in the same basket, not recalled."""
    return product_for_sale(title="房县黑木耳 200克", price="30.00", stock=10)


def test_a_bank_transfer_order_loses_the_recalled_line_and_pays_less_and_the_buyer_is_told(
    client, tea, honey
):
    batch = published(tea, quantity=10)
    buyer = UserFactory(email="buyer@example.com")
    order = _order(BankTransfer(), (tea.product, 2), (honey, 1), user=buyer)
    assert order.total_incl_tax == Decimal("206.00")  # 2 × 88 + 30, delivery free from ¥99

    _recall(batch)

    order.refresh_from_db()
    recalled, kept = order.lines.order_by("pk")
    assert order.status == "Pending payment"
    assert (recalled.status, recalled.line_price_incl_tax, recalled.quantity) == ("Cancelled", 0, 2)
    assert kept.status == "Pending payment" and kept.line_price_incl_tax == Decimal("30.00")
    assert order.total_incl_tax == Decimal("30.00")
    assert order.sources.get().amount_allocated == Decimal("30.00")
    assert order.notes.filter(message__contains="农残超标").exists()
    # The recalled units never come back on sale; the other product's allocation is untouched.
    assert net_stock(tea.stockrecord) == 0
    assert StockRecord.objects.get(product=honey).num_allocated == 1
    [message] = mail.outbox
    assert order.number in message.body and "不会为它向您收费" in message.body
    [text] = sms.outbox
    assert "不会为它向您收费" in text.text
    # The buyer's order page says so, in Chinese, with the new total.
    client.force_login(buyer)
    response = client.get(order_status_path(order))
    assert response.status_code == 200, (response.status_code, order_status_path(order))
    page = response.content.decode()
    assert "已从本订单移除（召回），不收取此项费用。" in page and "¥30.00" in page


def test_an_order_paid_on_delivery_holding_only_the_recalled_product_is_cancelled(tea):
    batch = published(tea, quantity=10)
    order = _order(CashOnDelivery(), (tea.product, 3))
    assert order.status == "Awaiting shipment"

    _recall(batch)

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert (
        net_stock(tea.stockrecord) == 0 and StockRecord.objects.get(pk=tea.stockrecord.pk).num_allocated == 0
    )
    [message] = mail.outbox
    assert "已为您取消，不会向您收费" in message.body
    assert "该订单已取消" in sms.outbox[0].text


def test_a_paid_order_keeps_its_lines_and_gets_the_usual_notice(tea):
    batch = published(tea, quantity=10)
    order = _order(BankTransfer(), (tea.product, 2))
    order.set_status("Paid")

    _recall(batch)

    order.refresh_from_db()
    assert order.status == "Paid" and order.total_incl_tax == Decimal("176.00")
    assert order.lines.get().status != "Cancelled"
    [message] = mail.outbox
    assert "我们会就退款或换货与您联系" in message.body and "不会" not in message.body
