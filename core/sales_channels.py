"""The channels a sale goes through: the plan's four docking channels, and retail as the fifth.

Defined once, here in the lowest room, so every room can name a channel without importing
``channels``: an order stores the code it was placed for (``shop.order.models.Order.channel``), the
storefront's strategy reports it, impact reports count sales by it. Institutions belong to one of the
four (``INSTITUTIONAL``); everything a shopper buys for themselves is retail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesChannel(models.TextChoices):
    """The value is stored (orders, organisations, price lists): never change one."""

    SUPERMARKET = "supermarket", _("Supermarkets and markets (农超)")
    ENTERPRISE = "enterprise", _("Companies and catering (农企)")
    SCHOOL = "school", _("Schools and universities (农校)")
    RESTAURANT = "restaurant", _("Restaurants (农餐)")
    RETAIL = "retail", _("Retail")


#: The four docking channels an organisation can belong to, in the plan's order.
INSTITUTIONAL = (
    SalesChannel.SUPERMARKET,
    SalesChannel.ENTERPRISE,
    SalesChannel.SCHOOL,
    SalesChannel.RESTAURANT,
)
INSTITUTIONAL_CHOICES = [(channel.value, channel.label) for channel in INSTITUTIONAL]


def channel_label(code: str) -> str:
    """The translated name of a channel code; an unknown code is shown as stored."""
    try:
        return str(SalesChannel(code).label)
    except ValueError:
        return code
