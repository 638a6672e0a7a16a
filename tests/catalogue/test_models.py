import pytest
from django.core.exceptions import ValidationError
from oscar.core.loading import get_model

from tests.factories.catalogue import ShiyanProductFactory, product_in_stock

Product = get_model("catalogue", "Product")

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


def test_a_second_product_with_the_same_gtin_is_refused_with_a_clear_message():
    ShiyanProductFactory(gtin="6901234567892")
    product = ShiyanProductFactory.build(gtin="6901234567892", slug="another")
    product.product_class.save()

    with pytest.raises(ValidationError) as excinfo:
        product.full_clean()

    assert excinfo.value.messages == ["已有其他商品使用这个商品条码（GTIN）。"]


def test_products_without_a_gtin_do_not_clash():
    ShiyanProductFactory(gtin="")
    ShiyanProductFactory(gtin="")

    assert Product.objects.filter(gtin="").count() == 2
