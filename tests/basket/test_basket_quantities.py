"""Bad quantities never change the basket and always say what is wrong."""

import pytest
from django.contrib.messages import get_messages
from oscar.core.loading import get_model

from tests.catalogue.builders import shelf_product

pytestmark = pytest.mark.django_db

Line = get_model("basket", "Line")


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def shiitake():
    return shelf_product(title="房县香菇 250克", price="39.80", stock=5)


def _add(client, product, quantity):
    return client.post(f"/shop/basket/add/{product.pk}/", {"quantity": quantity}, HTTP_REFERER="/shop/")


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _quantities():
    return list(Line.objects.order_by("pk").values_list("quantity", flat=True))


def test_adding_two_puts_two_in_the_basket(client, shiitake):
    response = _add(client, shiitake, "2")

    assert response.status_code == 302
    assert _quantities() == [2]


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ("abc", "The quantity must be a whole number"),
        ("1.5", "The quantity must be a whole number"),
        ("-1", "The quantity must be at least 1."),
        ("0", "The quantity must be at least 1."),
        ("", "Enter how many you want."),
        ("6", "A maximum of 5 can be bought"),
        ("99999999999999999999", "not able to ship more than"),
    ],
)
def test_a_bad_quantity_is_not_added_and_the_message_names_the_product(
    client, english, shiitake, quantity, reason
):
    response = _add(client, shiitake, quantity)

    assert response.status_code == 302
    assert _quantities() == []
    [message] = _messages(response)
    assert "房县香菇 250克" in message
    assert reason in message


def test_stock_counts_what_is_already_in_the_basket(client, english, shiitake):
    _add(client, shiitake, "4")

    response = _add(client, shiitake, "2")

    assert _quantities() == [4]
    assert "A maximum of 5 can be bought" in _messages(response)[-1]


def test_the_product_page_shows_the_rejected_quantity_next_to_its_error(client, english, shiitake):
    _add(client, shiitake, "abc")

    page = client.get(shiitake.get_absolute_url()).content.decode()

    assert "The quantity must be a whole number" in page


def _update(client, quantity):
    line = Line.objects.get()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(line.pk),
        "form-0-quantity": quantity,
    }
    return client.post("/shop/basket/", data)


@pytest.mark.parametrize(
    ("quantity", "reason"),
    [
        ("abc", "The quantity must be a whole number"),
        ("-1", "The quantity cannot be negative"),
        ("", "Enter a quantity (0 removes the item)."),
        ("6", "A maximum of 5 can be bought"),
    ],
)
def test_a_bad_basket_update_leaves_the_basket_as_it_was(client, english, shiitake, quantity, reason):
    _add(client, shiitake, "2")

    response = _update(client, quantity)

    assert response.status_code == 200
    assert _quantities() == [2]
    assert reason in response.content.decode()
    assert any("Please correct" in message for message in _messages(response))


def test_a_good_basket_update_changes_the_quantity(client, shiitake):
    _add(client, shiitake, "2")

    _update(client, "3")

    assert _quantities() == [3]


def test_zero_removes_the_line(client, shiitake):
    _add(client, shiitake, "2")

    _update(client, "0")

    assert _quantities() == []


def test_the_basket_page_shows_lines_with_prices_in_yuan(client, shiitake):
    _add(client, shiitake, "2")

    page = client.get("/shop/basket/").content.decode()

    assert "¥39.80" in page
    assert "¥79.60" in page
    assert "/media/renditions/" not in page or ".webp" in page


def test_the_empty_basket_points_back_to_the_shop(client):
    response = client.get("/shop/basket/")

    assert response.status_code == 200
    assert 'href="/shop/catalogue/"' in response.content.decode()


def test_the_messages_after_adding_are_chinese(client, shiitake):
    _add(client, shiitake, "2")

    messages = " ".join(_messages(client.get("/shop/basket/")))

    assert "购物车合计：<strong>¥79.60</strong>" in messages
    assert "查看购物车" in messages
    assert "basket" not in messages.lower().replace("/shop/basket/", "")
