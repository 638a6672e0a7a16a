"""Oscar's basket, forked (label ``basket``): clearer quantity messages, basket lines that bring
what the pricing strategy reads, so the header's basket total costs no query per line, and the time
a basket was frozen, so one left frozen by a failed placement is given back (shop/basket/tasks.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    # Set when checkout freezes the basket to place its order, cleared when it is thawed. A basket
    # frozen for longer than BASKET_FROZEN_THAW_MINUTES with no order was left by a placement
    # that died (process killed, database gone): frozen_baskets_thaw_task opens it again.
    frozen_at = models.DateTimeField(_("Frozen at"), null=True, blank=True, db_index=True)

    def freeze(self):
        self.frozen_at = timezone.now()
        super().freeze()

    freeze.alters_data = True

    def thaw(self):
        self.frozen_at = None
        super().thaw()

    thaw.alters_data = True

    def all_lines(self):
        """Oscar's cached lines, with each product's class and stock records fetched up front.

        The strategy prices a line from ``product.stockrecords`` and checks stock tracking on the
        product class; Oscar's query left both to one query per line on every page.
        """
        if self.id is not None and self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product", "product__product_class", "product__parent__product_class", "stockrecord"
                )
                .prefetch_related("attributes", "product__images", "product__stockrecords")
                .order_by(self._meta.pk.name)
            )
        return super().all_lines()


from oscar.apps.basket.models import *  # noqa: E402,F403
