import pytest
from django.core.exceptions import ValidationError

from tests.factories.catalogue import ShiyanProductFactory, product_in_stock

pytestmark = pytest.mark.django_db


def test_product_with_a_wrong_gtin_check_digit_is_rejected():
    product = ShiyanProductFactory()
    product.gtin = "6901234567891"  # the check digit is 2

    with pytest.raises(ValidationError) as excinfo:
        product.full_clean()

    assert "gtin" in excinfo.value.message_dict


def test_gtin_is_padded_to_14_digits_for_digital_link():
    product = ShiyanProductFactory(gtin="6901234567892")

    assert product.gtin14 == "06901234567892"


def test_factory_product_is_in_stock():
    product = product_in_stock(stock=7)

    assert product.stockrecords.get().net_stock_level == 7
