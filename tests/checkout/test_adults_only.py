"""Yellow wine is sold to adults only: placing the order needs the buyer's confirmation."""

import pytest
from oscar.core.loading import get_model

from tests.checkout import flow
from tests.factories.catalogue import ShiyanProductClassFactory
from tests.factories.order import product_for_sale

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def yellow_wine(db):
    return product_for_sale(
        title="房县黄酒 500毫升",
        price="58.00",
        product_class=ShiyanProductClassFactory(name="黄酒", adults_only=True),
    )


def test_preview_asks_for_age_confirmation_when_basket_holds_alcohol(client, yellow_wine):
    response = flow.guest_checkout_to_preview(client, yellow_wine)

    page = response.content.decode()
    assert "我已年满18周岁" in page
    assert "房县黄酒 500毫升" in page


def test_order_with_alcohol_is_refused_without_age_confirmation(client, yellow_wine):
    flow.guest_checkout_to_preview(client, yellow_wine)

    response = flow.place_order(client)

    assert response.status_code == 200
    assert "请确认您已年满18周岁" in response.content.decode()
    assert not Order.objects.exists()
    assert StockRecord.objects.get(product=yellow_wine).num_allocated == 0


def test_age_confirmation_is_recorded_on_the_order(client, yellow_wine):
    flow.guest_checkout_to_preview(client, yellow_wine)

    response = flow.place_order(client, is_adult="on")

    order = Order.objects.get()
    assert response.status_code == 302
    note = order.notes.get()
    assert "年满18周岁" in note.message
    assert "房县黄酒 500毫升" in note.message


def test_order_without_alcohol_needs_no_age_confirmation(client, mushrooms):
    response = flow.guest_checkout_to_preview(client, mushrooms)

    assert "我已年满18周岁" not in response.content.decode()
    assert flow.place_order(client).status_code == 302
    assert not Order.objects.get().notes.exists()
