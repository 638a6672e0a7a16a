"""Oscar's order event handler, with cancellation routed through the ``order_cancel`` service.

Oscar's order dashboard (list bulk action and order detail) changes statuses through
``EventHandler.handle_order_status_change``; sending "Cancelled" through the service means staff
cancellations give the stock back and tell higher rooms, exactly like any other cancellation.
"""

from oscar.apps.order import processing

from . import statuses
from .services import order_cancel


class EventHandler(processing.EventHandler):
    def handle_order_status_change(self, order, new_status, note_msg=None):
        if new_status == statuses.CANCELLED:
            cancelled = order_cancel(order=order, user=self.user, note=note_msg or "")
            # The dashboard keeps using the instance it passed in.
            order.status = cancelled.status
            return
        super().handle_order_status_change(order, new_status, note_msg=note_msg)
