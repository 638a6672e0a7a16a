"""Order placement that cannot oversell.

Oscar's ``OrderCreator.place_order`` already writes the order inside ``transaction.atomic`` and
allocates stock line by line in stock-record order. Here every stock record of the basket is
locked first, in one query (``SELECT … FOR UPDATE`` in primary-key order, so two placements never
deadlock; on SQLite the IMMEDIATE transaction is the lock); each line is checked against the net
stock read under the lock (counting the order's earlier lines of the same record) and refused with
``InsufficientStock`` when it is short, which rolls the whole placement back; then each record's
allocation is written, all in one UPDATE, and Oscar's per-record save signals are sent.
The StockRecord CHECK constraints (0 ≤ num_allocated ≤ num_in_stock) remain the last line of
defence for any code path that skips this one.

The order records the sales channel it was placed for: the channel of the buyer terms the basket was
priced with (``shop.partner.strategy``), retail without any. Those terms then record the order in
their own room (``BuyerTerms.record_order``), last, in the same transaction. Lock order: stock
records, then batches (``order_stock_allocated``), then whatever the terms lock (the organisation).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from oscar.apps.order import utils
from oscar.core.loading import get_model

from core.sales_channels import SalesChannel
from shop.partner.receivers import stockrecords_saved

from .exceptions import InsufficientStock
from .signals import order_stock_allocated

StockRecord = get_model("partner", "StockRecord")
Line = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")


class OrderCreator(utils.OrderCreator):
    def place_order(self, basket, *args, **kwargs):
        """Place the order and, in the same transaction, let higher rooms allocate batches and
        the buyer's terms record the order."""
        terms = getattr(getattr(basket, "strategy", None), "buyer_terms", None)
        kwargs.setdefault("channel", terms.channel if terms is not None else SalesChannel.RETAIL)
        with transaction.atomic():
            # Every stock record of the basket locked up front, in primary-key order, in one query
            # (the same locks, in the same order, as one by one; a 500-line order saves 500 reads).
            record_ids = sorted({line.stockrecord_id for line in basket.all_lines() if line.stockrecord_id})
            self._locked = (
                StockRecord._default_manager.select_for_update(of=("self",))
                .select_related("product__product_class", "product__parent__product_class")
                .in_bulk(record_ids)
            )
            self._wanted: dict[int, int] = {}
            self._pending_lines: list = []
            order = super().place_order(basket, *args, **kwargs)
            self._lines_write()
            self._allocate()
            order_stock_allocated.send(sender=self.__class__, order=order)
            if terms is not None:
                terms.record_order(order)
        return order

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        """Oscar's, but a plain line (no options, no discounts, no extra fields) is written with the
        order's other plain lines in two bulk inserts (lines, then their prices) before any stock
        is checked: a 500-line order saves a thousand round trips. Lines keep the basket's order."""
        plain = (
            not extra_line_fields
            and not basket_line.attributes.all()
            and not list(basket_line.discounts)
            and basket_line.stockrecord is not None
        )
        if not plain:
            self._lines_write()
            return super().create_line_models(order, basket_line, extra_line_fields)
        stockrecord = basket_line.stockrecord
        partner = stockrecord.partner
        product = basket_line.product
        line = Line(
            order=order,
            partner=partner,
            partner_name=partner.name,
            partner_sku=stockrecord.partner_sku,
            stockrecord=stockrecord,
            product=product,
            title=product.get_title(),
            upc=product.upc,
            quantity=basket_line.quantity,
            line_price_excl_tax=basket_line.line_price_excl_tax_incl_discounts,
            line_price_incl_tax=basket_line.line_price_incl_tax_incl_discounts,
            line_price_before_discounts_excl_tax=basket_line.line_price_excl_tax,
            line_price_before_discounts_incl_tax=basket_line.line_price_incl_tax,
            unit_price_incl_tax=basket_line.unit_price_incl_tax,
            unit_price_excl_tax=basket_line.unit_price_excl_tax,
            tax_code=basket_line.tax_code,
            num_allocated=basket_line.quantity,
            **(
                {"status": settings.OSCAR_INITIAL_LINE_STATUS}
                if hasattr(settings, "OSCAR_INITIAL_LINE_STATUS")
                else {}
            ),
        )
        self._pending_lines.append((line, basket_line))
        return line

    def _lines_write(self) -> None:
        pending, self._pending_lines = self._pending_lines, []
        if not pending:
            return
        lines = Line._default_manager.bulk_create([line for line, _basket_line in pending])
        LinePrice._default_manager.bulk_create(
            [
                LinePrice(
                    order=line.order,
                    line=line,
                    quantity=quantity,
                    price_incl_tax=price_incl_tax,
                    price_excl_tax=price_excl_tax,
                    tax_code=basket_line.tax_code,
                )
                for line, (_unsaved, basket_line) in zip(lines, pending, strict=True)
                for price_incl_tax, price_excl_tax, quantity in basket_line.get_price_breakdown()
            ]
        )
        for line, (_unsaved, basket_line) in zip(lines, pending, strict=True):
            self.create_additional_line_models(line.order, line, basket_line)

    def update_stock_records(self, line):
        self._lines_write()  # Oscar checks stock after every line was created: write the pending ones
        """Check one basket line's quantity against its locked stock record (counting the lines of
        this order before it), or raise ``InsufficientStock``. The allocation itself is written
        once per stock record when every line passed (``_allocate``)."""
        product = line.product
        if not product.get_product_class().track_stock:
            return
        record = self._locked.get(line.stockrecord_id)
        if record is None:
            record = StockRecord._default_manager.select_for_update().get(pk=line.stockrecord_id)
            self._locked[record.pk] = record
        if not record.can_track_allocations:
            return
        already = self._wanted.get(record.pk, 0)
        if already + line.quantity > record.net_stock_level:
            raise InsufficientStock(
                product_title=product.get_title(),
                requested=line.quantity,
                available=record.net_stock_level - already,
            )
        self._wanted[record.pk] = already + line.quantity

    def _allocate(self) -> None:
        """Allocate what the lines asked of each stock record: one UPDATE for all of them, then, per
        record, the signals Oscar's ``StockRecord.allocate`` sends (caches), as after the record's
        last allocation, and Oscar's low-stock and product alerts for all records at once."""
        if not self._wanted:
            return
        for pk in sorted(self._wanted):
            self._locked[pk].pre_save_signal()
        StockRecord._default_manager.filter(pk__in=list(self._wanted)).update(
            num_allocated=Coalesce(F("num_allocated"), 0)
            + Case(*[When(pk=pk, then=Value(quantity)) for pk, quantity in self._wanted.items()], default=0)
        )
        records = [self._locked[pk] for pk in sorted(self._wanted)]
        for record in records:
            record.num_allocated = (record.num_allocated or 0) + self._wanted[record.pk]
            record._alerts_batched = True  # Oscar's alerts: once for all records, just below
            record.post_save_signal()
            del record._alerts_batched
        stockrecords_saved(records)


class OrderDispatcher(utils.OrderDispatcher):
    """Oscar's, for an order with no e-mail address too: a guest who checked out with a mobile number
    alone (``shop.phone``). Oscar counts a guest order only when it has a guest e-mail
    (``Order.is_anonymous``) and takes any other for a user's, failing on the missing user; such an
    order is e-mailed nothing here (its buyer is told by SMS) and no event is recorded."""

    def dispatch_order_messages(self, order, messages, event_code, attachments=None, **kwargs):
        if order.user_id is None and not (kwargs.get("email_address") or order.guest_email):
            self.dispatcher.logger.info(
                "Order #%s: no e-mail address, %s not e-mailed", order.number, event_code
            )
            return
        super().dispatch_order_messages(order, messages, event_code, attachments=attachments, **kwargs)
