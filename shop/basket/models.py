"""Oscar's basket, forked (label ``basket``): clearer quantity messages, and basket lines that
bring what the pricing strategy reads, so the header's basket total costs no query per line."""

from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
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
