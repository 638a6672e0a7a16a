"""Oscar's order app, forked: order placement locks stock (utils.py), cancellation is a service, and
every order records the sales channel it was placed for."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractShippingAddress
from oscar.apps.order.abstract_models import AbstractOrder

from core.sales_channels import SalesChannel
from shop.address.models import CN_ADDRESS_FIELDS


class Order(AbstractOrder):
    # Set at placement from the pricing strategy's buyer terms (shop.order.utils.OrderCreator): a
    # member of an approved organisation buys for its channel, everyone else buys retail. The link
    # to the organisation itself is kept by the channels room, which this one does not import.
    channel = models.CharField(
        _("sales channel"),
        max_length=16,
        choices=SalesChannel.choices,
        default=SalesChannel.RETAIL,
        db_index=True,
    )


class ShippingAddress(AbstractShippingAddress):
    # Printed largest to smallest, as a Beijing courier reads it (see shop.address.models).
    base_fields = CN_ADDRESS_FIELDS


from oscar.apps.order.models import *  # noqa: E402
