"""Signals the order room sends for higher rooms (traceability, channels) to act on.

Both are sent synchronously, *inside* the database transaction that changes the order, with
``Signal.send`` (not ``send_robust``): a receiver that raises aborts and rolls back the whole
operation. Receivers therefore must not talk to the outside world directly; anything external
(e-mail, webhooks, search indexing) belongs in ``transaction.on_commit``.
"""

from django.dispatch import Signal

#: Sent by ``shop.order.utils.OrderCreator.place_order`` after the order, its lines and the
#: stock allocation of every stock-tracked line are written, before the transaction commits.
#: Arguments: ``sender`` (the OrderCreator class), ``order`` (the new Order; ``order.lines`` hold
#: ``stockrecord`` and ``quantity``). The StockRecord rows of the order are locked by this
#: transaction. A receiver may lock and update its own rows (e.g. allocate lines to product
#: batches, earliest expiry first, locking in primary-key order). To refuse the order it raises
#: ``shop.order.exceptions.InsufficientStock`` (the buyer sees its message) or another
#: ``UnableToPlaceOrder``; everything, the order included, is then rolled back.
order_stock_allocated = Signal()

#: Sent by ``shop.order.services.order_cancel`` once per order, after its stock allocations were
#: given back and its status set to "Cancelled", before the transaction commits. Arguments:
#: ``sender`` (the Order class), ``order`` (the cancelled Order, row locked), ``user`` (who
#: cancelled: a staff user, or None for the system, e.g. expiry of unpaid orders). A receiver gives
#: back what it holds for the order (e.g. batch allocations); raising rolls the cancellation back.
#: It is not sent again when an already cancelled order is cancelled a second time.
order_cancelled = Signal()

#: Sent by ``shop.order.services.order_lines_unbill`` when lines of an order nobody has paid for yet are
#: taken off its bill (e.g. their batch was recalled), after their stock-record allocations were given
#: back, their status set to "Cancelled", their prices zeroed and the order's totals (and payment
#: source) lowered, before the transaction commits. Arguments: ``sender`` (the Order class),
#: ``order`` (row locked, new totals), ``lines`` (the lines taken off), ``user`` (or None for the
#: system). A receiver gives back what it holds for those lines (batch allocations) or follows the
#: new total (a pending card payment); raising rolls everything back. An order losing every line is
#: cancelled instead (``order_cancelled``), and this signal is not sent.
order_lines_cancelled = Signal()
