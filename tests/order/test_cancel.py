"""Cancelling an order gives its stock back, once, whoever cancels it."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from shop.order.exceptions import InvalidOrderStatus
from shop.order.services import order_cancel
from shop.order.signals import order_cancelled
from tests.factories.order import basket_with, place_order

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_staff(db):
    """Staff with Oscar's order-dashboard permissions."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    return staff


@pytest.fixture
def order(mushrooms):
    return place_order(basket=basket_with((mushrooms, 3)))


@pytest.fixture
def cancellations():
    seen = []

    def receiver(sender, order, user, **kwargs):
        seen.append((order.number, order.status, user))

    order_cancelled.connect(receiver, dispatch_uid="test-cancellations")
    yield seen
    order_cancelled.disconnect(dispatch_uid="test-cancellations")


def test_cancelling_gives_the_stock_back_and_tells_higher_rooms(mushrooms, order, cancellations):
    staff = UserFactory(is_staff=True)

    cancelled = order_cancel(order=order, user=staff, note="买家来电取消")

    assert cancelled.status == "Cancelled"
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0
    assert set(cancelled.lines.values_list("status", flat=True)) == {"Cancelled"}
    assert cancelled.lines.get().allocation_cancelled
    assert "买家来电取消" in cancelled.notes.get().message
    assert cancellations == [(order.number, "Cancelled", staff)]


def test_cancelling_twice_gives_the_stock_back_once(mushrooms, order, cancellations):
    place_order(basket=basket_with((mushrooms, 2)))  # another order keeps its 2
    order_cancel(order=order)

    order_cancel(order=order)

    assert StockRecord.objects.get(product=mushrooms).num_allocated == 2
    assert len(cancellations) == 1
    assert Order.objects.get(pk=order.pk).notes.count() == 1


def test_a_shipped_order_cannot_be_cancelled(mushrooms, order):
    order.set_status("Awaiting shipment")
    order.set_status("Shipped")

    with pytest.raises(InvalidOrderStatus):
        order_cancel(order=order)

    assert StockRecord.objects.get(product=mushrooms).num_allocated == 3


def test_staff_cancelling_from_the_order_dashboard_goes_through_the_service(
    client, mushrooms, order, cancellations, order_staff
):
    client.force_login(order_staff)

    response = client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {"order_action": "change_order_status", "new_status": "Cancelled"},
    )

    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == "Cancelled"
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0
    assert cancellations == [(order.number, "Cancelled", order_staff)]


def test_staff_cancelling_several_orders_from_the_list_gives_all_stock_back(
    client, mushrooms, order, order_staff
):
    other = place_order(basket=basket_with((mushrooms, 2)))
    client.force_login(order_staff)

    client.post(
        reverse("dashboard:order-list"),
        {
            "action": "change_order_statuses",
            "selected_order": [order.pk, other.pk],
            "new_status": "Cancelled",
        },
    )

    assert set(Order.objects.values_list("status", flat=True)) == {"Cancelled"}
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0


def test_other_status_changes_from_the_dashboard_still_work(client, mushrooms, order, order_staff):
    client.force_login(order_staff)

    client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {"order_action": "change_order_status", "new_status": "Paid"},
    )

    assert Order.objects.get(pk=order.pk).status == "Paid"
    assert StockRecord.objects.get(product=mushrooms).num_allocated == 3
