"""The confirmation e-mail is recorded in the outbox with the order, sent after commit, in Chinese, once."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from oscar.core.loading import get_model

from core.models import OutboxMessage
from core.outbox import outbox_deliver
from shop.order.services import order_confirmation_send
from tests.checkout import flow
from tests.factories.order import UserFactory

Order = get_model("order", "Order")
CommunicationEvent = get_model("order", "CommunicationEvent")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


class UnreachableMailServer(BaseEmailBackend):
    """The outside world failing at its boundary: the SMTP server does not answer."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_confirmation_is_queued_for_after_commit_and_sent_once(
    client, mushrooms, django_capture_on_commit_callbacks
):
    flow.guest_checkout_to_preview(client, mushrooms, email="li.na@example.com")

    with django_capture_on_commit_callbacks() as callbacks:
        flow.place_order(client)
    assert mail.outbox == []  # nothing inside the request / transaction
    for callback in callbacks:
        callback()

    order = Order.objects.get()
    [message] = mail.outbox
    assert message.to == ["li.na@example.com"]
    assert message.subject == f"十堰优品：您的订单 {order.number} 已确认"
    assert "待付款" in message.body
    assert "0200 0000 0000 0000 000" in message.body
    assert f"转账附言: {order.number}" in message.body
    assert "北京市朝阳区 建国路88号" in message.body
    assert f"/shop/accounts/order-status/{order.number}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "银行转账" in html


def test_a_retry_or_duplicate_task_never_sends_twice(client, mushrooms, django_capture_on_commit_callbacks):
    flow.guest_checkout_to_preview(client, mushrooms)
    with django_capture_on_commit_callbacks(execute=True):
        flow.place_order(client)
    order = Order.objects.get()

    # A worker that died after sending, before its "sent" mark committed: delivered again.
    OutboxMessage.objects.filter(kind="order.confirmation").update(state="pending", sent_at=None)
    outbox_deliver(message_id=OutboxMessage.objects.get(kind="order.confirmation").pk)
    sent_again = order_confirmation_send(order_id=order.pk)

    assert sent_again is False
    assert len(mail.outbox) == 1
    assert CommunicationEvent.objects.filter(order=order, event_type__code="ORDER_PLACED").count() == 1


def test_a_failed_send_records_nothing_so_the_retry_sends_it(
    client, mushrooms, settings, django_capture_on_commit_callbacks
):
    flow.guest_checkout_to_preview(client, mushrooms)
    with django_capture_on_commit_callbacks():
        flow.place_order(client)
    order = Order.objects.get()
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableMailServer"

    with pytest.raises(smtplib.SMTPServerDisconnected):
        order_confirmation_send(order_id=order.pk)
    assert not CommunicationEvent.objects.filter(order=order).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert order_confirmation_send(order_id=order.pk) is True
    assert len(mail.outbox) == 1


def test_signed_in_buyer_gets_the_mail_at_their_address_with_a_link_to_their_order(
    client, mushrooms, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(email="buyer@example.com"))
    flow.add_to_basket(client, mushrooms)
    flow.enter_address(client)
    flow.choose_payment(client, "cash-on-delivery")

    with django_capture_on_commit_callbacks(execute=True):
        flow.place_order(client)

    order = Order.objects.get()
    [message] = mail.outbox
    assert message.to == ["buyer@example.com"]
    assert "待发货" in message.body
    assert "货到付款" in message.body
    assert f"/shop/accounts/orders/{order.number}/" in message.body


def test_no_mail_is_queued_when_the_order_is_not_placed(
    client, mushrooms, django_capture_on_commit_callbacks
):
    flow.guest_checkout_to_preview(client, mushrooms, quantity=3)
    StockRecord.objects.filter(product=mushrooms).update(num_allocated=9)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        flow.place_order(client)

    assert callbacks == []
    assert mail.outbox == []
