import pytest

from tests.factories.order import product_for_sale


@pytest.fixture
def mushrooms(db):
    return product_for_sale(title="房县香菇 250克", price="39.80", stock=10)
