"""The buyer's way through checkout, step by step, with Django's test client."""

from django.urls import reverse

from tests.factories.order import BEIJING_ADDRESS_FORM


def add_to_basket(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302, response.content[:500]
    return response


def start_as_guest(client, email="guest@example.com"):
    return client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})


def enter_address(client, **changes):
    """Post the address form; when it is valid, also pass the (automatic) shipping-method step."""
    response = client.post(reverse("checkout:shipping-address"), {**BEIJING_ADDRESS_FORM, **changes})
    if response.status_code == 302:
        shipping = client.get(response["Location"])
        assert shipping["Location"] == reverse("checkout:payment-method")
    return response


def choose_payment(client, method="bank-transfer"):
    return client.post(reverse("checkout:payment-method"), {"method": method})


def place_order(client, **extra):
    return client.post(reverse("checkout:preview"), {"action": "place_order", **extra})


def guest_checkout_to_preview(
    client, product, *, quantity=1, method="bank-transfer", email="guest@example.com"
):
    """Basket → gateway (guest) → address → shipping (automatic) → payment; ends on the preview."""
    add_to_basket(client, product, quantity)
    assert start_as_guest(client, email).status_code == 302
    assert enter_address(client).status_code == 302
    assert choose_payment(client, method).status_code == 302
    response = client.get(reverse("checkout:preview"))
    assert response.status_code == 200, response.get("Location")
    return response
