"""The Django admin lists products with their Shiyan fields and lets staff keep the quality marks."""

import pytest
from django.urls import reverse

from catalogue.services import catalogue_structure_ensure
from tests.factories.catalogue import product_in_stock

pytestmark = pytest.mark.django_db


def test_admin_product_list_shows_county_brand_and_gtin(admin_client):
    product_in_stock(title="房县花菇 250克", brand="房县香菇", gtin="6937001000019")

    response = admin_client.get(reverse("admin:catalogue_product_changelist"))

    assert response.status_code == 200
    assert "6937001000019" in response.content.decode() and "房县香菇" in response.content.decode()


def test_admin_lists_the_quality_marks(admin_client):
    catalogue_structure_ensure()

    response = admin_client.get(reverse("admin:catalogue_qualitymark_changelist"))

    assert "绿色食品" in response.content.decode()
