"""The database itself refuses over-allocation, whatever code path tries it."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def test_raw_update_allocating_more_than_in_stock_is_rejected(mushrooms):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(product=mushrooms).update(num_allocated=F("num_in_stock") + 1)

    assert StockRecord.objects.get(product=mushrooms).num_allocated == 0


def test_raw_update_making_allocation_negative_is_rejected(mushrooms):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockRecord.objects.filter(product=mushrooms).update(num_allocated=-1)


def test_allocating_exactly_the_stock_is_allowed(mushrooms):
    StockRecord.objects.filter(product=mushrooms).update(num_allocated=F("num_in_stock"))

    assert StockRecord.objects.get(product=mushrooms).net_stock_level == 0
