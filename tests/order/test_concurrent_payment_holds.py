"""Expiry of a bank-transfer hold and staff confirming the transfer, racing (PostgreSQL row locks):
exactly one wins. The rest of the holds: tests/checkout/test_payment_holds.py."""

import threading

import pytest
from django.db import connection

from shop.checkout import holds
from shop.checkout.payment_methods import BankTransfer
from tests.checkout.test_payment_holds import allocated, order_paid_by
from tests.factories.order import product_for_sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def staff():
    from django.contrib.auth.models import Permission

    from tests.factories.order import UserFactory

    user = UserFactory(is_staff=True, email="finance@shiyan-select.example")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    return user


def test_expiry_and_confirmation_racing_end_with_exactly_one_winner(staff):
    results = {}
    for round_ in range(5):
        product = product_for_sale(stock=10)
        order = order_paid_by(BankTransfer(), product=product, days_ago=3)
        barrier = threading.Barrier(2)

        def expire(order=order, barrier=barrier):
            barrier.wait()
            try:
                results["expired"] = holds.order_hold_expire(order_id=order.pk)
            finally:
                connection.close()

        def confirm(order=order, barrier=barrier, reference=f"R{round_}"):
            barrier.wait()
            try:
                holds.order_bank_transfer_confirm(order=order, user=staff, reference=reference)
                results["confirmed"] = True
            except holds.TransferNotConfirmed:
                results["confirmed"] = False
            finally:
                connection.close()

        threads = [threading.Thread(target=expire), threading.Thread(target=confirm)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        order.refresh_from_db()
        assert results["expired"] != results["confirmed"]
        if results["confirmed"]:
            assert order.status == "Paid" and allocated(product) == 2
        else:
            assert order.status == "Cancelled" and allocated(product) == 0
            assert order.sources.get().amount_debited == 0
