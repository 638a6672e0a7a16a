"""The dashboard's order forms, offering statuses by their translated names (the stored values stay)."""

from oscar.apps.dashboard.orders import forms as oscar_forms
from oscar.apps.dashboard.orders.forms import *  # noqa: F403

from shop.order.statuses import status_label


def _labelled(choices) -> list[tuple[str, str]]:
    return [(value, status_label(value) if value else label) for value, label in choices]


class OrderSearchForm(oscar_forms.OrderSearchForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _labelled(self.fields["status"].choices)


class OrderStatusForm(oscar_forms.OrderStatusForm):
    def __init__(self, order, *args, **kwargs):
        super().__init__(order, *args, **kwargs)
        self.fields["new_status"].choices = _labelled(self.fields["new_status"].choices)
