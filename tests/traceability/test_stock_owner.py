"""A product sold through batches has its stock from its batches: the portal cannot type it in."""

import pytest
from django.urls import reverse

from tests.factories.traceability import net_stock, published, seller

pytestmark = pytest.mark.django_db


def test_the_portal_refuses_to_set_stock_of_a_product_sold_through_batches(client):
    tea = seller()
    published(tea, quantity=40)
    client.force_login(tea.user())

    response = client.post(
        reverse("portal:stock-update", args=[tea.stockrecord.pk]),
        {"num_in_stock": 500, "low_stock_threshold": 5},
    )

    assert response.status_code == 200
    assert "此商品按批次销售" in " ".join(response.context["form"].errors["num_in_stock"])
    assert net_stock(tea.stockrecord) == 40


def test_the_portal_still_sets_stock_of_a_product_without_batches(client):
    honey = seller(title="竹山土蜂蜜 500克", stock=10)
    client.force_login(honey.user())

    response = client.post(
        reverse("portal:stock-update", args=[honey.stockrecord.pk]),
        {"num_in_stock": 25, "low_stock_threshold": 3},
    )

    assert response.status_code == 302
    assert net_stock(honey.stockrecord) == 25


def test_the_stock_list_says_which_stock_comes_from_batches(client):
    tea = seller()
    published(tea, quantity=40)
    client.force_login(tea.user())

    response = client.get(reverse("portal:stock"))

    assert response.context["batch_managed"] == {tea.product.pk}
