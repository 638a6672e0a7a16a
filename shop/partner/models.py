"""Oscar's partner app, forked to make overselling impossible at the database level."""

from django.db import models
from django.db.models import F, Q
from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    class Meta(AbstractStockRecord.Meta):
        constraints = [
            # Allocated units can never exceed the units held: the last unit is sold once.
            models.CheckConstraint(
                condition=Q(num_allocated__isnull=True)
                | Q(num_in_stock__isnull=True)
                | Q(num_allocated__lte=F("num_in_stock")),
                name="partner_stockrecord_allocated_lte_in_stock",
            ),
            models.CheckConstraint(
                condition=Q(num_allocated__isnull=True) | Q(num_allocated__gte=0),
                name="partner_stockrecord_allocated_gte_0",
            ),
        ]


from oscar.apps.partner.models import *  # noqa: E402,F403
